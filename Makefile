# Thin wrapper around CMake: `make demo` and `make test` are the two commands the README promises.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-asan test-tsan fuzz bench format clean

all: build

deps:
	bash scripts/install-deps.sh

build:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: deps build
	bash scripts/demo.sh

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	$(MAKE) BUILD=build-asan CMAKE_FLAGS="-DCE_SANITIZE='address;undefined' -DCE_WERROR=ON" build
	cd build-asan && ctest --output-on-failure -j $(JOBS)

test-tsan: deps
	$(MAKE) BUILD=build-tsan CMAKE_FLAGS="-DCE_SANITIZE=thread -DCE_WERROR=ON" build
	cd build-tsan && ctest --output-on-failure -j $(JOBS)

# libFuzzer with clang in build-fuzz: corpus replays, then each target for FUZZ_SECONDS (20).
fuzz: deps
	JOBS=$(JOBS) bash scripts/fuzz.sh

bench: deps build
	bash bench/webhook-ingest.sh
	bash bench/sensor-throughput.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-tsan build-fuzz
