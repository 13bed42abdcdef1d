#!/usr/bin/env bash
# it_change.sh -- a stored trade arriving changed: the right modify_flag bits (trade-rules §1.10, §1.11)
# on the rows, exactly one TradeChange event per changed version, older versions ignored.
source "$(dirname "$0")/lib.sh"
it_ns 2

# base: one unpaid trade with two sub-orders; each variant changes one aspect and is newer
base='{"platform_id":1,"shop_no":"tb-flagship","tid":"IT-CHG-1","trade_status":10,"pay_status":0,"refund_status":0,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","pay_time":"","modified":"MOD","buyer_nick":"chg-buyer","receiver_name":"王小明","receiver_mobile":"13800000000","receiver_province":"上海","receiver_city":"上海市","receiver_district":"浦东新区","receiver_address":"世纪大道100号","cs_remark":"","buyer_message":"","invoice_type":0,"invoice_title":"","warehouse_no":"","goods_count":3,"goods_type_count":2,"post_amount":"10.00","paid":"0.00","orders":[{"oid":"IT-CHG-1-1","status":10,"refund_status":0,"goods_id":"TB-G1001","spec_id":"TB-S1001-1","spec_no":"SKU-TEA-001","num":2,"price":"59.00"},{"oid":"IT-CHG-1-2","status":10,"refund_status":0,"goods_id":"TB-G1002","spec_id":"TB-S1002-1","spec_no":"SKU-TEA-002","num":1,"price":"88.00"}]}'
base0=$base
n=0
version() { # version -> the current base as a JSON line with modified time number n
  sed -E "s/\"modified\":\"MOD\"/\"modified\":\"2026-11-20 11:$(printf %02d $n):00\"/" <<<"$base"
}
# Changes are cumulative: each version differs from the one stored before it in exactly one aspect.
expect_change() { # expect_change WHAT SED TRADE_BITS ORDERS
  local line
  base=$(sed -E "$2" <<<"$base")
  n=$((n + 1))
  line=$(version)
  printf '%s\n' "$line" >"$WORK/v.jsonl"
  local before
  before=$(ordctl events trade.changed 2>/dev/null | tail -1 | sed 's/events: //')
  publish "$WORK/v.jsonl"
  wait_idle || fail "$1: not consumed"
  local evs
  evs=$(ordctl events trade.changed 2>/dev/null)
  assert_eq "$(tail -1 <<<"$evs" | sed 's/events: //')" "$((before + 1))" "$1: one change event"
  local last
  last=$(grep '^event ' <<<"$evs" | tail -1)
  assert_eq "$(sed -E 's/.* modify_flag=([0-9]+) .*/\1/' <<<"$last")" "$3" "$1: trade bits in the event"
  assert_eq "$(sed -E 's/.* orders=(.*)$/\1/' <<<"$last")" "$4" "$1: sub-order bits in the event"
  assert_eq "$(sed -E 's/.* key=([^ ]*) .*/\1/' <<<"$last")" "1:chg-buyer" "$1: keyed by the buyer (D-MOD-26)"
}

start_worker a
printf '%s\n' "$(version)" >"$WORK/v0.jsonl"
publish "$WORK/v0.jsonl"
wait_idle || fail "base not consumed"
assert_eq "$(sql "SELECT modify_flag FROM api_trade WHERE tid='IT-CHG-1'")" "0" "base version: no bits"
# the trade.changed topic has 2 partitions in a test namespace; all events of one buyer share one
# partition (key platform:buyer, D-MOD-26), so "the last line" of the listing is the newest event.
expect_change "status+pay (1|2)" 's/"trade_status":10,"pay_status":0/"trade_status":30,"pay_status":2/' 3 ""
expect_change "refund status (4)" 's/"refund_status":0,"delivery_term"/"refund_status":1,"delivery_term"/' 4 ""
expect_change "CS remark (8)" 's/"cs_remark":""/"cs_remark":"顺丰发货"/' 8 ""
expect_change "address (16)" 's/世纪大道100号/世纪大道200号/' 16 ""
expect_change "receiver mobile (16)" 's/13800000000/13900000000/' 16 ""
expect_change "invoice (32)" 's/"invoice_title":""/"invoice_title":"某公司"/' 32 ""
expect_change "warehouse (64)" 's/"warehouse_no":""/"warehouse_no":"SH-01"/' 64 ""
expect_change "client remark (128)" 's/"buyer_message":""/"buyer_message":"送礼物"/' 128 ""
expect_change "sub-order status (o1)" 's/"oid":"IT-CHG-1-1","status":10/"oid":"IT-CHG-1-1","status":30/' 0 "IT-CHG-1-1:1"
expect_change "sub-order refund (o2)" 's/"oid":"IT-CHG-1-2","status":10,"refund_status":0/"oid":"IT-CHG-1-2","status":10,"refund_status":2/' 0 "IT-CHG-1-2:2"
expect_change "sub-order goods (o16)" 's/"spec_id":"TB-S1002-1","spec_no":"SKU-TEA-002"/"spec_id":"TB-S1003-1","spec_no":"SKU-TEA-003"/' 0 "IT-CHG-1-2:16"
expect_change "new sub-order (o16 added)" 's/\]\}$/,{"oid":"IT-CHG-1-3","status":10,"num":1,"price":"1.00"}]}/' 0 "IT-CHG-1-3:16+"

# modify_flag accumulates on the rows until trade-modify clears it (MOD-END-01)
assert_eq "$(sql "SELECT modify_flag FROM api_trade WHERE tid='IT-CHG-1'")" "255" "api_trade.modify_flag = OR of all bits"
assert_eq "$(sql "SELECT GROUP_CONCAT(oid, ':', modify_flag ORDER BY oid) FROM api_trade_order WHERE tid='IT-CHG-1'")" \
  "IT-CHG-1-1:1,IT-CHG-1-2:18,IT-CHG-1-3:16" "api_trade_order.modify_flag per sub-order"

# the same version again: no event; an older version (stale): ignored, no event
cp "$WORK/v.jsonl" "$WORK/again.jsonl"
before=$(ordctl events trade.changed 2>/dev/null | tail -1)
publish "$WORK/again.jsonl"
sed -E 's/"modified":"[^"]*"/"modified":"2026-11-20 09:00:00"/; s/世纪大道200号/旧地址/' "$WORK/v.jsonl" >"$WORK/old.jsonl"
publish "$WORK/old.jsonl"
wait_idle || fail "stale not consumed"
assert_eq "$(ordctl events trade.changed 2>/dev/null | tail -1)" "$before" "no event for a repeat or a stale version"
assert_eq "$(sql "SELECT receiver_address FROM api_trade WHERE tid='IT-CHG-1'")" "世纪大道200号" "stale version not applied"
assert_eq "$(sql "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")" "0" "every change event delivered (outbox)"
stop_worker a
grep -q ' stale=1 ' "$WORK/a.log" || fail "stale version not counted"

log "two versions of a new trade in one batch: the first is submitted, the second's bits survive it (D-T10-50)"
b2=$(sed -E 's/IT-CHG-1/IT-CHG-2/g; s/"buyer_nick":"chg-buyer"/"buyer_nick":"chg-buyer-2"/' <<<"$base0")
v1=$(sed -E 's/"modified":"[^"]*"/"modified":"2026-11-21 10:00:00"/; s/"trade_status":[0-9]+,"pay_status":[0-9]+/"trade_status":10,"pay_status":0/' <<<"$b2")
v2=$(sed -E 's/"modified":"[^"]*"/"modified":"2026-11-21 10:05:00"/; s/"trade_status":[0-9]+,"pay_status":[0-9]+/"trade_status":30,"pay_status":2/' <<<"$b2")
printf '%s\n%s\n' "$v1" "$v2" >"$WORK/two.jsonl"
publish "$WORK/two.jsonl" # the worker is stopped: both versions come in one batch
OF_BATCH_WAIT_MS=200 start_worker b # one batch even if the fetch comes in parts
wait_idle || fail "two versions not consumed"
stop_worker b
assert_eq "$(sql "SELECT CONCAT(process_status, '/', modify_flag) FROM api_trade WHERE tid='IT-CHG-2'")" "20/3" \
  "first version submitted, the second's status+pay bits kept for trade-modify"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade WHERE src_tids='IT-CHG-2'")" "1" "one order"
