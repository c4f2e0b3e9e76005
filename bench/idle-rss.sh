#!/usr/bin/env bash
# Idle memory of one cevents process: a webhook EventSource and a Sensor with a log trigger, each
# connected to a real nats-server -js, read from /proc/PID/smaps_rollup once started and idle:
#   RSS      every resident page mapped, shared-library pages included (what `ps` shows);
#   private  Private_Clean + Private_Dirty: pages no other process maps (the process's own cost);
#   PSS      shared pages divided among the processes mapping them.
# Then the same two with TLS in use: the bus over tls:// (nats-server with a self-signed
# certificate) and the webhook serving HTTPS, so both the plain and the TLS path are visible.
# The floor is the process stopped at main() (under gdb, when installed): every library loaded
# and relocated, nothing initialised. Per process, the mappings with the most resident pages
# follow (smaps).
#
# usage: bench/idle-rss.sh [SETTLE_S]
set -euo pipefail
cd "$(dirname "$0")/.."

settle=${1:-3}
build=${BUILD:-build}
bin=$build/cevents
. bench/lib.sh
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl (the command) missing" >&2; exit 1; }
bench_begin idle-rss

# kB of one smaps_rollup field, or of several added.
# A process's files are /proc/PID/<name>, the floor's the copies gdb made ($work/floor.<name>).
pfile() { if [ "$1" = floor ]; then echo "$work/floor.$2"; else echo "/proc/$1/$2"; fi; }
rollup() { # pid field...
  local pid=$1; shift
  awk -v f="$*" 'BEGIN {n = split(f, a, " "); for (i = 1; i <= n; i++) want[a[i] ":"] = 1}
                 ($1 in want) {s += $2} END {print s + 0}' "$(pfile "$pid" smaps_rollup)"
}
# The libraries (and the executable, heap, anonymous memory) with the most resident kB.
top_maps() { # pid count
  awk '/^[0-9a-f]+-[0-9a-f]+ / {n = split($6, p, "/"); m = NF >= 6 ? p[n] : "[anon]"}
       /^Rss:/ {rss[m] += $2} END {for (m in rss) if (rss[m] > 0) print rss[m], m}' \
    "$(pfile "$1" smaps)" | sort -rn | head -"$2" | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1} END {print ""}'
}
lib_kb() { # pid library-name-prefix
  awk -v lib="$2" '/^[0-9a-f]+-[0-9a-f]+ / {n = split($6, p, "/"); hit = NF >= 6 && index(p[n], lib) == 1}
                   /^Rss:/ && hit {s += $2} END {print s + 0}' "$(pfile "$1" smaps)"
}
report() { # tag pid
  local rss priv pss
  rss=$(rollup "$2" Rss); priv=$(rollup "$2" Private_Clean Private_Dirty); pss=$(rollup "$2" Pss)
  printf '%-22s RSS %6d kB  private %5d kB  PSS %5d kB  libcrypto %4d kB  libgnutls %4d kB  threads %2d' \
    "$1" "$rss" "$priv" "$pss" "$(lib_kb "$2" libcrypto)" "$(lib_kb "$2" libgnutls)" "$(awk '/^Threads:/ {print $2}' "$(pfile "$2" status)")"
  echo
  echo "    largest: $(top_maps "$2" 8)"
}

# Certificates for the TLS cases: one self-signed certificate for 127.0.0.1, used by both the
# bus and the webhook (the bus clients do not verify it, as Argo's do not).
mkdir -p "$work/secrets/webhook-tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/secrets/webhook-tls/tls.key" \
  -out "$work/secrets/webhook-tls/tls.crt" 2>/dev/null

start_nats
plain_bus="nats://127.0.0.1:$nats_port"
tls_port=$(free_port)
nats-server -js -a 127.0.0.1 -p "$tls_port" -sd "$work/js-tls" --tls \
  --tlscert "$work/secrets/webhook-tls/tls.crt" --tlskey "$work/secrets/webhook-tls/tls.key" \
  >"$work/nats-tls.log" 2>&1 &
pids+=($!)
wait_port "$tls_port"
tls_bus="tls://127.0.0.1:$tls_port"

write_es() { # file port tls(0/1)
  cat >"$1" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: webhook
spec:
  webhook:
    example:
      port: "$2"
      endpoint: /example
      method: POST
YAML
  [ "$3" = 1 ] && cat >>"$1" <<YAML
      serverCertSecret: {name: webhook-tls, key: tls.crt}
      serverKeySecret: {name: webhook-tls, key: tls.key}
YAML
  return 0
}
cat >"$work/sensor.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: log
spec:
  dependencies:
  - name: dep
    eventSourceName: webhook
    eventName: example
  triggers:
  - template:
      name: log-trigger
      log: {}
YAML

run_es() { # tag bus tls
  local port; port=$(free_port)
  write_es "$work/$1.yaml" "$port" "$3"
  "$bin" eventsource -f "$work/$1.yaml" --bus "$2" --secrets-dir "$work/secrets" --metrics-port 0 >"$work/$1.log" 2>&1 &
  proc_pid=$!; pids+=("$proc_pid")
  wait_line "$work/$1.log" 'Eventing server started'
}
run_sensor() { # tag bus
  "$bin" sensor -f "$work/sensor.yaml" --bus "$2" --metrics-port 0 >"$work/$1.log" 2>&1 &
  proc_pid=$!; pids+=("$proc_pid")
  wait_line "$work/$1.log" 'Sensor subscribed to the event bus'
}

# The floor: libraries loaded and relocated, nothing initialised (stopped at main under gdb,
# which writes the process's readings before killing it).
floor_line="floor                  (gdb not installed)"
if command -v gdb >/dev/null; then
  gdb -q -batch -ex 'break main' -ex run \
    -ex "python import gdb, shutil; p = gdb.selected_inferior().pid; [shutil.copy(f'/proc/{p}/{f}', '$work/floor.' + f) for f in ('smaps', 'smaps_rollup', 'status')]" \
    -ex kill --args "$bin" version >"$work/gdb.log" 2>&1 || { cat "$work/gdb.log" >&2; exit 1; }
fi

run_es eventsource-plain "$plain_bus" 0; es_plain=$proc_pid
run_sensor sensor-plain "$plain_bus"; sn_plain=$proc_pid
run_es eventsource-tls "$tls_bus" 1; es_tls=$proc_pid
run_sensor sensor-tls "$tls_bus"; sn_tls=$proc_pid
# HTTPS really served (the TLS path is in use, not only configured)
port=$(awk '/port:/ {gsub(/"/, "", $2); print $2}' "$work/eventsource-tls.yaml")
curl -sk -o /dev/null -w '' -d '{"m":1}' -H 'Content-Type: application/json' "https://127.0.0.1:$port/example" \
  || { echo "the HTTPS webhook did not answer" >&2; exit 1; }
sleep "$settle"

echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg), $("$bin" version)"
if [ -f "$work/floor.smaps" ]; then report floor floor; else echo "$floor_line"; fi
report eventsource-plain "$es_plain"
report sensor-plain "$sn_plain"
report eventsource-tls "$es_tls"
report sensor-tls "$sn_tls"
kb_mib() { python3 -c "print(f'{$1/1024:.1f}')"; }
mib() { echo "$(kb_mib "$(rollup "$1" Rss)")/$(kb_mib "$(rollup "$1" Private_Clean Private_Dirty)")"; }
floor_sum="n/a (no gdb)"
[ -f "$work/floor.smaps" ] && floor_sum=$(mib floor)
echo "summary: idle RSS/private MiB: eventsource $(mib "$es_plain"), sensor $(mib "$sn_plain"); with TLS: eventsource $(mib "$es_tls"), sensor $(mib "$sn_tls"); libraries-only floor $floor_sum"
