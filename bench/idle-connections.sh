#!/usr/bin/env bash
# Memory of idle connections on a webhook port: N clients each send one request on a kept-alive
# connection and then stay connected, silent (what a fleet of producers with connection pools
# looks like, and the first step of a slow-client attack). Prints the EventSource's RSS before
# and after and the bytes per connection. CE_BENCH_BASE_BIN=path/to/another/cevents measures that
# binary the same way in the same run.
#
# usage: bench/idle-connections.sh [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

conns=${1:-3000}
build=${BUILD:-build}
bin=$build/cevents
. bench/lib.sh
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
bench_begin idleconn
ulimit -n $((conns + 1024))
start_nats

# Opens the connections against port $1 and reports the RSS of pid $2.
measure() {
  python3 - "$1" "$2" "$conns" <<'PY'
import socket, sys, time
port, pid, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
before, socks = rss(), []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /health HTTP/1.1\r\nHost: bench\r\n\r\n")
    got = b""
    while b"\r\n\r\nOK" not in got:
        got += s.recv(4096)
    socks.append(s)
time.sleep(0.5)
after = rss()
print(f"{n} idle connections: RSS {before} -> {after} kB, {(after - before) * 1024 // n} bytes each")
PY
}

run_one() { # label binary
  local port
  port=$(free_port)
  write_webhook_es "$port"
  "$2" eventsource -f "$work/es.yaml" --bus "nats://127.0.0.1:$nats_port" --metrics-port 0 \
    >"$work/es-$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_port "$port"
  echo "$1: $(measure "$port" "$pid")"
  bench_stop "$pid"
}

echo "machine: $(nproc) cores, $(uname -m), $(date -u +%FT%TZ)"
run_one cevents "$bin"
if [ -n "${CE_BENCH_BASE_BIN:-}" ]; then
  run_one base "$CE_BENCH_BASE_BIN"
fi
