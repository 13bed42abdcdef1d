#!/usr/bin/env bash
# run-sample.sh -- the fleet on sample data: install what is missing, build, start the local stack,
# apply the schema, load the sample catalogue, run trade-submit, publish the sample raw trades as a
# platform adapter would (then a batch of changed versions and a few bad ones), print a summary.
# The stack stays up afterwards (scripts/stack.sh down stops it).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
step() { printf '\n==> %s\n' "$*"; }

step "1/7 packages"
bash scripts/setup.sh
step "2/7 build (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOF_SANITIZE=OFF >/dev/null
cmake --build build -j "$(nproc)" -- --no-print-directory 2>&1 | grep -Ev '^\[|^-- ' || true
test -x build/bin/of-trade-submit || { echo "run-sample: build failed" >&2; exit 1; }
step "3/7 local stack"
export OF_BUILD_DIR=$REPO/build
bash scripts/stack.sh up
export OF_CONFIG=${OF_STATE_DIR:-$REPO/.state}/stack.env
step "4/7 schema and sample catalogue"
build/bin/ordctl migrate | grep -E '^migrate|applied$'
if [[ $(bash scripts/stack.sh mysql -N -B -e 'SELECT COUNT(*) FROM cfg_shop') == 0 ]]; then
  bash scripts/stack.sh mysql <data/sample/catalogue.sql
  echo "catalogue loaded"
else
  echo "catalogue already loaded"
fi
step "5/7 trade-submit"
LOG=${OF_STATE_DIR:-$REPO/.state}/logs/trade-submit.log
build/bin/of-trade-submit >>"$LOG" 2>&1 &
WORKER=$!
trap 'kill -TERM $WORKER 2>/dev/null; wait $WORKER 2>/dev/null || true' EXIT
echo "running (pid $WORKER, log $LOG)"
step "6/7 publish sample raw trades (platform adapter)"
build/bin/ordctl publish-trades data/sample/raw_trades.jsonl 2> >(grep -v CONFWARN >&2)
build/bin/ordctl publish-trades data/sample/raw_trades_changed.jsonl 2> >(grep -v CONFWARN >&2)
echo "and the invalid lines (the adapter refuses what it can tell is bad; the rest is dead-lettered):"
build/bin/ordctl publish-trades --no-validate data/sample/raw_trades_invalid.jsonl 2>&1 | grep -v CONFWARN || true
build/bin/ordctl wait-idle --topic trade.raw --timeout 120
step "7/7 summary"
build/bin/ordctl summary 2> >(grep -v CONFWARN >&2)
echo
echo "dead letters:"
build/bin/ordctl dlq list 2> >(grep -v CONFWARN >&2)
echo
echo "stock: $(build/bin/ordctl stock-check 2>&1 | tail -1)"
echo
echo "why did order of TB2026112000001 go where it went (ordctl explain --tid TB2026112000001, abridged):"
build/bin/ordctl explain --tid TB2026112000001 2>/dev/null | grep -E '^(order|  warehouse|  logistics|  package)|SUB-WH-0[0-9] ' || true
echo
echo "Next: build/bin/ordctl --config $OF_CONFIG explain --tid TID ;  ... events trade.changed | less ;  scripts/stack.sh down"
