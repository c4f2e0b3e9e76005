#!/usr/bin/env bash
# `make demo`: runs examples/webhook-log/ on an embedded NATS JetStream server and shows the curl
# to try. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/cevents
data_dir=${CEVENTS_DATA_DIR:-$PWD/.cevents-data}
port=12000

if ss -ltn 2>/dev/null | awk '{print $4}' | grep -qE "[:.]${port}\$"; then
  echo "demo: port ${port} is already in use; stop what is listening there first" >&2
  exit 1
fi

cat <<MSG

cevents demo: webhook -> JetStream -> Sensor -> log
  manifests: examples/webhook-log/
  bus data:  ${data_dir}

In another terminal, try:

  curl -d '{"message":"this is my first webhook"}' -H "Content-Type: application/json" -X POST http://localhost:${port}/example

The sensor prints the event below (lines from "sensor/log"). Ctrl-C stops everything.
Logs are text here, for reading; CEVENTS_LOG_FORMAT=json gives the JSON lines a cluster gets.

MSG

exec "$bin" run --data-dir "$data_dir" --log-format "${CEVENTS_LOG_FORMAT:-text}" examples/webhook-log/
