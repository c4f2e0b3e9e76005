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
# Starts nats-server -js on a free port with its store in $work/js; sets nats_port, nats_pid.
start_nats() { # extra args...
  nats_port=$(free_port)
  nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$work/js" "$@" >"$work/nats.log" 2>&1 &
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
