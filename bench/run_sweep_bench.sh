#!/usr/bin/env bash
# run_sweep_bench.sh -- the sweep benchmark of issue 12 (docs/benchmarks.md, section "The sweep").
#
# Usage: bench/run_sweep_bench.sh [--waiting N] [--due M] [--idle-seconds S] [--keep-stack]
#   --waiting N       orders waiting in delayed audit (16) whose delay has NOT passed (default 100000)
#   --due M           orders whose delay HAS passed, two per customer, so each pair merges (default 20000)
#   --idle-seconds S  how long the idle sweep is watched (default 20)
#   --keep-stack      leave the bench stack up at the end (default: down --purge)
# Own stack: OF_STATE_DIR (default <repo>/.state-sweepbench), OF_MYSQL_PORT (33366), OF_REDIS_PORT (36439),
# OF_KAFKA_PORT (29702). Build: Release into <repo>/build-sweepbench (OF_BENCH_BUILD). Output:
# <repo>/.bench-out/sweep (OF_BENCH_OUT).
#
# The orders are written by SQL (customers, orders with one line each of SKU-TEA-001 on SH-01 holding order_num, the
# stock counter to match), not through trade-submit: the bench measures the sweep alone.
#   (a) idle: N waiting orders, none due; one of-sweep at its default interval (1 s); over S seconds: statements the
#       database executed (Com_stmt_execute, nothing else runs), the sweep's CPU time (/proc utime + stime), its RSS.
#   (b) drain, one instance: M due orders appear at once (with the N waiting ones); time until every one is in 30
#       (merged pairs: M/2 orders); orders moved per second, statements per order.
#   (c) drain, two instances: the same.
#   (d) ceiling: the same outcome written by the database alone (a stored procedure, the same batches of
#       OF_SWEEP_BATCH customers, one statement per table a batch, no reads, no client round trips, no rules).
#   `ordctl stock-check` after (b), (c), (d).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

WAITING=100000 DUE=20000 IDLE_S=20 KEEP=0
while (($#)); do
  case "$1" in
    --waiting) WAITING=$2; shift 2 ;;
    --due) DUE=$2; shift 2 ;;
    --idle-seconds) IDLE_S=$2; shift 2 ;;
    --keep-stack) KEEP=1; shift ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "run_sweep_bench: unknown option $1" >&2; exit 2 ;;
  esac
done
((DUE % 2 == 0)) || DUE=$((DUE + 1))

export OF_STATE_DIR=${OF_STATE_DIR:-$REPO/.state-sweepbench}
export OF_MYSQL_PORT=${OF_MYSQL_PORT:-33366}
export OF_REDIS_PORT=${OF_REDIS_PORT:-36439}
export OF_KAFKA_PORT=${OF_KAFKA_PORT:-29702}
BUILD=${OF_BENCH_BUILD:-$REPO/build-sweepbench}
export OF_BUILD_DIR=$BUILD
BIN=$BUILD/bin
WORK=${OF_BENCH_OUT:-$REPO/.bench-out}/sweep
BATCH=${OF_SWEEP_BATCH:-64}

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'run_sweep_bench: error: %s\n' "$*" >&2; exit 1; }
ordctl() { "$BIN/ordctl" "$@" 2> >(grep -v CONFWARN >&2); }
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh" # admin, reset_db

PIDS=()
DONE=0
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if ((KEEP == 0 && DONE == 1)); then bash scripts/stack.sh down --purge >/dev/null 2>&1 || true; fi
  ((DONE == 1)) || echo "run_sweep_bench: stack left up for inspection ($OF_STATE_DIR; scripts/stack.sh down --purge)" >&2
}
trap cleanup EXIT

start_sweep() { # name -> pid in LAST
  OF_LOG_LEVEL=warn OF_SWEEP_BATCH=$BATCH "$BIN/of-sweep" >"$WORK/$1.log" 2>&1 &
  LAST=$!
  PIDS+=("$LAST")
}
stop_all() {
  local p rc
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    rc=0
    wait "$p" || rc=$?
    ((rc == 0)) || die "of-sweep $p exited with $rc (see $WORK/*.log)"
  done
  PIDS=()
}
stmts() { admin "SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'" | awk '{print $2}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# the platform clock (OF_PLATFORM_UTC_OFFSET_S ahead of UTC): due times are compared with it
OFF=${OF_PLATFORM_UTC_OFFSET_S:-28800}
declare -A R

# load_waiting: customers 1..WAITING+DUE/2, the WAITING not-due orders (one per customer, due tomorrow)
load_waiting() {
  local c=$((WAITING + DUE / 2))
  admin "INSERT INTO crm_customer (customer_id, customer_no, nick, name) SELECT seq, CONCAT('KB', seq), CONCAT('bench-', seq),
         '王小明' FROM seq_1_to_$c"
  admin "INSERT INTO sales_trade (trade_id, trade_no, platform_id, shop_id, trade_status, pay_status, delivery_term,
         trade_time, pay_time, delay_to_time, customer_id, receiver_name, receiver_mobile, receiver_province, receiver_city,
         receiver_district, receiver_address, warehouse_id, goods_count, goods_type_count, goods_amount, receivable, paid,
         src_tids)
         SELECT seq, CONCAT('W', seq), 1, 1, 16, 2, 1, NOW(), NOW(), NOW() + INTERVAL 1 DAY + INTERVAL $OFF SECOND, seq,
         '王小明', '13800000000', '上海', '上海市', '浦东新区', '世纪大道100号', 1, 1, 1, 128, 128, 128, CONCAT('BW', seq)
         FROM seq_1_to_$WAITING"
  admin "INSERT INTO sales_trade_order (trade_id, platform_id, shop_id, src_tid, src_oid, spec_id, goods_id, num,
         actual_num, share_amount, paid, weight, spec_no, stock_reserved, reserved_warehouse_id, reserved_num)
         SELECT seq, 1, 1, CONCAT('BW', seq), CONCAT('BW', seq, '-1'), 1, 1, 1, 1, 128, 128, 0.35, 'SKU-TEA-001', 2, 1, 1
         FROM seq_1_to_$WAITING"
}
# load_due: the DUE orders (delay passed an hour ago), two per customer WAITING+1 …, their lines, the counter; and
# everything an earlier drain wrote (merges, logs, sales, events, the stock log) cleared
load_due() {
  admin "DELETE FROM sales_trade_order WHERE trade_id > $WAITING; DELETE FROM sales_trade WHERE trade_id > $WAITING;
         TRUNCATE TABLE sales_trade_merge; TRUNCATE TABLE sales_trade_log; TRUNCATE TABLE stat_daily_sales;
         TRUNCATE TABLE outbox; TRUNCATE TABLE stock_change_log;
         UPDATE api_trade SET deliver_trade_id = 0 WHERE deliver_trade_id > 0"
  admin "INSERT INTO sales_trade (trade_id, trade_no, platform_id, shop_id, trade_status, pay_status, delivery_term,
         trade_time, pay_time, delay_to_time, customer_id, receiver_name, receiver_mobile, receiver_province, receiver_city,
         receiver_district, receiver_address, warehouse_id, goods_count, goods_type_count, goods_amount, receivable, paid,
         src_tids)
         SELECT $WAITING + seq, CONCAT('D', seq), 1, 1, 16, 2, 1, NOW(), NOW(), NOW() - INTERVAL 1 HOUR + INTERVAL $OFF SECOND,
         $WAITING + (seq + 1) DIV 2, '王小明', '13800000000', '上海', '上海市', '浦东新区', '世纪大道100号', 1, 1, 1, 128, 128,
         128, CONCAT('BD', seq) FROM seq_1_to_$DUE"
  admin "INSERT INTO sales_trade_order (trade_id, platform_id, shop_id, src_tid, src_oid, spec_id, goods_id, num,
         actual_num, share_amount, paid, weight, spec_no, stock_reserved, reserved_warehouse_id, reserved_num)
         SELECT $WAITING + seq, 1, 1, CONCAT('BD', seq), CONCAT('BD', seq, '-1'), 1, 1, 1, 1, 128, 128, 0.35, 'SKU-TEA-001',
         2, 1, 1 FROM seq_1_to_$DUE"
  admin "UPDATE stock_spec SET order_num = $((WAITING + DUE)) WHERE warehouse_id = 1 AND spec_id = 1"
}
left() { admin "SELECT COUNT(*) FROM sales_trade WHERE trade_id > $WAITING AND trade_status <> 30"; }
drain() { # name instances -> rate in R_<name>
  local name=$1 k=$2 t0 t1 s0 s1 i
  load_due
  s0=$(stmts)
  t0=$(now)
  for ((i = 1; i <= k; i++)); do start_sweep "$name-$i"; done
  for ((i = 0; i < 36000; i++)); do
    [[ $(left) == 0 ]] && break
    sleep 0.1
  done
  t1=$(now)
  s1=$(stmts)
  [[ $(left) == 0 ]] || die "$name: due orders left after an hour"
  local hwm
  hwm=$(hwm_kb "${PIDS[0]}")
  stop_all
  local secs merges
  secs=$(elapsed "$t0" "$t1")
  merges=$(admin "SELECT COUNT(*) FROM sales_trade_merge")
  ((merges == DUE / 2)) || die "$name: $merges merges, want $((DUE / 2))"
  R[$name]=$(rate "$DUE" "$secs")
  say "    $name: $DUE due orders moved (into $((DUE / 2)) merged orders) in $secs s: ${R[$name]} orders/s, $(awk -v a="$s0" -v b="$s1" -v n="$DUE" 'BEGIN { printf "%.2f", (b - a) / n }') statements/order, RSS $((hwm / 1024)) MB"
  stock_check "$name"
}

# ------------------------------------------------------------------ setup
say "build (Release, $BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DOF_SANITIZE=OFF -DOF_TESTS=OFF -DOF_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target of-sweep ordctl -- --no-print-directory >/dev/null || die "build failed"
mkdir -p "$OF_STATE_DIR" "$WORK"
say "fresh stack ($OF_STATE_DIR, mysql :$OF_MYSQL_PORT, redis :$OF_REDIS_PORT, kafka :$OF_KAFKA_PORT)"
bash scripts/stack.sh down --purge >/dev/null 2>&1 || true
bash scripts/stack.sh up >/dev/null
export OF_CONFIG=$OF_STATE_DIR/stack.env
ordctl migrate >/dev/null
reset_db >/dev/null
say "load $WAITING waiting orders (due tomorrow)"
load_waiting

# ------------------------------------------------------------------ (a) idle
say "(a) idle: one of-sweep, $WAITING waiting orders, none due, ${IDLE_S} s"
start_sweep idle
sleep 3
s0=$(stmts)
c0=$(cpu_ticks "$LAST")
t0=$(now)
sleep "$IDLE_S"
s1=$(stmts)
c1=$(cpu_ticks "$LAST")
t1=$(now)
hwm=$(hwm_kb "$LAST")
stop_all
secs=$(elapsed "$t0" "$t1")
hz=$(getconf CLK_TCK)
R[idle_qps]=$(awk -v a="$s0" -v b="$s1" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) / s }')
R[idle_cpu]=$(awk -v a="$c0" -v b="$c1" -v s="$secs" -v hz="$hz" 'BEGIN { printf "%.2f", 1000 * (b - a) / hz / s }')
say "    idle: ${R[idle_qps]} statements/s, ${R[idle_cpu]} ms CPU per second ($(awk -v m="${R[idle_cpu]}" 'BEGIN { printf "%.3f", m / 10 }') % of a core), RSS $((hwm / 1024)) MB"
admin "EXPLAIN (SELECT customer_id FROM sales_trade WHERE trade_status IN (15, 16) AND delay_to_time < NOW() AND customer_id > 0 LIMIT 256)" >"$WORK/explain-candidates.txt"
say "    candidate read plan: $(awk -F'\t' '{print "type=" $4 " key=" $6 " rows=" $9 " " $10}' "$WORK/explain-candidates.txt" | head -1)"

# ------------------------------------------------------------------ (b)(c) drains
say "(b) $DUE due orders, one of-sweep (OF_SWEEP_BATCH=$BATCH)"
drain one 1
say "(c) the same, two of-sweep instances"
drain two 2

# ------------------------------------------------------------------ (d) ceiling
say "(d) ceiling: the same outcome by a stored procedure, $BATCH customers a transaction"
load_due
admin "DROP PROCEDURE IF EXISTS bench_sweep_ceiling"
mariadb --no-defaults --socket="$OF_STATE_DIR/mysql/mysqld.sock" --user="$(id -un)" orderfleet <<'SQL'
DELIMITER //
CREATE PROCEDURE bench_sweep_ceiling(IN c0 BIGINT, IN c1 BIGINT, IN step INT)
BEGIN
  DECLARE lo BIGINT DEFAULT c0;
  WHILE lo <= c1 DO
    START TRANSACTION;
    INSERT INTO sales_trade_merge (from_trade_id, from_trade_no, into_trade_id, rule_id, from_status, src_tids, receivable)
      SELECT t.trade_id, t.trade_no, m.trade_id, 'MID-MRG-02', 16, t.src_tids, t.receivable FROM sales_trade t JOIN sales_trade m
      ON m.customer_id = t.customer_id AND m.trade_id < t.trade_id WHERE t.customer_id BETWEEN lo AND lo + step - 1;
    INSERT INTO sales_trade_log (trade_id, type, rule_id, message)
      SELECT trade_id, 4, 'MID-DLY-03', 'delay over' FROM sales_trade WHERE customer_id BETWEEN lo AND lo + step - 1;
    UPDATE sales_trade_order o JOIN sales_trade t ON t.trade_id = o.trade_id JOIN sales_trade m ON m.customer_id = t.customer_id
      AND m.trade_id < t.trade_id SET o.trade_id = m.trade_id WHERE t.customer_id BETWEEN lo AND lo + step - 1;
    DELETE t FROM sales_trade t JOIN sales_trade m ON m.customer_id = t.customer_id AND m.trade_id < t.trade_id
      WHERE t.customer_id BETWEEN lo AND lo + step - 1;
    UPDATE sales_trade SET trade_status = 30, delay_to_time = NULL, goods_count = goods_count + 1, goods_amount =
      goods_amount + 128, receivable = receivable + 128, paid = paid + 128, version = version + 1
      WHERE customer_id BETWEEN lo AND lo + step - 1;
    INSERT INTO stat_daily_sales (sales_date, shop_id, warehouse_id, spec_id, num, amount) VALUES (CURDATE(), 1, 1, 1,
      2 * step, 256 * step) ON DUPLICATE KEY UPDATE num = num + VALUES(num), amount = amount + VALUES(amount);
    COMMIT;
    SET lo = lo + step;
  END WHILE;
END //
DELIMITER ;
SQL
t0=$(now)
admin "CALL bench_sweep_ceiling($((WAITING + 1)), $((WAITING + DUE / 2)), $BATCH)"
t1=$(now)
[[ $(left) == 0 ]] || die "ceiling: due orders left"
secs=$(elapsed "$t0" "$t1")
R[ceiling]=$(rate "$DUE" "$secs")
say "    ceiling: $DUE due orders in $secs s: ${R[ceiling]} orders/s"
stock_check ceiling

say "summary ($WAITING waiting orders, $DUE due in pairs, OF_SWEEP_BATCH=$BATCH):"
printf '  %-34s %10s %8s\n' "run" "orders/s" "ceiling"
printf '  %-34s %10s %8s\n' "ceiling (stored procedure)" "${R[ceiling]}" "1.00"
printf '  %-34s %10s %8s\n' "of-sweep, 1 instance" "${R[one]}" "$(ratio "${R[one]}" "${R[ceiling]}")"
printf '  %-34s %10s %8s\n' "of-sweep, 2 instances" "${R[two]}" "$(ratio "${R[two]}" "${R[ceiling]}")"
printf '  idle: %s statements/s, %s ms CPU per second\n' "${R[idle_qps]}" "${R[idle_cpu]}"
DONE=1
