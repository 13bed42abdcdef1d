#!/usr/bin/env bash
# it_submit_crash.sh -- trade-submit killed with SIGKILL in the middle of submitting and restarted: no order
# missing or doubled, the stock check passes, the outcome equals a clean run's; then two instances in one group
# give the same result as one (trade-rules §3, exactly-once effect); then one instance with two lanes
# (OF_WORKER_LANES=2, D-T10-63), killed mid-run and restarted, gives it too.
source "$(dirname "$0")/lib.sh"
it_ns 7
source "$REPO/data/sample/expected_submit.sh"
SAMPLE=$REPO/data/sample/raw_trades.jsonl

outcome() {
  sql "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM sales_trade), (SELECT COUNT(*) FROM sales_trade_order),
        (SELECT GROUP_CONCAT(CONCAT(trade_status, ':', n) ORDER BY trade_status) FROM (SELECT trade_status, COUNT(*) n FROM sales_trade GROUP BY trade_status) x),
        (SELECT CONCAT_WS(',', SUM(unpay_num), SUM(order_num), SUM(subscribe_num)) FROM stock_spec))"
}
check_once() { # what
  assert_eq "$(sql 'SELECT COUNT(*) FROM (SELECT raw_trade_id FROM sales_trade GROUP BY raw_trade_id HAVING COUNT(*) > 1) x')" "0" "$1: no raw trade with two orders"
  assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade WHERE process_status = 20 AND deliver_trade_id = 0')" "0" "$1: no submitted raw trade without its order"
  assert_eq "$(sql 'SELECT COUNT(*) FROM stock_change_log')" "$(sql 'SELECT COUNT(*) FROM sales_trade_order WHERE stock_reserved > 0')" "$1: one stock log row per reserved line"
  stock_check "$1"
}

# kill_mid_run NAME: SIGKILL once 60 orders are made; the kill must land mid-run, or this test proves nothing (issue
# 10, item 6): the clean run's order count is the first figure of EXPECTED_OUTCOME
total=${EXPECTED_OUTCOME%% *}
kill_mid_run() {
  for _ in $(seq 1 400); do
    n=$(sql 'SELECT COUNT(*) FROM sales_trade')
    [[ $n -ge 60 ]] && break
    sleep 0.05
  done
  kill9_worker "$1"
  at_kill=$(sql 'SELECT COUNT(*) FROM sales_trade')
  log "orders when $1 was killed: $at_kill"
  [[ $at_kill -gt 0 && $at_kill -lt $total ]] || fail "the kill of $1 did not land mid-run: $at_kill of $total orders made"
}

export OF_BATCH_SIZE=10 # small transactions, so the kill lands between them
publish "$SAMPLE"
start_worker a
kill_mid_run a
check_once "after the kill"
start_worker b
wait_idle || fail "restarted worker did not catch up"
stop_worker b
check_once "after the restart"
assert_eq "$(outcome)" "$(echo "$EXPECTED_OUTCOME")" "crash + restart: same outcome as a clean run"

reset_db
export OF_KAFKA_GROUP="it.ns7.two"
start_worker c
start_worker d
sleep 1
wait_idle trade.raw 180 || fail "two instances did not catch up"
stop_worker c
stop_worker d
check_once "two instances"
assert_eq "$(outcome)" "$(echo "$EXPECTED_OUTCOME")" "two instances: same outcome as one"

# one instance, two lanes: killed mid-run, restarted, the same outcome
reset_db
export OF_KAFKA_GROUP="it.ns7.lanes" OF_WORKER_LANES=2
start_worker e
kill_mid_run e
grep -q 'msg="batches run on lanes, shared out by partition" lanes=2' "$WORK/e.log" || fail "instance e did not run two lanes"
check_once "two lanes, after the kill"
start_worker f
wait_idle trade.raw 180 || fail "the restarted two-lane instance did not catch up"
stop_worker f
check_once "two lanes, after the restart"
assert_eq "$(outcome)" "$(echo "$EXPECTED_OUTCOME")" "two lanes, crash + restart: same outcome as a clean run"
unset OF_WORKER_LANES
