#!/usr/bin/env bash
# cevents beside a peer, same machine, same load (wrk -t1 -cCONNECTIONS -dDURATION_S POSTing the
# demo body), one after the other in one run:
#   1. ce_bare_httpd: a libmicrohttpd server that answers 200 and does nothing (the reference
#      the other benchmarks use);
#   2. adnanh/webhook (Debian `webhook`) with one hook running /bin/true, as it ships: it answers
#      200 at once and runs the command afterwards; it stores nothing;
#   3. the same hook with `include-command-output-in-response`: the answer waits for the command;
#   4. cevents ingest: the webhook EventSource and a real nats-server -js (file storage); a 200
#      means JetStream stored the event (nothing reads it yet);
#   5. cevents whole path: the same, plus a Sensor whose log trigger logs every event; a 200
#      still means stored, the Sensor fetches and logs it afterwards. When the Sensor falls
#      behind by 80 % of the stream's maxMsgs the EventSource answers 503 (back-pressure): those
#      are counted, and wrk's latencies then include those quick 503s.
# Per server: requests/s answered 200, p50/p99 (wrk), non-2xx answers, resident memory once
# ready (idle) and at its peak, CPU seconds (webhook: with the commands it ran; cevents: the
# EventSource, the Sensor and nats-server). For cevents also how many events the Sensor logged
# and at what rate. The run fails when an event answered 200 is never logged by the Sensor.
#
# usage: bench/peers.sh [DURATION_S] [CONNECTIONS]   (defaults 5, 64)
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-5}
conns=${2:-64}
build=${BUILD:-build}
bin=$build/cevents
bare=$build/ce_bare_httpd
. bench/lib.sh
bench_require "$bin" "$bare"
command -v webhook >/dev/null || { echo "webhook (adnanh/webhook) missing: scripts/install-deps.sh" >&2; exit 1; }
bench_begin peers
write_post_lua
fail=0

# Runs the load at $1 into $work/wrk.$2.
load() { wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$work/post.lua" "$1" >"$work/wrk.$2"; }
# "ok/s p50 p99 non-2xx" of a wrk output: only answers 200 count as served.
served() { # file
  local reqs secs bad
  reqs=$(wrk_reqs "$1"); bad=$(wrk_non2xx "$1")
  secs=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$1")
  echo "ok/s=$(python3 -c "print(f'{($reqs - $bad) / $secs:.0f}')") p50=$(wrk_pct "$1" 50%)" \
    "p99=$(wrk_pct "$1" 99%) non-2xx=$bad"
}

# 1. the bare server
port=$(free_port)
"$bare" "$port" & pid=$!; pids+=("$pid")
wait_port "$port"; sleep 0.5
idle=$(rss_kb "$pid")
load "http://127.0.0.1:$port/example" bare
echo "peers bare-libmicrohttpd: $(served "$work/wrk.bare") rss-idle=${idle}kB" \
  "rss-peak=$(peak_rss_kb "$pid")kB cpu=$(cpu_s "$pid")s"
bench_stop "$pid"

# 2, 3. adnanh/webhook, one hook running /bin/true
webhook_row() { # tag wait(true|false)
  printf '[{"id": "example", "execute-command": "/bin/true", "command-working-directory": "%s",
  "http-methods": ["POST"], "include-command-output-in-response": %s}]\n' "$work" "$2" \
    >"$work/hooks.$1.json"
  port=$(free_port)
  webhook -hooks "$work/hooks.$1.json" -ip 127.0.0.1 -port "$port" >"$work/webhook.$1.log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_port "$port"; sleep 0.5
  idle=$(rss_kb "$pid")
  load "http://127.0.0.1:$port/hooks/example" "$1"
  echo "peers adnanh-webhook($1): $(served "$work/wrk.$1") rss-idle=${idle}kB" \
    "rss-peak=$(peak_rss_kb "$pid")kB cpu=$(cpu_with_children_s "$pid")s (with the commands)"
  bench_stop "$pid"
}
webhook_row answer-then-run false
webhook_row run-then-answer true

# 4, 5. cevents: the EventSource alone (a 200 means JetStream stored the event; nothing reads
# it yet), then the whole path with the Sensor and its log trigger. Each on a fresh nats-server.
start_sensor() {
  cat >"$work/sensor.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: peers
spec:
  dependencies:
  - name: dep
    eventSourceName: webhook
    eventName: example
  triggers:
  - template:
      name: log
      log: {}
YAML
  "$bin" sensor -f "$work/sensor.yaml" --bus "$bus" --metrics-port 0 >"$work/sensor.log" 2>&1 &
  sensor_pid=$!; pids+=("$sensor_pid")
  wait_line "$work/sensor.log" "Sensor subscribed to the event bus"
}
# The Sensor, when asked for, starts before the EventSource so that it logs the warm-up event too.
start_es() { # tag [sensor]
  nats_store="$work/js.$1" start_nats
  bus="nats://127.0.0.1:$nats_port"
  [ -z "${2:-}" ] || start_sensor
  port=$(free_port)
  write_webhook_es "$port"
  "$bin" eventsource -f "$work/es.yaml" --bus "$bus" --metrics-port 0 >"$work/es.$1.log" 2>&1 &
  es_pid=$!; pids+=("$es_pid")
  wait_port "$port"; wait_200 "$port" /example; sleep 0.5
}
logged() { grep -c '"triggerType":"Log"' "$work/sensor.log" || true; }
# Waits until the Sensor logged $1 events, or its count stops moving for 5 s.
wait_logged() {
  local last=-1 same=0 n
  while n=$(logged); [ "$n" -lt "$1" ]; do
    if [ "$n" = "$last" ]; then same=$((same + 1)); else same=0; fi
    [ "$same" -ge 50 ] && return 1
    last=$n; sleep 0.1
  done
}
# The Sensor's logging rate from the second logged event to the last (the first is the warm-up).
sensor_rate() {
  python3 - "$work/sensor.log" <<'PY'
import datetime, json, sys
ts = [json.loads(l)["ts"] for l in open(sys.argv[1]) if '"triggerType":"Log"' in l]
t = [datetime.datetime.fromisoformat(s[:26].rstrip("Z")) for s in (ts[1], ts[-1])] if len(ts) > 2 else None
print(f"{(len(ts) - 2) / (t[1] - t[0]).total_seconds():.0f}" if t and t[1] > t[0] else 0)
PY
}
sum_cpu() { python3 -c "print(f'{sum(float(x) for x in \"$*\".split()):.1f}')"; }

start_es ingest
es_idle=$(rss_kb "$es_pid"); nats_idle=$(rss_kb "$nats_pid")
cpu0=$(sum_cpu "$(cpu_s "$es_pid") $(cpu_s "$nats_pid")")
load "http://127.0.0.1:$port/example" ingest
cpu=$(sum_cpu "$(cpu_s "$es_pid") $(cpu_s "$nats_pid") -$cpu0")
echo "peers cevents-ingest(webhook->jetstream): $(served "$work/wrk.ingest")" \
  "rss-idle=es ${es_idle}kB+nats ${nats_idle}kB" \
  "rss-peak=es $(peak_rss_kb "$es_pid")kB+nats $(peak_rss_kb "$nats_pid")kB cpu=${cpu}s"
bench_stop "$es_pid"; bench_stop "$nats_pid"

start_es path sensor
es_idle=$(rss_kb "$es_pid"); sensor_idle=$(rss_kb "$sensor_pid"); nats_idle=$(rss_kb "$nats_pid")
cpu0=$(sum_cpu "$(cpu_s "$es_pid") $(cpu_s "$sensor_pid") $(cpu_s "$nats_pid")")
load "http://127.0.0.1:$port/example" path
ok=$(($(wrk_reqs "$work/wrk.path") - $(wrk_non2xx "$work/wrk.path") + 1)) # + the warm-up
wait_logged "$ok" || true
cpu=$(sum_cpu "$(cpu_s "$es_pid") $(cpu_s "$sensor_pid") $(cpu_s "$nats_pid") -$cpu0")
echo "peers cevents-path(webhook->jetstream->sensor->log): $(served "$work/wrk.path")" \
  "rss-idle=es ${es_idle}kB+sensor ${sensor_idle}kB+nats ${nats_idle}kB" \
  "rss-peak=es $(peak_rss_kb "$es_pid")kB+sensor $(peak_rss_kb "$sensor_pid")kB+nats $(peak_rss_kb "$nats_pid")kB" \
  "cpu=${cpu}s (until all logged) logged=$(logged)/$ok sensor-ev/s=$(sensor_rate)"
[ "$(logged)" -ge "$ok" ] || { echo "FAIL: $((ok - $(logged))) events answered 200 were never logged" >&2; fail=1; }
echo "peers machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ)," \
  "wrk -t1 -c$conns -d${duration}s, load$(uptime | sed 's/.*load average//')"
exit $fail
