#!/usr/bin/env bash
# run_sync_bench.sh -- the order-sync benchmark of issue 14 (docs/benchmarks.md, section "Order sync").
#
# Usage: bench/run_sync_bench.sh [--orders N] [--rate R] [--latency-seconds S] [--outage-seconds T] [--keep-stack]
#   --orders N           orders changing on both sides in the drain runs (default 10000)
#   --rate R             ops/s per site in the latency and outage runs (default 200)
#   --latency-seconds S  how long the latency run lasts (default 30)
#   --outage-seconds T   how long the seller primary is down in the outage run (default 600: the issue's 10 minutes)
#   --keep-stack         leave the bench stack up at the end (default: down --purge)
# Own stack (three site servers included): OF_STATE_DIR (default <repo>/.state-syncbench), OF_MYSQL_PORT (33396; the
# sites +1..+3), OF_REDIS_PORT (36479), OF_KAFKA_PORT (29752). Build: Release into <repo>/build-syncbench
# (OF_BENCH_BUILD). Output: <repo>/.bench-out/sync (OF_BENCH_OUT).
#
# Every op is made by `ordctl site load` (one connection per site, one transaction per op, as a site would), then:
#   (a) drain, one instance: N orders created on the buyer site, then, at the same time, the buyer pays all N and the
#       seller adjusts the price of all N (3N ops, the races settled by the conflict table); of-order-sync starts on
#       the backlog; ops merged per second until both sides agree (`ordctl site check`).
#   (b) the same drained by the seed's design, one order per round (OF_BATCH_SIZE=1: the seed's daemon loop took an
#       order at a time): ratio (a)/(b).
#   (c) drain, two instances.
#   (d) latency: the sync running, the buyer pays and then the seller ships at R ops/s each: for every op, the time
#       from its commit on its site (sync-log addtime) to the other side's commit of it (order_sync_applied there):
#       p50, p99, max.
#   (e) outage: the seller primary stopped for T seconds while the buyer site takes R orders/s and their payments;
#       the time from the seller's restart until both sides agree.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

ORDERS=10000 RATE=200 LAT_S=30 OUT_S=600
KEEP=0
while (($#)); do
  case "$1" in
    --orders) ORDERS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --latency-seconds) LAT_S=$2; shift 2 ;;
    --outage-seconds) OUT_S=$2; shift 2 ;;
    --keep-stack) KEEP=1; shift ;;
    -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "run_sync_bench: unknown option $1" >&2; exit 2 ;;
  esac
done

export OF_STATE_DIR=${OF_STATE_DIR:-$REPO/.state-syncbench}
export OF_MYSQL_PORT=${OF_MYSQL_PORT:-33396}
export OF_REDIS_PORT=${OF_REDIS_PORT:-36479}
export OF_KAFKA_PORT=${OF_KAFKA_PORT:-29752}
BUILD=${OF_BENCH_BUILD:-$REPO/build-syncbench}
export OF_BUILD_DIR=$BUILD
BIN=$BUILD/bin
WORK=${OF_BENCH_OUT:-$REPO/.bench-out}/sync
export OF_LOG_LEVEL=warn OF_STATS_INTERVAL_S=0

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'run_sync_bench: error: %s\n' "$*" >&2; exit 1; }
ordctl() { "$BIN/ordctl" "$@" 2> >(grep -v CONFWARN >&2); }
site() { bash scripts/stack.sh mysql --site "$1" -N -B -e "$2"; }
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh" # now, elapsed, rate, ratio, hwm_kb

BENCH_NAME=run_sync_bench
trap bench_cleanup EXIT

start_sync() { # name [env...] -> pid in LAST
  local name=$1
  shift
  env "$@" "$BIN/of-order-sync" >"$WORK/$name.log" 2>&1 &
  LAST=$!
  PIDS+=("$LAST")
}
empty_sites() {
  local t
  for t in buyer_orders buyer_order_products buyer_order_logs buyer_order_sync_log order_sync_state order_sync_applied; do
    site buyer "TRUNCATE TABLE $t"
  done
  for t in seller_orders buyer_order_products seller_order_logs seller_order_sync_log order_sync_state order_sync_applied; do
    site seller "TRUNCATE TABLE $t"
  done
  # a new group each run: the old messages of order.sync name orders that no longer exist
  export OF_KAFKA_GROUP="bench.sync.$RANDOM$RANDOM"
}
ops_total() { echo $(($(site buyer "SELECT COUNT(*) FROM buyer_order_sync_log") + $(site seller "SELECT COUNT(*) FROM seller_order_sync_log"))); }
# wait_agree LIMIT_S: until both sides agree (ordctl site check waits for every op to be taken, then compares)
wait_agree() {
  OF_MYSQL_CONNECT_TIMEOUT_S=120 ordctl site check --wait "$1" >"$WORK/check.out" 2>&1 ||
    { tail -20 "$WORK/check.out" >&2; die "the sides do not agree after ${1}s"; }
}
drain() { # label instances [env...]: prints "ops seconds"
  local label=$1 inst=$2 t0 t1 n i
  shift 2
  empty_sites
  # the seller's price changes need the orders on the seller side first: a sync without the consumer load creates
  # them (the creates are merged and not timed), then the backlog of pays and price changes is made with no sync
  local n0=$ORDERS
  ordctl site load buyer create-order --count "$n0" >"$WORK/load-create.out"
  local first last
  first=$(sed -n 's/.*first_oid=\([0-9]*\).*/\1/p' "$WORK/load-create.out")
  last=$(sed -n 's/.*last_oid=\([0-9]*\).*/\1/p' "$WORK/load-create.out")
  start_sync "$label-pre"
  wait_agree 600
  bench_stop_all
  ordctl site load buyer pay --from "$first" --to "$last" >"$WORK/load-pay.out" &
  local p1=$!
  ordctl site load seller adjust-price --from "$first" --to "$last" >"$WORK/load-price.out" || true
  wait "$p1"
  n=$(($(ops_total) - n0))
  t0=$(now)
  for ((i = 1; i <= inst; i++)); do start_sync "$label-$i" "$@"; done
  wait_agree 1800
  t1=$(now)
  bench_stop_all
  echo "$n $(elapsed "$t0" "$t1")"
}

mkdir -p "$WORK"
rm -f "$WORK"/*.log
bench_build of-order-sync ordctl
say "stack $OF_STATE_DIR (MariaDB $OF_MYSQL_PORT, sites +1..+3, Redis $OF_REDIS_PORT, Kafka $OF_KAFKA_PORT)"
bash scripts/stack.sh down --purge >/dev/null 2>&1 || true
bash scripts/stack.sh up >/dev/null
export OF_CONFIG=$OF_STATE_DIR/stack.env
ordctl migrate >/dev/null

say "(a) drain, one instance: $ORDERS orders paid on the buyer site while the seller changes each one's price"
read -r n_a s_a < <(drain a 1)
say "    $n_a ops merged in ${s_a}s: $(rate "$n_a" "$s_a") ops/s; conflicts: $(site buyer "SELECT COUNT(*) FROM order_sync_applied WHERE outcome = 2")"
say "(b) the same, one order per round (the seed's loop: OF_BATCH_SIZE=1)"
read -r n_b s_b < <(drain b 1 OF_BATCH_SIZE=1)
say "    $n_b ops merged in ${s_b}s: $(rate "$n_b" "$s_b") ops/s"
say "(c) the same, two instances"
read -r n_c s_c < <(drain c 2)
say "    $n_c ops merged in ${s_c}s: $(rate "$n_c" "$s_c") ops/s"

say "(d) latency at $RATE ops/s per site for ${LAT_S}s: commit on one site -> commit on the other"
empty_sites
start_sync d
m=$((RATE * LAT_S))
ordctl site load buyer create-order --count "$m" --rate "$RATE" >"$WORK/lat-create.out"
wait_agree 600
ordctl site load buyer pay --from 1 --to "$m" --rate "$RATE" >"$WORK/lat-pay.out" &
p1=$!
sleep 2 # the seller ships what it has seen paid, behind the buyer
ordctl site load seller ship --from 1 --to "$m" --rate "$RATE" >"$WORK/lat-ship.out" || true
wait "$p1"
wait_agree 600
bench_stop_all
site buyer "SELECT id, UNIX_TIMESTAMP(addtime) FROM buyer_order_sync_log WHERE op IN ('pay')" >"$WORK/b.ops"
site seller "SELECT op_id, UNIX_TIMESTAMP(applied_at) FROM order_sync_applied WHERE side = 'b'" >"$WORK/b.applied"
site seller "SELECT id, UNIX_TIMESTAMP(addtime) FROM seller_order_sync_log WHERE op = 'ship'" >"$WORK/s.ops"
site buyer "SELECT op_id, UNIX_TIMESTAMP(applied_at) FROM order_sync_applied WHERE side = 's'" >"$WORK/s.applied"
lat() { # ops applied -> "n p50 p99 max" in ms
  awk 'NR == FNR { t[$1] = $2; next } ($1 in t) { printf "%.1f\n", ($2 - t[$1]) * 1000 }' "$1" "$2" | sort -n |
    awk '{ v[NR] = $1 } END { if (!NR) { print "0 - - -"; exit }
         a = int(NR * 0.5); if (a < 1) a = 1; b = int(NR * 0.99); if (b < 1) b = 1
         printf "%d %.0f %.0f %.0f\n", NR, v[a], v[b], v[NR] }'
}
read -r ln_b p50_b p99_b max_b < <(lat "$WORK/b.ops" "$WORK/b.applied")
read -r ln_s p50_s p99_s max_s < <(lat "$WORK/s.ops" "$WORK/s.applied")
say "    buyer pay -> seller: $ln_b ops, p50 ${p50_b} ms, p99 ${p99_b} ms, max ${max_b} ms"
say "    seller ship -> buyer: $ln_s ops, p50 ${p50_s} ms, p99 ${p99_s} ms, max ${max_s} ms"

say "(e) outage: the seller primary down for ${OUT_S}s while the buyer site takes $RATE orders/s and their payments"
empty_sites
start_sync e
bash scripts/stack.sh site-stop seller >/dev/null
k=$((RATE * OUT_S / 2))
ordctl site load buyer create-order --count "$k" --rate "$((RATE / 2))" >"$WORK/out-create.out" &
p1=$!
sleep 2 # the payments follow the orders, at the same pace
ordctl site load buyer pay --from 1 --to "$k" --rate "$((RATE / 2))" >"$WORK/out-pay.out" || true
wait "$p1"
held=$(site buyer "SELECT COUNT(*) FROM buyer_order_sync_log")
t0=$(now)
bash scripts/stack.sh site-start seller >/dev/null
wait_agree 3600
t1=$(now)
bench_stop_all
say "    $held buyer ops held during the outage; caught up $(elapsed "$t0" "$t1")s after the seller came back"

DONE=1
say "summary"
printf '  %-52s %10s %10s\n' "run" "ops" "ops/s"
printf '  %-52s %10s %10s\n' "(a) one instance, batched rounds" "$n_a" "$(rate "$n_a" "$s_a")"
printf '  %-52s %10s %10s\n' "(b) one instance, one order per round (seed's loop)" "$n_b" "$(rate "$n_b" "$s_b")"
printf '  %-52s %10s %10s\n' "(c) two instances" "$n_c" "$(rate "$n_c" "$s_c")"
printf '  ratio (a)/(b) %s, (c)/(a) %s\n' "$(ratio "$(rate "$n_a" "$s_a")" "$(rate "$n_b" "$s_b")")" \
  "$(ratio "$(rate "$n_c" "$s_c")" "$(rate "$n_a" "$s_a")")"
printf '  latency at %s ops/s: buyer->seller p50 %s p99 %s ms; seller->buyer p50 %s p99 %s ms\n' "$RATE" "$p50_b" "$p99_b" \
  "$p50_s" "$p99_s"
printf '  outage %ss: %s ops held, caught up in %ss\n' "$OUT_S" "$held" "$(elapsed "$t0" "$t1")"
