#!/usr/bin/env bash
# test.sh -- the whole test suite, as CI runs it: install what is missing, build with ASan+UBSan,
# run the unit tests, start a private test stack (MariaDB, Redis, Apache Kafka), apply the schema and the
# sample catalogue, run the integration tests, stop the stack.
#
# Usage: scripts/test.sh [--unit-only | --integration-only] [--keep-stack]
# Knobs: OF_TEST_MYSQL_PORT (33316), OF_TEST_REDIS_PORT (36389), OF_TEST_KAFKA_PORT (29192), OF_TEST_STATE_DIR (<repo>/.state-test),
#        OF_TEST_BUILD_DIR (<repo>/build-test),
#        CTEST_ARGS (extra ctest arguments, e.g. "-R it_change").
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
mode=all keep=0
for a in "$@"; do
  case $a in
    --unit-only) mode=unit ;;
    --integration-only) mode=integration ;;
    --keep-stack) keep=1 ;;
    *) echo "test.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
TB=$(realpath -m -- "${OF_TEST_BUILD_DIR:-$REPO/build-test}")
step() { printf '\n==== %s (%ss)\n' "$*" "$SECONDS"; }

step "setup: Debian packages"
# --with-browser: Debian's chromium and Node.js for the ops console's browser test (it_console), then playwright-core
# from the npm registry into tests/browser (package-lock.json)
bash scripts/setup.sh --with-compose --with-browser
if [[ ! -f tests/browser/node_modules/playwright-core/package.json ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) || { echo "test.sh: npm ci in tests/browser failed" >&2; exit 1; }
fi

step "format check (.clang-format)"
if ! clang-format --dry-run --Werror $(find common -name "*.[ch]") workers/*/*.c tools/*/*.c tests/unit/*.c tests/integration/*.c; then
  echo "test.sh: C sources are not formatted: run 'make format'" >&2
  exit 1
fi

step "build with AddressSanitizer + UndefinedBehaviorSanitizer (build-test/)"
cmake -S . -B "$TB" -DCMAKE_BUILD_TYPE=Debug -DOF_SANITIZE=ON -DOF_WERROR=ON >/dev/null
# warnings and errors shown as they come; a target that fails to build stops here (ctest would otherwise run a test
# binary left by an earlier build)
build_rc=0
cmake --build "$TB" -j "$(nproc)" -- --no-print-directory 2>&1 | tee "$TB/build.log" |
  { grep -Ev '^\[|^-- ' || true; } || build_rc=$?
if ((build_rc != 0)); then
  echo "test.sh: build failed (whole log: $TB/build.log)" >&2
  exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [[ $mode != integration ]]; then
  step "unit tests"
  (cd "$TB" && ctest -L unit --output-on-failure ${CTEST_ARGS:-})
fi
[[ $mode == unit ]] && { step "done"; exit 0; }

export OF_STATE_DIR=${OF_TEST_STATE_DIR:-$REPO/.state-test}
export OF_MYSQL_PORT=${OF_TEST_MYSQL_PORT:-33316}
export OF_REDIS_PORT=${OF_TEST_REDIS_PORT:-36389}
export OF_BUILD_DIR=$TB
export OF_KAFKA_PORT=${OF_TEST_KAFKA_PORT:-29192}
export OF_TOPICS_ARGS="--namespaces 29"

step "test stack (fresh, in $OF_STATE_DIR)"
bash scripts/stack.sh down --purge >/dev/null 2>&1 || true
# the trap first: a stack that fails halfway through 'up' is stopped too
if [[ $keep == 0 ]]; then trap 'bash scripts/stack.sh down --purge' EXIT; fi
bash scripts/stack.sh up
export OF_CONFIG=$OF_STATE_DIR/stack.env

step "schema and sample catalogue"
"$TB"/bin/ordctl migrate
bash scripts/stack.sh mysql <data/sample/catalogue.sql

step "integration tests"
(cd "$TB" && OF_REQUIRE_COMPOSE=1 ctest -L integration --output-on-failure ${CTEST_ARGS:-})
step "all tests passed"
