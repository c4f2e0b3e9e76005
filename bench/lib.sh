# Shared by the benchmark scripts: free ports, waiting for a port, process readings, cleanup of
# the processes a script started (BENCH_KEEP=1 keeps the work directory and its logs). Source it
# after `set -euo pipefail`.

pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
# A fresh work directory under /tmp, removed (with every started process) at exit.
bench_begin() { # tag
  work=$(mktemp -d "/tmp/cevents-$1.XXXXXX")
  trap bench_cleanup EXIT
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; return 1; }
peak_rss_kb() { awk '/VmHWM/ {print $2}' /proc/"$1"/status; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' /proc/"$1"/stat; }
# Starts nats-server -js on a free port with its store in $work/js (or $nats_store); sets
# nats_port, nats_pid.
start_nats() { # extra args...
  nats_port=$(free_port)
  nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "${nats_store:-$work/js}" "$@" >"$work/nats.log" 2>&1 &
  nats_pid=$!; pids+=("$nats_pid")
  wait_port "$nats_port"
}
# The demo body for wrk.
write_post_lua() {
  cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = '{"message":"this is my first webhook"}'
wrk.headers["Content-Type"] = "application/json"
LUA
}
# Fails unless the named build outputs exist and wrk is installed.
bench_require() {
  for f in "$@"; do [ -x "$f" ] || { echo "build first: make build" >&2; exit 1; }; done
  command -v wrk >/dev/null || { echo "wrk missing: scripts/install-deps.sh" >&2; exit 1; }
}
# The webhook EventSource of the benchmarks, on port $1, written to $work/es.yaml.
write_webhook_es() {
  cat >"$work/es.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: webhook
spec:
  webhook:
    example:
      port: "$1"
      endpoint: /example
      method: POST
YAML
}

# Stops one process this script started and waits for it (its readings are gone afterwards).
bench_stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$1"/status; }
threads_of() { awk '/Threads/ {print $2}' /proc/"$1"/status; }
# CPU seconds of a process and of the children it reaped (a server that runs a command per request).
cpu_with_children_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15 + $16 + $17) / hz}' /proc/"$1"/stat; }
# Waits until file $1 holds a line matching $2.
wait_line() { for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "no '$2' in $1" >&2; tail "$1" >&2; return 1; }
# Waits until the webhook on port $1, path $2, answers a POST with 200.
wait_200() {
  local code=
  for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -d '{}' -H 'Content-Type: application/json' \
           "http://127.0.0.1:$1$2" || true)
    [ "$code" = 200 ] && return 0; sleep 0.1
  done
  echo "http://127.0.0.1:$1$2 never answered 200 (last $code)" >&2; return 1
}
# Readings of a wrk output file.
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_pct() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
wrk_reqs() { awk '/requests in/ {print $1}' "$1"; }
wrk_non2xx() { awk '/Non-2xx/ {n = $5} END {print n + 0}' "$1"; }
# The sum of the last sequences of every stream, from nats-server's monitoring port $1.
stream_last_seq() {
  curl -s "http://127.0.0.1:$1/jsz?streams=true" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(s["state"]["last_seq"] for a in d.get("account_details",[]) for s in a.get("stream_detail",[])))'
}
# Requests ce_sink_httpd on port $1 received so far.
sink_count() { curl -s "http://127.0.0.1:$1/count" || echo 0; }
# Waits until the sink on port $1 has $2 requests, or its count stops moving for 5 s.
wait_sink() {
  local last=-1 same=0 n
  while :; do
    n=$(sink_count "$1")
    [ "$n" -ge "$2" ] && return 0
    if [ "$n" = "$last" ]; then same=$((same + 1)); else same=0; fi
    [ "$same" -ge 50 ] && return 1
    last=$n; sleep 0.1
  done
}
