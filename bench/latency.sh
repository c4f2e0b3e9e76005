#!/usr/bin/env bash
# Latency benchmark: webhook EventSource → JetStream (a real nats-server -js) → Sensor → HTTP
# trigger → a local sink (ce_sink_httpd), at a fixed rate (bench/pace.py, default 1 000 events/s
# for 10 s over 8 kept-alive connections). Latency is from the sender's stamp (before its POST)
# to the sink reading the trigger's request: p50, p99, p99.9.
#   0. reference: the same load straight at the sink (the sender and one HTTP hop, no cevents);
#   1. headline: every process at its default log level;
#   2. breakdown: the same load with the Sensor at debug level, so that its "received an event"
#      line stamps when the Sensor had the event; the other stamps are the CloudEvent's time (the
#      EventSource made it), JetStream's stored time (read back from the stream), the
#      EventSource's publish line (the ack came back) and the Sensor's trigger line (the answer
#      came back). bench/latency_join.py joins them by event id and prints each part.
# The run fails when an event answered 200 never reaches the sink.
#
# usage: bench/latency.sh [RATE] [SECONDS] [CONNS]
set -euo pipefail
cd "$(dirname "$0")/.."

rate=${1:-1000}
secs=${2:-10}
conns=${3:-8}
build=${BUILD:-build}
bin=$build/cevents
sink=$build/ce_sink_httpd
. bench/lib.sh
for f in "$bin" "$sink"; do [ -x "$f" ] || { echo "build first: make bench (CE_BUILD_BENCH=ON)" >&2; exit 1; }; done
bench_begin latency

hook_port=$(free_port); sink_port=$(free_port)
start_nats
bus="nats://127.0.0.1:$nats_port"
write_webhook_es "$hook_port"
cat >"$work/sensor.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: latency
spec:
  dependencies:
  - name: dep
    eventSourceName: webhook
    eventName: example
  triggers:
  - template:
      name: to-sink
      http:
        url: http://127.0.0.1:$sink_port/sink
        method: POST
        payload:
        - src: {dependencyName: dep, dataKey: body.t, useRawData: true, value: "0"}
          dest: t
        - src: {dependencyName: dep, contextKey: id}
          dest: id
YAML

start_sink() { # tag
  "$sink" "$sink_port" "$work/sink.$1" >"$work/sink-$1.log" 2>&1 &
  sink_pid=$!; pids+=("$sink_pid")
  wait_port "$sink_port"
}
stop_sink() { kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; }
start_sensor() { # tag extra-flags...
  local tag=$1; shift
  "$bin" sensor -f "$work/sensor.yaml" --bus "$bus" --metrics-port 0 "$@" >"$work/sensor-$tag.log" 2>&1 &
  sensor_pid=$!; pids+=("$sensor_pid")
  wait_line "$work/sensor-$tag.log" "Sensor subscribed to the event bus"
}
stop_sensor() { kill "$sensor_pid"; wait "$sensor_pid" 2>/dev/null || true; }
# One paced run into a fresh sink; sets ok, bad, late, delivered.
paced() { # tag
  start_sink "$1"
  read -r ok bad late < <(python3 bench/pace.py "http://127.0.0.1:$hook_port/example" "$rate" "$secs" "$conns")
  wait_sink "$sink_port" "$ok" || true
  delivered=$(sink_count "$sink_port")
  stop_sink
  [ "$delivered" -ge "$ok" ] || { echo "FAIL: $((ok - delivered)) events answered 200 never reached the sink ($1)" >&2; exit 1; }
}

"$bin" eventsource -f "$work/es.yaml" --bus "$bus" --metrics-port 0 >"$work/es.log" 2>&1 &
pids+=($!)
wait_port "$hook_port"

# the reference: the same load straight at the sink (the sender and one HTTP hop)
start_sink ref
python3 bench/pace.py "http://127.0.0.1:$sink_port/sink" "$rate" "$secs" "$conns" >/dev/null
stop_sink
python3 bench/latency_join.py --direct "$work/sink.ref" >"$work/parts.ref"

# warm-up (connections, the consumer, page cache), not counted
start_sensor info
start_sink warm
read -r ok _ _ < <(python3 bench/pace.py "http://127.0.0.1:$hook_port/example" "$rate" 2 "$conns")
wait_sink "$sink_port" "$ok" || true # every warm-up event delivered before the measured run
stop_sink

paced info
a_ok=$ok a_bad=$bad a_late=$late
python3 bench/latency_join.py "$work/sink.info" "$work/es.log" "$work/sensor-info.log" "$nats_port" >"$work/parts.info"
stop_sensor

start_sensor debug --log-level debug
paced debug
python3 bench/latency_join.py "$work/sink.debug" "$work/es.log" "$work/sensor-debug.log" "$nats_port" >"$work/parts.debug"

# ms of column $3 (p50, p99, p99.9) of the part whose line starts with $2, in file $1
part() { awk -v p="$2" -v f="$3" 'index($0, p) == 1 {for (i = 1; i <= NF; i++) if ($i == f) {printf "%.2f", $(i + 1) / 1000; exit}}' "$1"; }
total() { part "$1" total "$2"; }
cat <<OUT
machine:    $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)
load:       pace.py $rate ev/s for ${secs}s over $conns connections: $a_ok answered 200 ($a_bad not), sender late by at most ${a_late} ms
reference (pace.py straight at the sink, the same load), microseconds:
$(sed 's/^/  /' "$work/parts.ref")
headline (default log levels), microseconds:
$(sed 's/^/  /' "$work/parts.info")
breakdown (Sensor at debug level, its events joined with every stamp), microseconds:
$(sed 's/^/  /' "$work/parts.debug")
summary: webhook -> HTTP trigger at $rate ev/s: p50 $(total "$work/parts.info" p50) ms, p99 $(total "$work/parts.info" p99) ms, p99.9 $(total "$work/parts.info" p99.9) ms ($a_ok events, all delivered); reference without cevents p50 $(part "$work/parts.ref" reference p50) ms, p99 $(part "$work/parts.ref" reference p99) ms; p50/p99 ms of made->stored $(part "$work/parts.debug" "made->stored" p50)/$(part "$work/parts.debug" "made->stored" p99), stored->fetched $(part "$work/parts.debug" "stored->fetched (" p50)/$(part "$work/parts.debug" "stored->fetched (" p99), fetched->sunk $(part "$work/parts.debug" "fetched->sunk" p50)/$(part "$work/parts.debug" "fetched->sunk" p99)
OUT
