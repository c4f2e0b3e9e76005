#!/usr/bin/env bash
# MinIO ingest benchmark: the S3 test server (tests/fixtures/s3_server.py) sends N upload
# notifications at once down a listen stream; the minio EventSource publishes each to a real
# nats-server -js. Prints notifications/s from the burst to the last event stored, checks that
# every one was stored, then starts an EventSource listening to 50 buckets and prints its RSS once
# all 50 streams are open.
#
# usage: bench/minio-ingest.sh [NOTIFICATIONS] [BUCKETS]
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-20000}
buckets=${2:-50}
build=${BUILD:-build}
bin=$build/cevents
. bench/lib.sh
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
bench_begin minio

mon_port=$(free_port)
start_nats -m "$mon_port"
mkdir -p "$work/secrets/keys"
printf AK >"$work/secrets/keys/ak"; printf SK >"$work/secrets/keys/sk"

bucket_args=()
for i in $(seq 1 "$buckets"); do bucket_args+=(--bucket "b$i"); done
python3 tests/fixtures/s3_server.py --key AK:SK "${bucket_args[@]}" >"$work/s3.out" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do grep -q PORT "$work/s3.out" 2>/dev/null && break; sleep 0.05; done
s3_port=$(awk '/PORT/ {print $2}' "$work/s3.out")

write_es() { # file buckets
  { printf 'apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata:\n  name: minio\nspec:\n  minio:\n'
    for i in $(seq 1 "$2"); do
      printf '    e%s:\n      bucket: {name: b%s}\n      endpoint: 127.0.0.1:%s\n' "$i" "$i" "$s3_port"
      printf '      events: ["s3:ObjectCreated:*"]\n      insecure: true\n'
      printf '      accessKey: {name: keys, key: ak}\n      secretKey: {name: keys, key: sk}\n'
    done; } >"$1"
}
# Starts the EventSource of $1 on metrics port $2 and waits for /readyz; sets es_pid.
start_es() {
  "$bin" eventsource -f "$1" --bus "nats://127.0.0.1:$nats_port" --metrics-port "$2" \
    --secrets-dir "$work/secrets" >>"$work/es.log" 2>&1 &
  es_pid=$!; pids+=("$es_pid")
  for _ in $(seq 1 400); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2/readyz")" = 200 ] && return 0
    sleep 0.05
  done
  echo "the EventSource never became ready" >&2; tail "$work/es.log" >&2; exit 1
}
last_seq() {
  curl -s "http://127.0.0.1:$mon_port/jsz?streams=true" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(s["state"]["last_seq"] for a in d.get("account_details",[]) for s in a.get("stream_detail",[])))'
}

write_es "$work/one.yaml" 1
start_es "$work/one.yaml" "$(free_port)"
base=$(last_seq)
t0=$(date +%s.%N)
curl -s -X POST "http://127.0.0.1:$s3_port/_control/burst?bucket=b1&n=$n" >/dev/null
for _ in $(seq 1 6000); do
  [ "$(last_seq)" -ge $((base + n)) ] && break; sleep 0.05
done
t1=$(date +%s.%N)
stored=$(( $(last_seq) - base ))
rss1=$(peak_rss_kb "$es_pid")
kill "$es_pid"; wait "$es_pid" 2>/dev/null || true
[ "$stored" -ge "$n" ] || { echo "only $stored of $n notifications stored" >&2; exit 1; }
rate=$(python3 -c "print(f'{$n / ($t1 - $t0):.0f}')")

write_es "$work/many.yaml" "$buckets"
mport=$(free_port)
start_es "$work/many.yaml" "$mport"
sleep 1
rss=$(awk '/VmRSS/ {print $2}' /proc/"$es_pid"/status)
echo "minio ingest: $n notifications in $(python3 -c "print(f'{$t1 - $t0:.2f}')") s = $rate/s, all stored; peak RSS ${rss1} kB"
echo "minio listeners: $buckets buckets listened to, RSS $((rss / 1024)) MB ($rss kB)"
