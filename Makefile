# Thin wrapper around CMake: `make demo` and `make test` are the two commands the README promises.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-asan test-tsan layer-check fuzz bench format check clean \
	deploy image

all: build

deps:
	@bash scripts/install-deps.sh

build:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Builds only the binary, quietly (its output is kept in build/demo-build.log and shown when it
# fails), then runs the example.
demo: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) --target cevents -j $(JOBS) >$(BUILD)/demo-build.log 2>&1 || \
		{ cat $(BUILD)/demo-build.log; exit 1; }
	@bash scripts/demo.sh

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	$(MAKE) BUILD=build-asan CMAKE_FLAGS="-DCE_SANITIZE='address;undefined' -DCE_WERROR=ON" build
	cd build-asan && ctest --output-on-failure -j $(JOBS)

test-tsan: deps
	$(MAKE) BUILD=build-tsan CMAKE_FLAGS="-DCE_SANITIZE=thread -DCE_WERROR=ON" build
	cd build-tsan && ctest --output-on-failure -j $(JOBS)

# Each module built as a shared library that must link with only the modules it may use.
layer-check: deps
	$(MAKE) BUILD=build-layers CMAKE_FLAGS="-DCE_LAYER_CHECK=ON -DCE_BUILD_TESTS=OFF" build

# libFuzzer with clang in build-fuzz: corpus replays, then each target for FUZZ_SECONDS (20).
fuzz: deps
	JOBS=$(JOBS) bash scripts/fuzz.sh

bench: deps
	$(MAKE) build CMAKE_FLAGS="$(CMAKE_FLAGS) -DCE_BUILD_BENCH=ON"
	bash bench/webhook-ingest.sh
	bash bench/sensor-throughput.sh
	bash bench/workflow-submit.sh
	bash bench/scale.sh
	bash bench/peers.sh
	bash bench/idle-rss.sh
	bash bench/latency.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# The structure checks of scripts/check/ (format, banned calls, function length, include
# direction, dead functions); needs no build.
check: deps
	bash scripts/check/all.sh

# Regenerates deploy/'s CRDs (from what the manifest decoders read) and deploy/install.yaml.
deploy:
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) --target cevents-crdgen -j $(JOBS)
	bash deploy/generate.sh $(BUILD)/cevents-crdgen

# The container image (Dockerfile): with docker, or podman when there is no docker.
IMAGE ?= cevents:latest
image:
	@engine=$$(command -v docker || command -v podman || true); \
	if [ -z "$$engine" ]; then \
		echo "make image: neither docker nor podman is installed; install one to build $(IMAGE)" >&2; \
		exit 1; \
	fi; \
	"$$engine" info >/dev/null 2>&1 || { \
		echo "make image: $$engine is installed but does not answer (is its daemon running?)" >&2; \
		exit 1; }; \
	echo "$$engine build -t $(IMAGE) ."; \
	"$$engine" build -t $(IMAGE) .

clean:
	rm -rf build build-asan build-tsan build-layers build-fuzz

