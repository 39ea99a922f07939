# The human interface. `make run` and `make test` first install what is missing.
BUILD ?= build
ASAN_BUILD ?= build-asan
RELEASE_BUILD ?= build-release
JOBS ?= 2
BFF_PORT ?= 8080
SIM_PORT ?= 9100

.PHONY: all deps build build-asan build-release test run bench fuzz image-test clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBFF_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) -- --no-print-directory -s

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DBFF_SANITIZE=ON -DBFF_WERROR=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS) -- --no-print-directory -s

# The container image's exact compile (Dockerfile: Release, -Werror, the same targets): GCC warns at -O3
# where RelWithDebInfo does not, so `make test` compiles this too and fails with it.
build-release: deps
	@cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release -DBFF_WERROR=ON >/dev/null
	@cmake --build $(RELEASE_BUILD) -j$(JOBS) --target bff bff-sim bff-schema bff-assets -- --no-print-directory -s

# Every test twice: a release build, then under AddressSanitizer + UBSan (and the image's compile).
test: build build-asan build-release
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

# The server on BFF_PORT beside the provider simulator on SIM_PORT; Ctrl-C stops both.
run: build
	@BUILD=$(BUILD) BFF_PORT=$(BFF_PORT) SIM_PORT=$(SIM_PORT) bash scripts/run.sh

# Engine benchmark (graphql-js measured in the same run), then the HTTP benchmark (h2load, wrk,
# the static ceiling); writes bench/results/ (latest.md, engine.md, raw/). About two minutes.
bench: deps
	@bash bench/engine/run.sh
	@bash bench/http/run.sh

# The container image from the Dockerfile, built with podman on Debian 12 base images made here, then
# its own `bff demo` checked from outside (scripts/image-test.sh; several minutes, needs root).
image-test:
	@bash scripts/image-test.sh

# libFuzzer targets (clang), FUZZ_SECONDS each (default 60).
fuzz: deps
	@bash fuzz/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(RELEASE_BUILD) build-fuzz build-bench
