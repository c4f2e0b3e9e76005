#!/usr/bin/env bash
# Kafka ingest benchmark: N small JSON messages on a topic of librdkafka's mock cluster
# (build/tests/kafka_mock), read by the Kafka EventSource in a consumer group (every offset
# committed only after JetStream acknowledged its event, a real nats-server -js behind it), then
# by a bare librdkafka consumer (ce_kafka_bare_consumer) in another group, and by the same consumer
# publishing each value to JetStream (a bridge without event data, commits after acks or logs),
# in the same run on the same machine. Rates count from the first message to the last, so the group's join (3 s on the
# mock) is left out of both. Checks that the stream holds one event per message.
#
# usage: bench/kafka-ingest.sh [MESSAGES] [PARTITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-200000}
parts=${2:-4}
build=${BUILD:-build}
bin=$build/cevents
mock=$build/tests/kafka_mock
bare=$build/ce_kafka_bare_consumer
. bench/lib.sh
for f in "$bin" "$mock" "$bare"; do
  [ -x "$f" ] || { echo "build first: cmake --build $build --target cevents kafka_mock ce_kafka_bare_consumer (configure with -DCE_BUILD_BENCH=ON)" >&2; exit 1; }
done
command -v kcat >/dev/null || { echo "kcat missing: scripts/install-deps.sh" >&2; exit 1; }
bench_begin kafka

"$mock" -b 1 "bench:$parts" >"$work/mock.out" 2>"$work/mock.err" &
pids+=("$!")
for _ in $(seq 1 100); do [ -s "$work/mock.out" ] && break; sleep 0.05; done
bs=$(head -1 "$work/mock.out")

python3 -c "
import sys
with open('$work/lines', 'w') as f:
    for i in range($n):
        f.write('{\"order\":%d,\"amount\":%d}\n' % (i, i % 97))"
kcat -P -q -b "$bs" -t bench -l "$work/lines"

mon_port=$(free_port)
start_nats -m "$mon_port"
last_seq() {
  curl -s "http://127.0.0.1:$mon_port/jsz?streams=true" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(s["state"]["last_seq"] for a in d.get("account_details",[]) for s in a.get("stream_detail",[])))'
}

cat >"$work/es.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: kafka
spec:
  kafka:
    bench:
      url: "$bs"
      topic: bench
      jsonBody: true
      consumerGroup:
        groupName: cevents-bench
        oldest: true
YAML
"$bin" eventsource -f "$work/es.yaml" --bus "nats://127.0.0.1:$nats_port" --metrics-port 0 \
  ${CE_BENCH_ES_ARGS:-} >"$work/es.log" 2>&1 &
es_pid=$!; pids+=("$es_pid")

# The stream's last sequence, polled every 20 ms by one process: the time from the first event to
# the nth, and the EventSource's CPU over it.
read -r c_secs es_cpu < <(python3 - "$mon_port" "$n" "$es_pid" "$(getconf CLK_TCK)" <<'PY'
import json, sys, time, urllib.request
port, n, pid, hz = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def last_seq():
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/jsz?streams=true") as r:
        d = json.load(r)
    return sum(s["state"]["last_seq"] for a in d.get("account_details", [])
               for s in a.get("stream_detail", []))
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz
first = cpu0 = None
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    s = last_seq()
    if first is None and s >= 1:
        first, cpu0 = time.monotonic(), cpu()
    if s >= n:
        print(f"{time.monotonic() - first:.3f} {cpu() - cpu0:.1f}")
        sys.exit(0)
    time.sleep(0.02)
print(f"FAIL {s}", file=sys.stderr)
sys.exit(1)
PY
) || { echo "FAIL: not every event was stored" >&2; tail "$work/es.log" >&2; exit 1; }
c_rate=$(python3 -c "print(f'{($n - 1) / $c_secs:.0f}')")
es_rss=$(peak_rss_kb "$es_pid")
kill "$es_pid" 2>/dev/null || true

stored=$(last_seq)
read -r _ b_n _ b_secs _ b_rate < <("$bare" "$bs" bench bare-bench "$n")
read -r _ j_n _ j_secs _ j_rate < <("$bare" "$bs" bench bare-bridge "$n" "nats://127.0.0.1:$nats_port")
ratio=$(python3 -c "print(f'{$c_rate/$b_rate:.2f}')")
j_ratio=$(python3 -c "print(f'{$c_rate/$j_rate:.2f}')")

cat <<OUT
machine:            $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ)
load:               $n messages of ~30 bytes on $parts partitions (mock cluster, 1 broker)
cevents kafka:      $c_rate events/s stored ($c_secs s first to last), jsonBody, consumer group
bare librdkafka:    $b_rate messages/s read ($b_secs s first to last, $b_n messages)
bare bridge:        $j_rate messages/s read and stored in JetStream ($j_secs s, $j_n messages)
ratio to bare read: $ratio
ratio to bridge:    $j_ratio
cevents CPU:        $es_cpu s, peak RSS $es_rss kB
stored:             $stored events on the stream
OUT
if [ "$stored" -ne "$n" ]; then
  echo "FAIL: the stream holds $stored events for $n messages" >&2
  exit 1
fi
