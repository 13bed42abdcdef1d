# Makefile -- the human entry points of orderfleet. `make help` lists them.
BUILD ?= build
TEST_BUILD ?= build-test
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help setup build build-test run test unit integration stack-up stack-down stack-status bench-submit bench-modify bench-sweep bench-flash bench-sync bench-delivery bench-kill-storm bench-whatif docs format clean

help:
	@echo "make setup         install missing Debian packages (scripts/setup.sh)"
	@echo "make build         release build into $(BUILD)/ (binaries in $(BUILD)/bin)"
	@echo "make run           the fleet on sample data: setup, build, stack, schema, catalogue, publish, summary"
	@echo "make test          the whole test suite (what CI runs): setup, sanitizer build, stack, unit + integration"
	@echo "make unit          unit tests only (no servers); make integration: integration tests only"
	@echo "make build-test    sanitizer build into $(TEST_BUILD)/; make clean removes both build folders"
	@echo "make stack-up | stack-down | stack-status   the local MariaDB, Redis and Apache Kafka"
	@echo "make bench-submit  trade-submit benchmark on its own stack (bench/run_submit_bench.sh; TRADES=N)"
	@echo "make bench-modify  trade-modify benchmark on its own stack (bench/run_modify_bench.sh; TRADES=N)"
	@echo "make bench-sweep   the sweep: idle cost and due orders moved per second with 100,000 waiting (bench/run_sweep_bench.sh)"
	@echo "make bench-flash   the flash sale: ours vs BullMQ vs kue, burst, steady and SIGKILL (bench/run_flash_bench.sh)"
	@echo "make bench-sync    order-sync: ops merged/s vs one order a round, latency, a seller outage (bench/run_sync_bench.sh)"
	@echo "make bench-delivery  delivery benchmark vs the seed design on its own stack (bench/delivery.sh; N, INSTANCES)"
	@echo "make bench-kill-storm  consumer-group stall under 30 SIGKILLs, dynamic vs static membership (bench/kill_storm.sh)"
	@echo "make bench-whatif  ordctl what-if over 50,000 submitted trades vs trade-submit's time (bench/whatif.sh; TRADES=N)"
	@echo "make docs          regenerate docs/topics.md and docs/config.md tables from the code"
	@echo "make format        clang-format the C sources"

setup:
	bash scripts/setup.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOF_SANITIZE=OFF >/dev/null
	cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

build-test:
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DOF_SANITIZE=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS) -- --no-print-directory

run:
	bash scripts/run-sample.sh

test:
	bash scripts/test.sh

unit: build-test
	cd $(TEST_BUILD) && ctest -L unit --output-on-failure

integration: build-test
	bash scripts/test.sh --integration-only

stack-up: build
	OF_BUILD_DIR=$(abspath $(BUILD)) bash scripts/stack.sh up

stack-down:
	bash scripts/stack.sh down

stack-status:
	bash scripts/stack.sh status

bench-submit:
	bash bench/run_submit_bench.sh --trades $(or $(TRADES),50000)

bench-modify:
	bash bench/run_modify_bench.sh --trades $(or $(TRADES),4000)

bench-flash:
	bash bench/run_flash_bench.sh

bench-sync:
	bash bench/run_sync_bench.sh

bench-sweep:
	bash bench/run_sweep_bench.sh --waiting $(or $(WAITING),100000) --due $(or $(DUE),20000)

bench-delivery:
	bash bench/delivery.sh

bench-kill-storm:
	bash bench/kill_storm.sh

bench-whatif:
	bash bench/whatif.sh --trades $(or $(TRADES),50000)

docs: build
	bash scripts/gen-docs.sh $(BUILD)/bin/ordctl

format:
	clang-format -i $$(find common -name "*.[ch]") workers/*/*.c tools/*/*.c bench/*.c tests/unit/*.c tests/integration/*.c

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
