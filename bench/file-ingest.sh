#!/usr/bin/env bash
# File ingest benchmark: N files created in a burst in a directory watched by the file
# EventSource (one event, CREATE, pathRegexp), with a real nats-server -js (file storage)
# behind it; the clock runs from the first file created until the stream holds one event per
# file. Every event is acknowledged by JetStream and its name recorded in the bus's key-value
# store before the next one. Run with inotify, then with polling: true. The reference is the
# rate at which the script itself creates the files (the producer), measured in the same run.
#
# usage: bench/file-ingest.sh [FILES]
set -euo pipefail
cd "$(dirname "$0")/.."

files=${1:-5000}
build=${BUILD:-build}
bin=$build/cevents
. bench/lib.sh
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
bench_begin file-ingest

mon_port=$(free_port)
start_nats -m "$mon_port"
bus="nats://127.0.0.1:$nats_port"

write_file_es() { # name dir polling
  cat >"$work/$1.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: $1
spec:
  file:
    drop:
      watchPathConfig:
        directory: $2
        pathRegexp: '^f[0-9]+\$'
      eventType: CREATE
      polling: $3
YAML
}

# Creates $files files in $1, then waits until the stream's last sequence reaches $2; prints
# "<create seconds> <ingest seconds>".
burst() { # dir target
  python3 - "$1" "$files" "$2" "$mon_port" <<'PY'
import json, os, sys, time, urllib.request
d, n, target, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def last_seq():
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/jsz?streams=true") as r:
        j = json.load(r)
    return sum(s["state"]["last_seq"] for a in j.get("account_details", []) for s in a.get("stream_detail", []))
t0 = time.monotonic()
for i in range(n):
    with open(os.path.join(d, f"f{i}"), "w") as f:
        f.write("id,qty\n1,3\n")
t1 = time.monotonic()
deadline = t0 + 600
while last_seq() < target:
    if time.monotonic() > deadline:
        sys.exit(f"stream never reached {target}")
    time.sleep(0.02)
print(f"{t1 - t0:.3f} {time.monotonic() - t0:.3f}")
PY
}

run_mode() { # name polling target
  local dir="$work/in-$1"
  mkdir -p "$dir"
  write_file_es "$1" "$dir" "$2"
  "$bin" eventsource -f "$work/$1.yaml" --bus "$bus" --metrics-port 0 >"$work/$1.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  for _ in $(seq 1 200); do grep -qE 'listening to file notifications|polling the directory' "$work/$1.log" && break; sleep 0.05; done
  read -r create ingest < <(burst "$dir" "$3")
  echo "$1 $create $ingest $(cpu_s "$pid") $(peak_rss_kb "$pid")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

read -r _ c1 i1 cpu1 rss1 < <(run_mode file-inotify false "$files")
read -r _ c2 i2 cpu2 rss2 < <(run_mode file-polling true $((files * 2)))
rate() { python3 -c "print(f'{$files/$1:.0f}')"; }
ratio() { python3 -c "print(f'{($files/$1)/($files/$2):.2f}')"; }
cat <<OUT
machine:   $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)
files:     $files per run, created by one Python loop
inotify:   $(rate "$i1") files/s ingested (${i1}s)  producer $(rate "$c1") files/s  ratio $(ratio "$i1" "$c1")  cevents CPU ${cpu1}s  peak RSS ${rss1} kB
polling:   $(rate "$i2") files/s ingested (${i2}s)  producer $(rate "$c2") files/s  ratio $(ratio "$i2" "$c2")  cevents CPU ${cpu2}s  peak RSS ${rss2} kB
OUT
