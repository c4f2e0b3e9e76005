#!/usr/bin/env bash
# Installs every Debian package cevents needs to build, run its demo, its tests and its benchmarks.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git clang clang-format libclang-rt-14-dev
  libnats-dev nats-server
  libmicrohttpd-dev libcurl4-openssl-dev curl libssl-dev
  libyaml-dev libjansson-dev libjq-dev libluajit-5.1-dev libpcre2-dev
  librdkafka-dev kcat
  libssh2-1-dev openssh-server
  libgit2-dev
  libcmocka-dev
  tzdata wrk time procps iproute2 ca-certificates openssl python3 python3-yaml
  # adnanh/webhook, the peer bench/peers.sh runs beside cevents (its service stays off without
  # /etc/webhook.conf)
  webhook
)

# kubectl reads back what the Kubernetes triggers create: an installed one is used (the tests
# were written against v1.32), else Debian's kubernetes-client (older; same commands).
command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
