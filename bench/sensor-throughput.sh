#!/usr/bin/env bash
# End-to-end benchmark: webhook EventSource → JetStream (a real nats-server -js) → Sensor →
# HTTP trigger → a local sink (ce_sink_httpd), in one run on one machine.
#   1. reference: wrk straight at a sink, the ceiling of the HTTP hop alone;
#   2. fixed rate: bench/pace.py sends RATE events/s stamped with their send time; the sink
#      records send → receive latency (p50/p99);
#   3. full speed: wrk at the webhook; events/s as the sink receives them, and its ratio to the
#      reference;
#   4. peak RSS of the Sensor with 1 dependency, and of a Sensor with 50 dependencies (all on
#      the same event, joined by &&) after the same number of events;
#   5. the Sensor alone at full speed: events stored while it is down (wrk for DRAIN_S
#      seconds), then taken by a fresh start; events/s as the sink receives them (first to
#      last), so the webhook's ingest rate is not what is measured. Three runs, each on its own
#      nats-server: one worker (--trigger-workers 1, how the Sensor ran before the worker pool)
#      with atLeastOnce false, then the default pool with atLeastOnce false and with true.
# The run fails when an event answered 200 never reaches the sink.
#
# usage: bench/sensor-throughput.sh [FULL_SPEED_S] [RATE] [RATE_S] [DRAIN_S]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-3}
rate=${2:-500}
rate_s=${3:-10}
drain_s=${4:-2}
build=${BUILD:-build}
bin=$build/cevents
sink=$build/ce_sink_httpd
. bench/lib.sh
bench_require "$bin" "$sink"
bench_begin sbench


hook_port=$(free_port); sink_port=$(free_port); ref_port=$(free_port)
start_nats
bus="nats://127.0.0.1:$nats_port"

write_webhook_es "$hook_port"

# sensor_yaml NAME DEPS [ATLEASTONCE]: DEPS dependencies on the same event, all needed (&&), one
# HTTP trigger whose payload carries the send time and the message.
sensor_yaml() {
  local name=$1 deps=$2 alo=${3:-false} conds="" i
  printf 'apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata:\n  name: %s\nspec:\n  dependencies:\n' "$name"
  for i in $(seq 1 "$deps"); do
    printf '  - name: dep%02d\n    eventSourceName: webhook\n    eventName: example\n' "$i"
    conds="$conds${conds:+ && }dep$(printf %02d "$i")"
  done
  cat <<YAML
  triggers:
  - template:
      name: to-sink
      conditions: "$conds"
      http:
        url: http://127.0.0.1:$sink_port/sink
        method: POST
        payload:
        - src: {dependencyName: dep01, dataKey: body.t, useRawData: true, value: "0"}
          dest: t
        - src: {dependencyName: dep01, dataKey: body.message}
          dest: message
    atLeastOnce: $alo
YAML
}

start_sink() {
  "$sink" "$sink_port" >"$work/sink.$1" 2>&1 &
  sink_pid=$!; pids+=("$sink_pid")
  wait_port "$sink_port"
}
# Stops the sink; its summary line is then in $work/sink.<tag>.
stop_sink() { kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; }

start_sensor() { # name deps
  sensor_yaml "$1" "$2" >"$work/$1.yaml"
  "$bin" sensor -f "$work/$1.yaml" --bus "$bus" --metrics-port 0 >"$work/$1.log" 2>&1 &
  sensor_pid=$!; pids+=("$sensor_pid")
  wait_line "$work/$1.log" "Sensor subscribed to the event bus"
}

write_post_lua

# 1. the reference: the HTTP hop alone
"$sink" "$ref_port" >"$work/sink.ref" 2>&1 &
ref_pid=$!; pids+=("$ref_pid")
wait_port "$ref_port"
wrk -t1 -c16 -d"${duration}s" -s "$work/post.lua" "http://127.0.0.1:$ref_port/sink" >"$work/ref.txt"
ref_rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/ref.txt")

start_sensor one 1
"$bin" eventsource -f "$work/es.yaml" --bus "$bus" --metrics-port 0 >"$work/es.log" 2>&1 &
pids+=($!)
wait_port "$hook_port"

# 2. fixed rate, latency from the send to the sink
start_sink paced
read -r paced_ok paced_bad paced_late < <(python3 bench/pace.py "http://127.0.0.1:$hook_port/example" "$rate" "$rate_s" 8)
wait_sink "$sink_port" "$paced_ok" || true
stop_sink paced
read -r p_count _ _ p50 p99 <"$work/sink.paced"

# 3. full speed
start_sink full
wrk -t1 -c32 -d"${duration}s" -s "$work/post.lua" "http://127.0.0.1:$hook_port/example" >"$work/full.txt"
full_reqs=$(awk '/requests in/ {print $1}' "$work/full.txt")
full_bad=$(awk '/Non-2xx/ {print $5}' "$work/full.txt"); full_bad=${full_bad:-0}
full_ok=$((full_reqs - full_bad))
wait_sink "$sink_port" "$full_ok" || true
stop_sink full
read -r f_count f_first f_last _ _ <"$work/sink.full"
f_rps=$(python3 -c "d=($f_last-$f_first)/1e9; print(f'{($f_count/d if d > 0 else 0):.0f}')")
ratio=$(python3 -c "print(f'{$f_rps/$ref_rps:.2f}')")
rss_one=$(peak_rss_kb "$sensor_pid")
kill "$sensor_pid"; wait "$sensor_pid" 2>/dev/null || true

# 4. 50 dependencies, same number of events as the fixed-rate run
start_sink fifty
start_sensor fifty 50
read -r fifty_ok _ _ < <(python3 bench/pace.py "http://127.0.0.1:$hook_port/example" "$rate" "$rate_s" 8)
wait_sink "$sink_port" "$fifty_ok" || true
stop_sink fifty
read -r fifty_count _ _ _ _ <"$work/sink.fifty"
rss_fifty=$(peak_rss_kb "$sensor_pid")
kill "$sensor_pid"; wait "$sensor_pid" 2>/dev/null || true

# 5. the Sensor alone: a backlog stored while it is down, taken at full speed. Each run has its
# own nats-server and EventSource, so no earlier consumer's backlog holds the webhook back.
# drain NAME ATLEASTONCE WORKERS: sets d_ok (answered 200), d_count (at the sink), d_rps.
drain() {
  local name=$1 alo=$2 workers=$3 np hp dpids=()
  np=$(free_port); hp=$(free_port)
  nats-server -js -a 127.0.0.1 -p "$np" -sd "$work/js-$name" >"$work/nats-$name.log" 2>&1 &
  dpids+=($!); pids+=($!)
  wait_port "$np"
  write_webhook_es "$hp"
  "$bin" eventsource -f "$work/es.yaml" --bus "nats://127.0.0.1:$np" --metrics-port 0 \
    >"$work/es-$name.log" 2>&1 &
  dpids+=($!); pids+=($!)
  wait_port "$hp"
  sensor_yaml "$name" 1 "$alo" >"$work/$name.yaml"
  local run=("$bin" sensor -f "$work/$name.yaml" --bus "nats://127.0.0.1:$np" --metrics-port 0
    --trigger-workers "$workers")
  "${run[@]}" >"$work/$name.0.log" 2>&1 & # makes the durable consumer, then stops
  local sp=$!; pids+=("$sp")
  wait_line "$work/$name.0.log" "Sensor subscribed to the event bus"
  kill "$sp"; wait "$sp" 2>/dev/null || true
  wrk -t1 -c32 -d"${drain_s}s" -s "$work/post.lua" "http://127.0.0.1:$hp/example" >"$work/$name.wrk"
  local reqs bad
  reqs=$(awk '/requests in/ {print $1}' "$work/$name.wrk")
  bad=$(awk '/Non-2xx/ {print $5}' "$work/$name.wrk"); bad=${bad:-0}
  d_ok=$((reqs - bad))
  start_sink "$name"
  "${run[@]}" >"$work/$name.1.log" 2>&1 &
  sp=$!; pids+=("$sp"); dpids+=("$sp")
  wait_sink "$sink_port" "$d_ok" || true
  stop_sink "$name"
  local first last
  read -r d_count first last _ _ <"$work/sink.$name"
  d_rps=$(python3 -c "d=($last-$first)/1e9; print(f'{($d_count/d if d > 0 else 0):.0f}')")
  for p in "${dpids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
drain drain1 false 1; s_ok=$d_ok s_count=$d_count s_rps=$d_rps
drain drainf false 8; f8_ok=$d_ok f8_count=$d_count f8_rps=$d_rps
drain draint true 8; t8_ok=$d_ok t8_count=$d_count t8_rps=$d_rps
ratio_of() { python3 -c "print(f'{$1/$ref_rps:.2f}')"; }

cat <<OUT
machine:              $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ)
reference (sink):     $ref_rps req/s (wrk -t1 -c16 straight at the sink)
fixed rate:           $rate ev/s for ${rate_s}s: $paced_ok answered 200 ($paced_bad not), sender late by at most ${paced_late} ms
  delivered:          $p_count at the sink; latency POST → sink p50 ${p50} us, p99 ${p99} us
full speed:           wrk -t1 -c32 -d${duration}s: $full_ok answered 200 ($full_bad not)
  delivered:          $f_count at the sink, $f_rps ev/s end to end
  ratio to reference: $ratio
sensor peak RSS:      1 dependency $rss_one kB; 50 dependencies $rss_fifty kB ($fifty_count of $fifty_ok events delivered)
sensor alone (a backlog of wrk -c32 -d${drain_s}s taken at full speed), ev/s and ratio to reference:
  1 worker, atLeastOnce false:  $s_count of $s_ok, $s_rps ev/s, ratio $(ratio_of "$s_rps")
  8 workers, atLeastOnce false: $f8_count of $f8_ok, $f8_rps ev/s, ratio $(ratio_of "$f8_rps")
  8 workers, atLeastOnce true:  $t8_count of $t8_ok, $t8_rps ev/s, ratio $(ratio_of "$t8_rps")
summary: ref $ref_rps req/s | paced p50 ${p50} us p99 ${p99} us | full speed $f_rps ev/s ($ratio) | alone 1w/false $s_rps ($(ratio_of "$s_rps")) 8w/false $f8_rps ($(ratio_of "$f8_rps")) 8w/true $t8_rps ($(ratio_of "$t8_rps")) | RSS $rss_one/$rss_fifty kB | load $(cut -d' ' -f1-3 /proc/loadavg)
OUT
fail=0
[ "$p_count" -ge "$paced_ok" ] || { echo "FAIL: $((paced_ok - p_count)) paced events never reached the sink" >&2; fail=1; }
[ "$f_count" -ge "$full_ok" ] || { echo "FAIL: $((full_ok - f_count)) full-speed events never reached the sink" >&2; fail=1; }
[ "$fifty_count" -ge "$fifty_ok" ] || { echo "FAIL: $((fifty_ok - fifty_count)) events never reached the sink with 50 dependencies" >&2; fail=1; }
for r in "s 1-worker" "f8 atLeastOnce-false" "t8 atLeastOnce-true"; do
  set -- $r; ok_v=${1}_ok; cnt_v=${1}_count
  [ "${!cnt_v}" -ge "${!ok_v}" ] || { echo "FAIL: $((${!ok_v} - ${!cnt_v})) backlog events never reached the sink ($2)" >&2; fail=1; }
done
exit $fail
