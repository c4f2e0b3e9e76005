#!/usr/bin/env bash
# The cost of growth, in one run on one machine:
#   1. one Sensor with 1, 10, 100 HTTP triggers, all on the same dependency, each POSTing to
#      ce_sink_httpd: wrk sends EVENTS_TOTAL/N events at full speed to a webhook EventSource (a
#      real nats-server -js behind it), so every size makes about EVENTS_TOTAL trigger requests;
#      the rate is the sink's, first request to last (trigger requests/s, and events/s = that / N);
#   2. one EventSource with 1, 10, 100 webhook endpoints on one port: wrk at full speed for
#      DURATION_S, the requests spread round robin over the endpoints; requests/s answered 200.
# For each size: the process's resident memory once ready (idle) and its peak after the load,
# and its thread count. Each size runs against a fresh nats-server, EventSource and sink. The run
# fails when a trigger request is missing at the sink, or the stream holds fewer events than 200s.
#
# usage: bench/scale.sh [DURATION_S] [EVENTS_TOTAL] [SIZES]   (defaults 10, 20000, "1 10 100")
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
total=${2:-20000}
sizes=${3:-1 10 100}
build=${BUILD:-build}
bin=$build/cevents
sink=$build/ce_sink_httpd
. bench/lib.sh
bench_require "$bin" "$sink"
bench_begin scale
fail=0

# The EventSource: N webhook events e001.. on one port, each at its own endpoint.
es_yaml() { # port n
  printf 'apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata:\n  name: webhook\nspec:\n  webhook:\n'
  for i in $(seq 1 "$2"); do
    printf '    e%03d:\n      port: "%s"\n      endpoint: /e%03d\n      method: POST\n' "$i" "$1" "$i"
  done
}

# The Sensor: one dependency on e001, N HTTP triggers to the sink, each with the payload of
# sensor-throughput.sh (the send time and the message).
sensor_yaml() { # n sink_port
  printf 'apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata:\n  name: scale\nspec:\n'
  printf '  dependencies:\n  - name: dep\n    eventSourceName: webhook\n    eventName: e001\n  triggers:\n'
  for i in $(seq 1 "$1"); do
    cat <<YAML
  - template:
      name: t$(printf %03d "$i")
      http:
        url: http://127.0.0.1:$2/sink
        method: POST
        payload:
        - src: {dependencyName: dep, dataKey: body.t, useRawData: true, value: "0"}
          dest: t
        - src: {dependencyName: dep, dataKey: body.message}
          dest: message
YAML
  done
}

# wrk scripts: POST the demo body round robin over N endpoints; or to one, stopping after LIMIT
# answers (so that 100 triggers do not mean 100 times the work of one).
write_spread_lua() { # n
  cat >"$work/spread.lua" <<LUA
local n, i = $1, 0
wrk.method = "POST"
wrk.body   = '{"message":"this is my first webhook"}'
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % n + 1
  return wrk.format(nil, string.format("/e%03d", i))
end
LUA
}
write_capped_lua() { # limit
  cat >"$work/capped.lua" <<LUA
local limit, ok, bad = $1, 0, 0
wrk.method = "POST"
wrk.body   = '{"message":"this is my first webhook"}'
wrk.headers["Content-Type"] = "application/json"
-- wrk runs for its whole -d even when a thread stops: write the answers seen and leave.
response = function(status, headers, body)
  if status == 200 then ok = ok + 1 else bad = bad + 1 end
  if ok + bad >= limit then
    local f = io.open("$work/capped.out", "w")
    f:write(ok, " ", bad, "\\n")
    f:close()
    os.exit(0)
  end
end
LUA
}

# Starts nats-server (fresh store), and the EventSource with N endpoints; sets es_pid, hook_port,
# mon_port.
start_bus_and_es() { # tag n
  mon_port=$(free_port); hook_port=$(free_port)
  nats_store="$work/js.$1" start_nats -m "$mon_port"
  es_yaml "$hook_port" "$2" >"$work/es.$1.yaml"
  "$bin" eventsource -f "$work/es.$1.yaml" --bus "nats://127.0.0.1:$nats_port" --metrics-port 0 \
    >"$work/es.$1.log" 2>&1 &
  es_pid=$!; pids+=("$es_pid")
  wait_port "$hook_port"
  wait_200 "$hook_port" /e001
}

sensor_row() { # n
  local n=$1 tag="sensor$1" events sink_port sensor_pid idle threads bad ok want
  events=$(( (total + n - 1) / n ))
  start_bus_and_es "$tag" 1
  sink_port=$(free_port)
  "$sink" "$sink_port" >"$work/sink.$tag" 2>&1 &
  local sink_pid=$!; pids+=("$sink_pid")
  wait_port "$sink_port"
  sensor_yaml "$n" "$sink_port" >"$work/$tag.yaml"
  "$bin" sensor -f "$work/$tag.yaml" --bus "nats://127.0.0.1:$nats_port" --metrics-port 0 \
    >"$work/$tag.log" 2>&1 &
  sensor_pid=$!; pids+=("$sensor_pid")
  wait_line "$work/$tag.log" "Sensor subscribed to the event bus"
  sleep 1
  idle=$(rss_kb "$sensor_pid"); threads=$(threads_of "$sensor_pid")
  write_capped_lua "$events"
  local cpu0; cpu0=$(cpu_s "$sensor_pid")
  rm -f "$work/capped.out"
  wrk -t1 -c32 -d120s -s "$work/capped.lua" "http://127.0.0.1:$hook_port/e001" >"$work/wrk.$tag"
  read -r ok bad <"$work/capped.out"
  want=$((ok * n))
  wait_sink "$sink_port" "$want" || true
  local peak cpu; peak=$(peak_rss_kb "$sensor_pid")
  cpu=$(python3 -c "print(f'{$(cpu_s "$sensor_pid") - $cpu0:.1f}')")
  bench_stop "$sink_pid"
  local count first last rate
  read -r count first last _ _ <"$work/sink.$tag"
  rate=$(python3 -c "d=($last-$first)/1e9; print(f'{($count/d if d > 0 else 0):.0f}')")
  echo "scale sensor triggers=$n events=$ok (non-2xx $bad) trigger-requests=$count/$want" \
    "trigger-req/s=$rate events/s=$((rate / n)) rss-idle=${idle}kB rss-peak=${peak}kB threads=$threads" \
    "sensor-cpu=${cpu}s"
  [ "$count" -ge "$want" ] || { echo "FAIL: $((want - count)) trigger requests never reached the sink" >&2; fail=1; }
  bench_stop "$sensor_pid"; bench_stop "$es_pid"; bench_stop "$nats_pid"
}

eventsource_row() { # n
  local n=$1 tag="es$1" idle threads reqs bad ok stored
  start_bus_and_es "$tag" "$n"
  sleep 1
  idle=$(rss_kb "$es_pid"); threads=$(threads_of "$es_pid")
  write_spread_lua "$n"
  local es_cpu0 nats_cpu0; es_cpu0=$(cpu_s "$es_pid"); nats_cpu0=$(cpu_s "$nats_pid")
  wrk -t1 -c64 -d"${duration}s" --latency -s "$work/spread.lua" "http://127.0.0.1:$hook_port" >"$work/wrk.$tag"
  reqs=$(wrk_reqs "$work/wrk.$tag"); bad=$(wrk_non2xx "$work/wrk.$tag"); ok=$((reqs - bad))
  stored=$(stream_last_seq "$mon_port")
  local cpu; cpu=$(python3 -c "print(f'es {$(cpu_s "$es_pid") - $es_cpu0:.1f}s nats {$(cpu_s "$nats_pid") - $nats_cpu0:.1f}s')")
  echo "scale eventsource endpoints=$n req/s=$(wrk_rps "$work/wrk.$tag") p50=$(wrk_pct "$work/wrk.$tag" 50%)" \
    "p99=$(wrk_pct "$work/wrk.$tag" 99%) non-2xx=$bad rss-idle=${idle}kB rss-peak=$(peak_rss_kb "$es_pid")kB threads=$threads" \
    "cpu=$cpu"
  [ "$stored" -ge "$ok" ] || { echo "FAIL: stream holds $stored events for $ok answers 200" >&2; fail=1; }
  bench_stop "$es_pid"; bench_stop "$nats_pid"
}

echo "scale machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ), load$(uptime | sed 's/.*load average//')"
for n in $sizes; do sensor_row "$n"; done
for n in $sizes; do eventsource_row "$n"; done
exit $fail
