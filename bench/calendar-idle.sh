#!/usr/bin/env bash
# Calendar idle benchmark: one EventSource with 100 calendar schedules (none due during the run)
# against a reference EventSource with one webhook event, both connected to the same real
# nats-server -js and measured over the same window. Reads /proc: CPU time of every thread
# (schedstat, nanoseconds), context switches (wake-ups), and resident memory. Prints both and
# the calendar/webhook ratios.
#
# usage: bench/calendar-idle.sh [DURATION_S] [SCHEDULES]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-20}
schedules=${2:-100}
build=${BUILD:-build}
bin=$build/cevents
. bench/lib.sh
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
bench_begin calendar-idle

# CPU nanoseconds of every thread of a process.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%d", s}'; }
# Context switches (voluntary + involuntary) of every thread: how often it woke up.
ctx_sw() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {printf "%d", s}'; }
rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$1"/status; }
threads() { ls /proc/"$1"/task | wc -l; }

start_nats
bus="nats://127.0.0.1:$nats_port"

# Schedules at distinct times of the night, hours away from any run of a few seconds unless the
# machine's clock sits right there; each event also has metadata and catch-up.
{
  printf 'apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata:\n  name: calendar-idle\nspec:\n  calendar:\n'
  for i in $(seq 0 $((schedules - 1))); do
    printf '    tick-%03d:\n      schedule: "%d %d * * *"\n      timezone: UTC\n' "$i" $((i % 60)) $((3 + i / 60))
    printf '      metadata: {n: "%d"}\n      persistence: {catchup: {enabled: true, maxDuration: 1h}}\n' "$i"
  done
} >"$work/calendar.yaml"
hook_port=$(free_port)
write_webhook_es "$hook_port"

"$bin" eventsource -f "$work/calendar.yaml" --bus "$bus" --metrics-port 0 >"$work/cal.log" 2>&1 &
cal_pid=$!; pids+=("$cal_pid")
"$bin" eventsource -f "$work/es.yaml" --bus "$bus" --metrics-port 0 >"$work/hook.log" 2>&1 &
hook_pid=$!; pids+=("$hook_pid")
wait_port "$hook_port"
for _ in $(seq 1 100); do grep -q 'Eventing server started' "$work/cal.log" && break; sleep 0.1; done
grep -q 'Eventing server started' "$work/cal.log" || { echo "calendar never started" >&2; tail "$work/cal.log" >&2; exit 1; }
sleep 2 # past the start-up work (catch-up reads of the records)

c_cpu0=$(cpu_ns "$cal_pid"); h_cpu0=$(cpu_ns "$hook_pid")
c_sw0=$(ctx_sw "$cal_pid"); h_sw0=$(ctx_sw "$hook_pid")
sleep "$duration"
c_cpu=$(( $(cpu_ns "$cal_pid") - c_cpu0 )); h_cpu=$(( $(cpu_ns "$hook_pid") - h_cpu0 ))
c_sw=$(( $(ctx_sw "$cal_pid") - c_sw0 )); h_sw=$(( $(ctx_sw "$hook_pid") - h_sw0 ))
c_rss=$(rss_kb "$cal_pid"); h_rss=$(rss_kb "$hook_pid")

published=$(grep -c 'Succeeded to publish' "$work/cal.log" || true)
ratio() { python3 -c "print(f'{$1/max($2,1):.2f}')"; }
pct() { python3 -c "print(f'{$1/($duration*1e9)*100:.3f}')"; }
cat <<OUT
machine:     $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)
window:      ${duration}s, both processes idle on the same nats-server
calendar:    $schedules schedules  CPU $((c_cpu / 1000)) us ($(pct "$c_cpu") % of a core)  wake-ups $c_sw  RSS $c_rss kB  threads $(threads "$cal_pid")  ticks published $published
webhook:     1 event        CPU $((h_cpu / 1000)) us ($(pct "$h_cpu") % of a core)  wake-ups $h_sw  RSS $h_rss kB  threads $(threads "$hook_pid")
ratio:       CPU $(ratio "$c_cpu" "$h_cpu")  wake-ups $(ratio "$c_sw" "$h_sw")  RSS $(ratio "$c_rss" "$h_rss")
OUT
