# One image for every role: `cevents controller`, and the EventSource and Sensor pods the
# controller creates (`cevents eventsource`, `cevents sensor`). Build it with `make image`.
#
# The build stage installs the -dev packages scripts/install-deps.sh installs for building; the
# runtime stage only the libraries the binary loads (a test checks the list against
# `ldd build/cevents`, so edit both stages together).

FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libnats-dev libmicrohttpd-dev libcurl4-openssl-dev libssl-dev \
      libyaml-dev libjansson-dev libjq-dev libluajit-5.1-dev libpcre2-dev \
      librdkafka-dev libssh2-1-dev libgit2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCE_BUILD_TESTS=OFF \
 && cmake --build build --target cevents -j"$(nproc)" \
 && strip build/cevents

FROM debian:bookworm-slim
# ca-certificates: HTTPS to webhooks, S3, Kafka and the like; tzdata: calendar time zones.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates tzdata \
      libcurl4 libssl3 libnats3.4 libyaml-0-2 libjansson4 libjq1 \
      libluajit-5.1-2 libpcre2-8-0 librdkafka1 libssh2-1 libgit2-1.5 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/cevents /usr/local/bin/cevents
# 65532: the usual "nonroot" uid; the Deployments run it with runAsNonRoot.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/cevents"]
