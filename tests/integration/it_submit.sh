#!/usr/bin/env bash
# it_submit.sh -- trade-rules §3 end to end on the real stack: the sample raw trades become system orders with
# the expected statuses, warehouses, logistics and stock counters; the stock check passes; a replay of the
# raw-trade topic changes nothing; explain answers "why this warehouse".
source "$(dirname "$0")/lib.sh"
it_ns 6
source "$REPO/data/sample/expected_submit.sh" # fixes OF_PLATFORM_NOW before the worker starts
SAMPLE=$REPO/data/sample/raw_trades.jsonl
INVALID=$REPO/data/sample/raw_trades_invalid.jsonl

publish "$SAMPLE"
publish --no-validate "$INVALID"
start_worker a
wait_idle || fail "trade-submit did not catch up"

raw=$(sql 'SELECT COUNT(*) FROM api_trade')
submitted=$(sql 'SELECT COUNT(*) FROM api_trade WHERE process_status = 20')
orders=$(sql 'SELECT COUNT(*) FROM sales_trade')
log "raw trades $raw, submitted $submitted, orders $orders"
assert_eq "$orders" "$submitted" "one order per submitted raw trade"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade WHERE submitted_at IS NULL')" "0" "every raw trade went through the submission"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade a LEFT JOIN sales_trade s ON s.trade_id = a.deliver_trade_id
                  WHERE a.process_status = 20 AND s.raw_trade_id <> a.rec_id')" "0" "deliver_trade_id points at its order"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade WHERE process_status = 10 AND (bad_reason = 0 OR submit_rule = '')")" "0" \
  "a raw trade left pending carries its bad_reason and the rule that stopped it"
assert_eq "$(sql 'SELECT COUNT(*) FROM sales_trade st WHERE NOT EXISTS (SELECT 1 FROM sales_trade_order o WHERE o.trade_id = st.trade_id)')" "0" \
  "every order has lines"
assert_eq "$(sql 'SELECT COUNT(*) FROM sales_trade st WHERE NOT EXISTS (SELECT 1 FROM sales_trade_log l WHERE l.trade_id = st.trade_id AND l.rule_id = "SUB-LOG-01")')" "0" \
  "every order has its SUB-LOG-01 logs"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_trace WHERE decision_trace IS NULL OR JSON_LENGTH(decision_trace) < 5")" "0" \
  "every order stores its decision trace"
assert_eq "$(sql "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'sales_trade' AND is_generated = 'ALWAYS'")" "0" \
  "sales_trade has no generated column (D-T10-69: MariaDB computes them on every insert; the trace's JSON is the view sales_trade_trace)"
assert_eq "$(sql 'SELECT COUNT(*) FROM sales_trade WHERE trade_status IN (10,12,15,16,19,20,27,55) AND warehouse_id = 0')" "0" \
  "every reserving status has a warehouse"
stock_check "after the sample"

# expected outcomes of the sample (data/sample/expected_submit.sh, reviewed in docs/sample-outcomes.md)

assert_eq "$(sql 'SELECT GROUP_CONCAT(CONCAT(trade_status, ":", n) ORDER BY trade_status) FROM (SELECT trade_status, COUNT(*) n FROM sales_trade GROUP BY trade_status) x')" \
  "$EXPECT_STATUSES" "orders per status"
assert_eq "$(sql "SELECT COUNT(*) > 0 FROM sales_trade_trace WHERE JSON_SEARCH(decision_trace, 'one', 'SUB-WH-06') IS NOT NULL")" "1" \
  "some orders were placed by the stock tiers (SUB-WH-06/07)"
assert_eq "$(sql 'SELECT GROUP_CONCAT(CONCAT(submit_rule, ":", n) ORDER BY submit_rule) FROM (SELECT submit_rule, COUNT(*) n FROM api_trade WHERE process_status <> 20 GROUP BY submit_rule) x')" \
  "$EXPECT_STOPS" "raw trades not submitted, per rule"
assert_eq "$(sql 'SELECT CONCAT_WS(",", SUM(unpay_num), SUM(order_num), SUM(subscribe_num)) FROM stock_spec')" \
  "$EXPECT_STOCK" "reserved unpay,order,subscribe"
for check in "${EXPECT_ORDERS[@]}"; do
  IFS='|' read -r tid want <<<"$check"
  want=${want%%#*}
  want=${want%"${want##*[![:space:]]}"}
  assert_eq "$(sql "SELECT CONCAT_WS(' ', st.trade_status, st.warehouse_id, st.logistics_id, st.logistics_by, st.package_id, st.post_cost, st.area_alias)
                    FROM sales_trade st JOIN api_trade a ON a.rec_id = st.raw_trade_id WHERE a.tid = '$tid'")" "$want" "$tid status/warehouse/logistics/package/fee/alias"
done

# explain answers why
ordctl explain --tid "$EXPLAIN_TID" >"$WORK/explain.out" 2>&1 || fail "ordctl explain exited non-zero"
grep -q 'SUB-WH-' "$WORK/explain.out" || fail "explain shows no warehouse rule"
grep -q '^why' "$WORK/explain.out" || fail "explain prints no trace"
grep -q 'SUB-LOG-01' "$WORK/explain.out" || fail "explain prints no order log"
log "explain of $EXPLAIN_TID:"; sed -n '1,12p' "$WORK/explain.out"
# interceptions and exceptions (trade-rules §1.8, §1.9; set by trade-modify) are named
oid=$(sql "SELECT MIN(trade_id) FROM sales_trade")
sql "UPDATE sales_trade SET block_reason = 12, bad_reason = 2 WHERE trade_id = $oid"
ordctl explain --order "$oid" >"$WORK/explain2.out" 2>&1 || fail "ordctl explain --order exited non-zero"
grep -Eq '^  blocked +12: address changed, invoice/warehouse changed$' "$WORK/explain2.out" ||
  fail "explain does not name the block_reason bits: $(grep -E 'blocked|exception' "$WORK/explain2.out")"
grep -Eq '^  exception +2: address changed \(other state\)$' "$WORK/explain2.out" || fail "explain does not name the bad_reason bits"
sql "UPDATE sales_trade SET block_reason = 0, bad_reason = 0 WHERE trade_id = $oid"

# order events: one CREATED per order
for _ in $(seq 1 50); do [[ $(sql 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL') == 0 ]] && break; sleep 0.2; done
assert_eq "$(sql "SELECT COUNT(*) FROM outbox WHERE topic = 'order.events'")" "$orders" "one order event per order"

# replay: the same events again change nothing (no second order, no second reservation)
snap() { sql "SELECT CONCAT_WS('/', (SELECT COUNT(*) FROM sales_trade), (SELECT COUNT(*) FROM sales_trade_order),
              (SELECT COUNT(*) FROM sales_trade_log), (SELECT COUNT(*) FROM crm_customer),
              (SELECT MD5(GROUP_CONCAT(CONCAT_WS(',', warehouse_id, spec_id, unpay_num, order_num, subscribe_num) ORDER BY rec_id)) FROM stock_spec))"; }
before=$(snap)
redis_cli --scan --pattern "it:ns6:*" | while read -r k; do redis_cli del "$k" >/dev/null; done # defeat the fast path too
publish "$SAMPLE"
wait_idle || fail "replay not consumed"
assert_eq "$(snap)" "$before" "replay of the raw-trade topic: nothing changed"
stock_check "after the replay"

# later versions of submitted trades: no new order, their change bits stay raised for trade-modify
# (SUB-UPD-02 clears modify_flag at submission; a change after it must not be lost)
publish "$REPO/data/sample/raw_trades_changed.jsonl"
wait_idle || fail "changed versions not consumed"
assert_eq "$(sql 'SELECT COUNT(*) FROM sales_trade')" "$orders" "changed versions create no order"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade WHERE modify_flag <> 0')" "16" "changed trades keep their modify_flag bits"

# a strategy change reaches the running worker within OF_CATALOG_REFRESH_S (D-SUB-5)
loads=$(grep -c 'msg="catalogue loaded"' "$WORK/a.log")
sql "UPDATE cfg_setting SET setting_value = '1' WHERE setting_key = 'CFG_GRAB'"
for _ in $(seq 1 40); do [[ $(grep -c 'msg="catalogue loaded"' "$WORK/a.log") -gt $loads ]] && break; sleep 0.25; done
[[ $(grep -c 'msg="catalogue loaded"' "$WORK/a.log") -gt $loads ]] || fail "a changed setting did not reload the catalogue"
stop_worker a
