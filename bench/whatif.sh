#!/usr/bin/env bash
# whatif.sh -- the what-if benchmark (issue 15, part 5; docs/benchmarks.md, section "what-if").
#
# Usage: bench/whatif.sh [--trades N] [--keep-stack]
#   --trades N      raw trades (default 50000; bench/gen_bench_trades.py, the trade-submit benchmark's mix)
#   --keep-stack    leave the bench stack up at the end (default: down --purge)
# Own stack (never the developer's): OF_STATE_DIR (default <repo>/.state-bench-whatif), OF_MYSQL_PORT (33356),
# OF_REDIS_PORT (36429), OF_KAFKA_PORT (29612). Build: Release into <repo>/build-bench (OF_BENCH_BUILD to change).
#
# Runs: the N trades are published and drained by one trade-submit (timed from its start to wait-idle: the
# "submit" figure), then `ordctl what-if` over all of them twice: --set (in memory) and --sql (a warehouse
# priority, through the session's temporary tables). Prints each time, trades/s and the ratio to the submit time;
# fails when a what-if run takes a minute or more, or when the no-op --set finds a difference.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
TRADES=50000
KEEP=0
while (($#)); do
  case "$1" in
    --trades) TRADES=$2; shift 2 ;;
    --keep-stack) KEEP=1; shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "whatif.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
export OF_STATE_DIR=${OF_STATE_DIR:-$REPO/.state-bench-whatif}
export OF_MYSQL_PORT=${OF_MYSQL_PORT:-33356} OF_REDIS_PORT=${OF_REDIS_PORT:-36429} OF_KAFKA_PORT=${OF_KAFKA_PORT:-29612}
BUILD=${OF_BENCH_BUILD:-$REPO/build-bench}
export OF_BUILD_DIR=$BUILD
BIN=$BUILD/bin
WORK=${OF_BENCH_OUT:-$REPO/.bench-out/whatif}
BENCH_NAME=whatif.sh
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'whatif.sh: error: %s\n' "$*" >&2; exit 1; }
ordctl() { "$BIN/ordctl" "$@" 2> >(grep -v CONFWARN >&2); }
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh" # admin, reset_db, now, elapsed, rate, ratio, bench_build, bench_cleanup
trap bench_cleanup EXIT

bench_build of-trade-submit ordctl
mkdir -p "$OF_STATE_DIR" "$WORK"
say "fresh stack ($OF_STATE_DIR, mysql :$OF_MYSQL_PORT, redis :$OF_REDIS_PORT, kafka :$OF_KAFKA_PORT)"
bash scripts/stack.sh down --purge >/dev/null 2>&1 || true
bash scripts/stack.sh up >/dev/null
export OF_CONFIG=$OF_STATE_DIR/stack.env
ordctl migrate >/dev/null
reset_db
say "generate $TRADES trades"
python3 bench/gen_bench_trades.py --trades "$TRADES" >"$WORK/trades.jsonl" 2>/dev/null
export OF_TOPIC_PREFIX="bw$(date +%s)." OF_KAFKA_GROUP="bench.whatif.trade-submit"
ordctl topics create --quiet >/dev/null || die "cannot create the topics"
PUB=$(ordctl publish-trades --quiet "$WORK/trades.jsonl" 2>&1 | grep -v 'refused:' | tail -1 || true)
say "published: $PUB" # the generator's mix has a few trades the adapter refuses
PUBLISHED=$(sed -n 's/.*published=\([0-9]*\).*/\1/p' <<<"$PUB")
[[ -n $PUBLISHED ]] || die "publish-trades said: $PUB"

say "submit: one trade-submit drains the $TRADES trades"
t0=$(now)
OF_LOG_LEVEL=warn "$BIN/of-trade-submit" >"$WORK/submit.log" 2>&1 &
PIDS+=("$!")
ordctl wait-idle --topic trade.raw --group "$OF_KAFKA_GROUP" --timeout 3600 >/dev/null || die "wait-idle timed out"
t1=$(now)
bench_stop_all
SUBMIT=$(elapsed "$t0" "$t1")
STORED=$(admin "SELECT COUNT(*) FROM api_trade")
((STORED == PUBLISHED)) || die "only $STORED of $PUBLISHED raw trades stored"
say "    $STORED trades in ${SUBMIT}s ($(rate "$STORED" "$SUBMIT") trades/s)"

run_whatif() { # name args...
  local name=$1 t0 t1 secs
  shift
  t0=$(now)
  ordctl what-if --since 2000-01-01 --json "$@" >"$WORK/$name.json" || die "what-if $name failed"
  t1=$(now)
  secs=$(elapsed "$t0" "$t1")
  local n changed
  n=$(jq -r .trades "$WORK/$name.json")
  changed=$(jq -r .changed "$WORK/$name.json")
  ((n == STORED)) || die "what-if $name decided $n of $STORED trades"
  awk -v s="$secs" 'BEGIN { exit !(s < 60) }' || die "what-if $name took ${secs}s (limit 60 s)"
  say "    what-if $name: $n trades decided twice in ${secs}s ($(rate "$n" "$secs") trades/s), $changed changed," \
    "ratio to submit $(ratio "$secs" "$SUBMIT"), drift $(jq -r '.drift.differ' "$WORK/$name.json")"
  eval "W_$name=$secs"
}
run_whatif noop --set CFG_CHECK_STOCK=1
[[ $(jq -r .changed "$WORK/noop.json") == 0 ]] || die "the no-op --set changed decisions"
printf 'UPDATE cfg_shop_warehouse SET priority = 30 WHERE shop_id = 2 AND warehouse_id = 1;\n' >"$WORK/change.sql"
run_whatif sql --sql "$WORK/change.sql"
run_whatif set --set CFG_CHECK_STOCK=0

say "result: trades=$TRADES submit=${SUBMIT}s what-if: noop=${W_noop}s sql=${W_sql}s set=${W_set}s;" \
  "ratio to submit noop=$(ratio "$W_noop" "$SUBMIT") sql=$(ratio "$W_sql" "$SUBMIT") set=$(ratio "$W_set" "$SUBMIT")"
DONE=1
if ((KEEP)); then say "stack kept up: OF_STATE_DIR=$OF_STATE_DIR bash scripts/stack.sh down --purge"; fi
