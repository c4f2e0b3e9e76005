#!/usr/bin/env bash
# Workflows created per second through the argoWorkflow trigger: webhook EventSource → JetStream
# (a real nats-server -js) → Sensor → the test API server (tests/fixtures/kube_apiserver.py),
# against the test API server alone as the reference:
#   1. reference: one kept-alive connection creating N Workflows (generateName) one after the
#      other, as the trigger does (one create per firing, in order);
#   2. through the trigger: N events posted to the webhook while the Sensor is stopped, then the
#      time from the Sensor's start until the API server holds N Workflows (so the webhook's own
#      rate does not count).
# The run fails when fewer than N Workflows are created, or more (a firing created twice).
#
# usage: bench/workflow-submit.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-2000}
build=${BUILD:-build}
bin=$build/cevents
. bench/lib.sh
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
bench_begin wfbench

python3 -u tests/fixtures/kube_apiserver.py >"$work/api.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do grep -q '^PORT ' "$work/api.log" && break; sleep 0.05; done
api_port=$(awk '/^PORT / {print $2; exit}' "$work/api.log")
api="http://127.0.0.1:$api_port"
cat >"$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters: [{name: t, cluster: {server: "$api"}}]
users: [{name: t, user: {token: unused}}]
contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]
current-context: t
YAML

# The Workflows the API server holds in namespace $1.
count() { curl -s "$api/apis/argoproj.io/v1alpha1/namespaces/$1/workflows" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))'; }

# 1. the reference: the API server alone
ref_rate=$(python3 - "$api_port" "$n" <<'PY'
import http.client, json, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
wf = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
      "metadata": {"generateName": "ref-"},
      "spec": {"entrypoint": "say", "templates": [{"name": "say", "container": {"image": "busybox"}}]}}
body = json.dumps(wf)
t0 = time.monotonic()
for _ in range(n):
    c.request("POST", "/apis/argoproj.io/v1alpha1/namespaces/reference/workflows", body,
              {"Content-Type": "application/json", "Authorization": "Bearer unused"})
    r = c.getresponse(); r.read()
    assert r.status == 201, r.status
print(f"{n / (time.monotonic() - t0):.0f}")
PY
)

# 2. through the trigger
hook_port=$(free_port)
start_nats
write_webhook_es "$hook_port"
sed -e 's/name: webhook-workflow/name: bench/' examples/webhook-workflow/workflow-sensor.yaml >"$work/sensor.yaml"
start_sensor() {
  KUBECONFIG="$work/kubeconfig" "$bin" sensor -f "$work/sensor.yaml" --bus "nats://127.0.0.1:$nats_port" --metrics-port 0 >"$work/sensor.$1.log" 2>&1 &
  sensor_pid=$!; pids+=("$sensor_pid")
  for _ in $(seq 1 300); do grep -q "Sensor subscribed to the event bus" "$work/sensor.$1.log" && break; sleep 0.05; done
}
# a first start makes the Sensor's durable consumer, so the events posted while it is down wait
# on the bus for the second start
start_sensor first
kill "$sensor_pid"; wait "$sensor_pid" 2>/dev/null || true
"$bin" eventsource -f "$work/es.yaml" --bus "nats://127.0.0.1:$nats_port" --metrics-port 0 >"$work/es.log" 2>&1 &
pids+=($!)
wait_port "$hook_port"
post_rate=$(python3 - "$hook_port" "$n" <<'PY'
import http.client, json, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
t0 = time.monotonic()
for i in range(n):
    c.request("POST", "/example", json.dumps({"message": f"event {i}"}), {"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
print(f"{n / (time.monotonic() - t0):.0f}")
PY
)
t0=$(date +%s.%N)
start_sensor second
got=0 last=-1 same=0
while :; do
  got=$(count default)
  [ "$got" -ge "$n" ] && break
  if [ "$got" = "$last" ]; then same=$((same + 1)); else same=0; fi
  [ "$same" -ge 100 ] && break
  last=$got; sleep 0.1
done
t1=$(date +%s.%N)
trig_rate=$(python3 -c "print(f'{$got/($t1-$t0):.0f}')")
ratio=$(python3 -c "print(f'{$trig_rate/$ref_rate:.2f}')")
sleep 1; final=$(count default)
cat <<OUT
machine:              $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ)
reference (API alone): $ref_rate Workflows/s (one connection, $n creates in a row)
through the trigger:   $trig_rate Workflows/s ($got of $n events waiting on the bus, Sensor start → API server;
                       the events were posted at $post_rate/s, one connection)
ratio to reference:    $ratio
sensor peak RSS:       $(peak_rss_kb "$sensor_pid") kB
OUT
[ "$final" -eq "$n" ] || { echo "FAIL: $final Workflows for $n events" >&2; exit 1; }
