#!/usr/bin/env bash
# Webhook ingest benchmark: wrk POSTs the demo body at the webhook EventSource (cevents, with a
# real nats-server -js behind it, every 200 backed by a JetStream ack), then at a bare
# libmicrohttpd server that only answers 200 (the ceiling), in the same run on the same machine.
# A second reference is the bus's own ceiling: a bare cnats client publishing messages of the
# same size to the same nats-server asynchronously, as many awaiting their ack as wrk has
# connections. Prints requests/s, both ratios, p50/p99 latency, peak RSS of cevents and of
# nats-server, checks that the stream holds at least one message per 200, and ends with one
# summary line to paste into bench/RESULTS.md.
#
# CE_BENCH_BASE_BIN=path/to/another/cevents also measures that binary (an earlier build) the
# same way in the same run, for a before/after comparison.
#
# usage: bench/webhook-ingest.sh [DURATION_S] [CONNECTIONS] [WRK_THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-15}
conns=${2:-64}
threads=${3:-1}
build=${BUILD:-build}
bin=$build/cevents
bare=$build/ce_bare_httpd
jspub=$build/ce_bare_jspub
. bench/lib.sh
bench_require "$bin" "$bare" "$jspub"
bench_begin bench

mon_port=$(free_port); hook_port=$(free_port); bare_port=$(free_port)
start_nats -m "$mon_port"

# Starts the webhook EventSource of binary $1 on port $2 (log $3); sets es_pid once it answers.
start_es() {
  write_webhook_es "$2"
  "$1" eventsource -f "$work/es.yaml" --bus "nats://127.0.0.1:$nats_port" --metrics-port 0 ${CE_BENCH_ES_ARGS:-} \
    >"$3" 2>&1 &
  es_pid=$!; pids+=("$es_pid")
  wait_port "$2"
  for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -d '{}' -H 'Content-Type: application/json' \
           "http://127.0.0.1:$2/example" || true)
    [ "$code" = 200 ] && break; sleep 0.1
  done
  [ "$code" = 200 ] || { echo "webhook never answered 200" >&2; tail "$3" >&2; exit 1; }
}
start_es "$bin" "$hook_port" "$work/es.log"

"$bare" "$bare_port" & bare_pid=$!; pids+=("$bare_pid")
wait_port "$bare_port"

write_post_lua

run_wrk() { # url out
  wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -s "$work/post.lua" "$1" >"$2"
}
rps_of() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
pct_of() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
reqs_of() { awk '/requests in/ {print $1}' "$1"; }
non2xx_of() { awk '/Non-2xx/ {print $5}' "$1"; }

es_cpu0=$(cpu_s "$es_pid"); nats_cpu0=$(cpu_s "$nats_pid")
run_wrk "http://127.0.0.1:$hook_port/example" "$work/cevents.txt"
es_cpu=$(python3 -c "print(f'{$(cpu_s "$es_pid") - $es_cpu0:.1f}')")
nats_cpu=$(python3 -c "print(f'{$(cpu_s "$nats_pid") - $nats_cpu0:.1f}')")
es_rss=$(peak_rss_kb "$es_pid")
jsz() { # python expression over the stream states s
  curl -s "http://127.0.0.1:$mon_port/jsz?streams=true" | python3 -c "import json,sys; d=json.load(sys.stdin); ss=[s['state'] for a in d.get('account_details',[]) for s in a.get('stream_detail',[])]; print($1)"
}
stream_msgs=$(jsz 'sum(s["last_seq"] for s in ss)')
# The bus's ceiling: the same nats-server, messages of the size cevents stored, as many in
# flight as wrk's connections.
event_bytes=$(jsz 'max(1, sum(s["bytes"] for s in ss) // max(1, sum(s["messages"] for s in ss)))')
run_wrk "http://127.0.0.1:$bare_port/example" "$work/bare.txt"
base_line=""
if [ -n "${CE_BENCH_BASE_BIN:-}" ]; then
  kill "$es_pid"; wait "$es_pid" 2>/dev/null || true
  base_port=$(free_port)
  start_es "$CE_BENCH_BASE_BIN" "$base_port" "$work/es-base.log"
  base_cpu0=$(cpu_s "$es_pid")
  run_wrk "http://127.0.0.1:$base_port/example" "$work/base.txt"
  base_cpu=$(python3 -c "print(f'{$(cpu_s "$es_pid") - $base_cpu0:.1f}')")
  base_us=$(python3 -c "print(f'{$base_cpu * 1e6 / max(1, $(reqs_of "$work/base.txt")):.1f}')")
  base_line="$(rps_of "$work/base.txt") req/s  p50 $(pct_of "$work/base.txt" 50%)  p99 $(pct_of "$work/base.txt" 99%)  CPU $base_cpu s ($base_us us per request)  peak RSS $(peak_rss_kb "$es_pid") kB"
  kill "$es_pid"; wait "$es_pid" 2>/dev/null || true
fi

nats_cpu1=$(cpu_s "$nats_pid")
"$jspub" "nats://127.0.0.1:$nats_port" default.bare.bench "$duration" "$conns" "$event_bytes" >"$work/jspub.txt"
jspub_nats_cpu=$(python3 -c "print(f'{$(cpu_s "$nats_pid") - $nats_cpu1:.1f}')")
j_rate=$(awk '{print $6}' "$work/jspub.txt")

c_rps=$(rps_of "$work/cevents.txt"); b_rps=$(rps_of "$work/bare.txt")
c_reqs=$(reqs_of "$work/cevents.txt"); c_bad=$(non2xx_of "$work/cevents.txt"); c_bad=${c_bad:-0}
ratio=$(python3 -c "print(f'{$c_rps/$b_rps:.2f}')")
jratio=$(python3 -c "print(f'{$c_rps/$j_rate:.2f}')")
ok=$((c_reqs - c_bad))
us_per_req=$(python3 -c "print(f'{$es_cpu * 1e6 / max(1, $c_reqs):.1f}')")
nats_us_per_req=$(python3 -c "print(f'{$nats_cpu * 1e6 / max(1, $c_reqs):.1f}')")

cat <<OUT
machine:            $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ)
load:               wrk -t$threads -c$conns -d${duration}s, body $(wc -c <<<'{"message":"this is my first webhook"}') bytes
cevents webhook:    $c_rps req/s  p50 $(pct_of "$work/cevents.txt" 50%)  p99 $(pct_of "$work/cevents.txt" 99%)  non-2xx $c_bad
bare libmicrohttpd: $b_rps req/s  p50 $(pct_of "$work/bare.txt" 50%)  p99 $(pct_of "$work/bare.txt" 99%)
bare cnats publish: $(cat "$work/jspub.txt") ($event_bytes-byte messages, $conns in flight; nats-server CPU $jspub_nats_cpu s)
ratio to ceiling:   $ratio (bare HTTP server), $jratio (bare JetStream publisher)${base_line:+
base binary:        $base_line}
CPU seconds:        cevents $es_cpu s, nats-server $nats_cpu s (of ${duration}s x $(nproc) cores, wrk takes the rest): $us_per_req and $nats_us_per_req us per request
peak RSS:           cevents $es_rss kB, nats-server $(peak_rss_kb "$nats_pid") kB
acked events:       $ok answered 200 (plus 1 warm-up); stream stored $stream_msgs messages (last sequence; old ones may be discarded past maxMsgs)
OUT
echo "summary: $(date -u +%F) cevents ${c_rps} req/s p50 $(pct_of "$work/cevents.txt" 50%) p99 $(pct_of "$work/cevents.txt" 99%) | bare HTTP ${b_rps} req/s ratio $ratio | bare JetStream ${j_rate} msgs/s ratio $jratio | CPU per request cevents ${us_per_req} us nats-server ${nats_us_per_req} us | RSS cevents $es_rss kB ${base_line:+ | base binary $(rps_of "$work/base.txt") req/s $base_us us per request} | load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$stream_msgs" -lt "$ok" ]; then
  echo "FAIL: fewer messages stored on the stream than 200 answers" >&2
  exit 1
fi
