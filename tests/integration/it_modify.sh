#!/usr/bin/env bash
# it_modify.sh -- trade-modify end to end on the real stack (trade-rules §4): change sequences reach the system order
# (status, lines, stock counters, block_reason / bad_reason, logs, stock check), a replay changes nothing.
source "$(dirname "$0")/lib.sh"
it_ns 18
export OF_RETRY_LADDER=1,1,1,1 # the compressed ladder for the waiting changes (sequence 6)

# trade TID NICK: an unpaid trade (status 10) with two sub-orders, shipped to Shanghai (warehouse SH-01)
trade() {
  printf '%s' '{"platform_id":1,"shop_no":"tb-flagship","tid":"'"$1"'","trade_status":10,"pay_status":0,"refund_status":0,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","pay_time":"","modified":"2026-11-20 10:00:00","buyer_nick":"'"$2"'","receiver_name":"王小明","receiver_mobile":"13800000000","receiver_province":"上海","receiver_city":"上海市","receiver_district":"浦东新区","receiver_address":"世纪大道100号","cs_remark":"","buyer_message":"","invoice_type":0,"invoice_title":"","warehouse_no":"","goods_count":3,"goods_type_count":2,"post_amount":"10.00","paid":"0.00","orders":[{"oid":"'"$1"'-1","status":10,"refund_status":0,"goods_id":"TB-G1001","spec_id":"TB-S1001-1","spec_no":"SKU-TEA-001","num":2,"price":"128.00","share_amount":"256.00"},{"oid":"'"$1"'-2","status":10,"refund_status":0,"goods_id":"TB-G1002","spec_id":"TB-S1002-1","spec_no":"SKU-TEA-003","num":1,"price":"88.00","share_amount":"88.00"}]}'
}
paid() { sed -E 's/"trade_status":10,"pay_status":0/"trade_status":30,"pay_status":2/; s/"pay_time":""/"pay_time":"2026-11-20 10:05:00"/; s/"status":10,/"status":30,/g; s/"paid":"0.00"/"paid":"354.00"/'; }
at() { sed -E "s/\"modified\":\"[^\"]*\"/\"modified\":\"2026-11-20 $1\"/"; }
send() { send_version "$1"; }
order_of() { sql "SELECT deliver_trade_id FROM api_trade WHERE tid='$1'"; }
st() { sql "SELECT CONCAT_WS(' ', trade_status, pay_status, refund_status, block_reason, bad_reason, warehouse_id) FROM sales_trade WHERE trade_id=$1"; }
lines() { sql "SELECT GROUP_CONCAT(CONCAT(src_oid, ':', actual_num, '/', refund_status, '/', stock_reserved, '@', reserved_warehouse_id) ORDER BY src_oid) FROM sales_trade_order WHERE trade_id=$1"; }
counter() { sql "SELECT CONCAT_WS(' ', unpay_num, order_num) FROM stock_spec WHERE warehouse_id=$1 AND spec_id=$2"; }
bits() { sql "SELECT CONCAT(a.modify_flag, '/', IFNULL(SUM(o.modify_flag), 0)) FROM api_trade a LEFT JOIN api_trade_order o ON o.api_trade_id = a.rec_id WHERE a.tid='$1' GROUP BY a.rec_id"; }
logged() { sql "SELECT COUNT(*) FROM sales_trade_log WHERE trade_id=$1 AND rule_id='$2'"; }

start_worker s
start_modify m
log "bad input on trade.changed: dead letters with their reasons, the worker goes on"
ordctl produce-raw --topic trade.changed --key 1:X --text garbage >/dev/null 2>&1 || fail "produce garbage"
ordctl produce-raw --topic trade.changed --key 1:X --hex "" >/dev/null 2>&1 || fail "produce empty"
wait_modified || fail "bad input not consumed"
assert_eq "$(grep -c 'msg=dead-lettered.*class=decode' "$WORK/m.log")" "1" "undecodable: dead letter (decode)"
assert_eq "$(grep -c 'msg=dead-lettered.*class=validation' "$WORK/m.log")" "1" "empty (no meta): dead letter (validation)"
kill -0 "$PID_m" 2>/dev/null || fail "trade-modify died on bad input"

log "sequence 1: unpaid → paid → address → partial refund → refund cancelled"
t1=$(trade IT-MOD-1 mod-buyer-1)
send "$t1"
o1=$(order_of IT-MOD-1)
assert_eq "$(st "$o1")" "10 0 0 0 0 1" "unpaid order on SH-01"
assert_eq "$(counter 1 1)" "2 0" "SKU-TEA-001 on SH-01: unpay_num 2"
t1=$(paid <<<"$t1" | at 10:05:00)
send "$t1"
s=$(st "$o1")
[[ ${s%% *} == 16 || ${s%% *} == 20 ]] || fail "paid order: status $s, want 16 or 20 (MOD-T1-05)"
assert_eq "$(counter 1 1)" "0 2" "MOD-T1-03/11: reservation moved from unpay_num to order_num"
assert_eq "$(counter 1 3)" "0 1" "SKU-TEA-003 likewise"
assert_eq "$(lines "$o1")" "IT-MOD-1-1:2/0/2@1,IT-MOD-1-2:1/0/2@1" "MOD-T1-04: lines regenerated, reserving order_num"
assert_eq "$(logged "$o1" MOD-T1-18)" "1" "MOD-T1-18 log"
assert_eq "$(bits IT-MOD-1)" "0/0" "bits cleared (MOD-T1-14, MOD-END-01)"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade WHERE raw_trade_id=(SELECT rec_id FROM api_trade WHERE tid='IT-MOD-1')")" "1" "still one order"
stock_check "after paid"

t1=$(sed -E 's/世纪大道100号/世纪大道200号/; s/"cs_remark":""/"cs_remark":"改地址了"/' <<<"$t1" | at 10:10:00)
send "$t1"
assert_eq "$(sql "SELECT receiver_address FROM sales_trade WHERE trade_id=$o1")" "世纪大道200号" "MOD-T16-04: address on the order"
assert_eq "$(logged "$o1" MOD-T16-04)" "1" "MOD-T16-04 log"
assert_eq "$(sql "SELECT CONCAT_WS('|', cs_remark, remark_count, remark_changed) FROM sales_trade WHERE trade_id=$o1")" "改地址了|1|1" "MOD-T8-04 through the re-submission: remark counted"
assert_eq "$(sql "SELECT COUNT(*) FROM crm_customer_address a JOIN sales_trade t ON t.customer_id = a.customer_id WHERE t.trade_id=$o1 AND a.address='世纪大道200号'")" "1" "MOD-T16-01: address book"
stock_check "after the address change"

t1=$(sed -E 's/"oid":"IT-MOD-1-2","status":30,"refund_status":0/"oid":"IT-MOD-1-2","status":80,"refund_status":5/' <<<"$t1" | at 10:15:00)
send "$t1"
assert_eq "$(lines "$o1")" "IT-MOD-1-1:2/0/2@1,IT-MOD-1-2:0/5/0@0" "MOD-O1-06/07: the refunded line released"
assert_eq "$(counter 1 3)" "0 0" "SKU-TEA-003 order_num released"
assert_eq "$(sql "SELECT CONCAT_WS(' ', refund_status, goods_count) FROM sales_trade WHERE trade_id=$o1")" "2 2" "MOD-O1-08: partial refund, 2 goods left"
assert_eq "$(sql "SELECT COUNT(*) FROM api_refund r JOIN api_refund_order o ON o.refund_id = r.rec_id WHERE r.tid='IT-MOD-1' AND o.oid='IT-MOD-1-2'")" "1" "MOD-O1-02: refund order"
assert_eq "$(bits IT-MOD-1)" "0/0" "sub-order bits cleared"
stock_check "after the partial refund"

t1=$(sed -E 's/"oid":"IT-MOD-1-2","status":80,"refund_status":5/"oid":"IT-MOD-1-2","status":30,"refund_status":1/' <<<"$t1" | at 10:20:00)
send "$t1"
assert_eq "$(lines "$o1")" "IT-MOD-1-1:2/0/2@1,IT-MOD-1-2:1/1/2@1" "MOD-O2-06: the line restored and reserved again"
assert_eq "$(counter 1 3)" "0 1" "SKU-TEA-003 order_num back"
assert_eq "$(sql "SELECT CONCAT_WS(' ', refund_status, goods_count) FROM sales_trade WHERE trade_id=$o1")" "0 3" "refund status recomputed"
stock_check "after the refund was cancelled"

log "sequence 2: paid → audited → whole trade refunded → intercepted"
t2=$(trade IT-MOD-2 mod-buyer-2 | paid)
send "$t2"
o2=$(order_of IT-MOD-2)
ordctl order audit "$o2" >"$WORK/audit.out" 2>&1 || { fail "ordctl order audit"; cat "$WORK/audit.out"; }
assert_eq "$(sql "SELECT COUNT(*) FROM stockout_order WHERE src_order_id=$o2")" "1" "audit: stockout order"
before=$(counter 1 1)
t2=$(sed -E 's/"trade_status":30/"trade_status":80/; s/"status":30,"refund_status":0/"status":80,"refund_status":5/g' <<<"$t2" | at 10:30:00)
send "$t2"
assert_eq "$(st "$o2")" "40 2 0 2 64 1" "MOD-T1-26: audited order blocked (block 2, bad 64), not released"
assert_eq "$(sql "SELECT block_reason FROM stockout_order WHERE src_order_id=$o2")" "2" "MOD-T1-26: the stockout order too"
assert_eq "$(counter 1 1)" "$before" "reservation kept until the user handles the refund"
assert_eq "$(sql "SELECT COUNT(*) FROM stockout_order_log l JOIN stockout_order s ON s.stockout_id = l.stockout_id WHERE s.src_order_id=$o2 AND l.rule_id='MOD-T1-26'")" "1" "stockout order log"
assert_eq "$(sql "SELECT process_status FROM api_trade WHERE tid='IT-MOD-2'")" "30" "MOD-T1-34: raw trade cancelled"
stock_check "after the interception"
ordctl order refund-handled "$o2" >"$WORK/rh.out" 2>&1 || { fail "ordctl order refund-handled"; cat "$WORK/rh.out"; }
assert_eq "$(st "$o2")" "5 2 3 0 0 1" "refund handled: lines released, interception lifted, no goods left: cancelled"
assert_eq "$(sql "SELECT CONCAT_WS(' ', status, block_reason) FROM stockout_order WHERE src_order_id=$o2")" "5 0" "its stockout order cancelled, unblocked"
assert_eq "$(counter 1 1)" "0 $((${before#* } - 2))" "the reservation released"
assert_eq "$(sql "SELECT COUNT(*) FROM sys_process_background WHERE type = 1 AND data LIKE '%OPS-REFUND%'")" "2" "platform stock jobs (MOD-T1-28)"
stock_check "after the refund was handled"

log "sequence 3: client remark only"
t3=$(trade IT-MOD-3 mod-buyer-3 | paid)
send "$t3"
o3=$(order_of IT-MOD-3)
s3=$(st "$o3")
t3=$(sed -E 's/"buyer_message":""/"buyer_message":"请周末送货"/' <<<"$t3" | at 10:40:00)
send "$t3"
assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id=$o3")" "请周末送货" "MOD-T128-02: client remark"
assert_eq "$(st "$o3")" "$s3" "nothing else changed"
assert_eq "$(logged "$o3" MOD-T128-02)" "1" "MOD-T128-02 log"
assert_eq "$(bits IT-MOD-3)" "0/0" "bit 128 cleared"

log "sequence 4: warehouse change on an unaudited order: stock moves SH-01 → GZ-01"
t4=$(trade IT-MOD-4 mod-buyer-4 | paid | sed -E 's/"num":1,"price":"88.00"/"num":1,"price":"88.00"/')
send "$t4"
o4=$(order_of IT-MOD-4)
sh=$(counter 1 1)
gz=$(counter 2 1)
t4=$(sed -E 's/"warehouse_no":""/"warehouse_no":"GZ-01"/' <<<"$t4" | at 10:50:00)
send "$t4"
assert_eq "$(sql "SELECT warehouse_id FROM sales_trade WHERE trade_id=$o4")" "2" "MOD-T64-02: warehouse selected again"
assert_eq "$(counter 1 1)" "0 $((${sh#* } - 2))" "SH-01 released 2"
assert_eq "$(counter 2 1)" "0 $((${gz#* } + 2))" "GZ-01 reserved 2"
assert_eq "$(logged "$o4" MOD-T64-02)" "1" "MOD-T64-02 log"
stock_check "after the warehouse change"

log "sequence 5: the paid version cannot be submitted again (goods not mapped): the order is kept (D-MOD-14)"
t5=$(trade IT-MOD-5 mod-buyer-5)
send "$t5"
o5=$(order_of IT-MOD-5)
l5=$(lines "$o5")
t5=$(paid <<<"$t5" | sed -E 's/"goods_id":"TB-G1002","spec_id":"TB-S1002-1","spec_no":"SKU-TEA-003"/"goods_id":"TB-G9999","spec_id":"TB-S9999-1","spec_no":"NO-SUCH-SKU"/' | at 11:00:00)
send "$t5"
assert_eq "$(st "$o5")" "10 0 0 0 0 1" "the order stays unpaid"
assert_eq "$(lines "$o5")" "$l5" "its lines and unpaid reservation kept"
assert_eq "$(sql "SELECT CONCAT(bad_reason > 0, ' ', submit_rule <> '') FROM api_trade WHERE tid='IT-MOD-5'")" "1 1" "the raw trade carries the stop"
assert_eq "$(logged "$o5" MOD-T1-04)" "1" "MOD-T1-04 log"
assert_eq "$(sql "SELECT outcome FROM sales_trade_change WHERE trade_id=$o5")" "resubmit-stopped" "recorded as resubmit-stopped"
stock_check "after the stopped re-submission"

log "sequence 6: a change of a trade not submitted yet waits on the retry ladder (D-MOD-17)"
OF_KAFKA_GROUP="$OF_KAFKA_GROUP-ladder" "$BIN/of-retry-ladder" >"$WORK/ladder.log" 2>&1 &
WORKERS+=("$!")
PID_ladder=$!
OF_KAFKA_GROUP="$OF_KAFKA_GROUP-dlq" OF_DEADLETTER_LOG="$WORK/deadletter.log" "$BIN/of-dlq-recorder" >"$WORK/dlq.log" 2>&1 &
WORKERS+=("$!")
PID_dlq=$!
t6=$(trade IT-MOD-6 mod-buyer-6 | paid)
t7=$(trade IT-MOD-7 mod-buyer-7 | paid)
send "$t6"
send "$t7"
o6=$(order_of IT-MOD-6)
# as if their submission had not run yet (pending, no stopping rule)
sql "UPDATE api_trade SET deliver_trade_id = 0, process_status = 10, submit_rule = '' WHERE tid IN ('IT-MOD-6', 'IT-MOD-7')"
t6=$(sed -E 's/"cs_remark":""/"cs_remark":"晚到的备注"/' <<<"$t6" | at 11:10:00)
t7=$(sed -E 's/"cs_remark":""/"cs_remark":"永远等不到"/' <<<"$t7" | at 11:10:00)
printf '%s\n%s\n' "$t6" "$t7" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
for _ in $(seq 1 100); do grep -q 'change waits on the retry ladder' "$WORK/m.log" && break; sleep 0.1; done
grep -q 'change waits on the retry ladder.*IT-MOD-6' "$WORK/m.log" || fail "IT-MOD-6's change did not go up the ladder"
assert_eq "$(sql "SELECT cs_remark FROM sales_trade WHERE trade_id=$o6")" "" "not applied while the trade is not submitted"
sql "UPDATE api_trade SET deliver_trade_id = $o6, process_status = 20 WHERE tid = 'IT-MOD-6'" # its submission lands
for _ in $(seq 1 150); do [[ $(sql "SELECT cs_remark FROM sales_trade WHERE trade_id=$o6") == 晚到的备注 ]] && break; sleep 0.1; done
assert_eq "$(sql "SELECT cs_remark FROM sales_trade WHERE trade_id=$o6")" "晚到的备注" "applied from the ladder once submitted"
assert_eq "$(bits IT-MOD-6)" "0/0" "its bits cleared"
for _ in $(seq 1 150); do [[ $(sql "SELECT COUNT(*) FROM dead_letter WHERE reason = 'exhausted'") == 1 ]] && break; sleep 0.1; done
assert_eq "$(sql "SELECT COUNT(*) FROM dead_letter WHERE reason = 'exhausted'")" "1" "the never-submitted one: a dead letter after its tries"
grep -q 'trade not submitted' <<<"$(sql "SELECT error FROM dead_letter WHERE reason = 'exhausted'")" || fail "dead letter reason"
# D-DLQ-3: the dead letter names the trade and the change (trade.changed is keyed by the buyer, not the order)
assert_eq "$(sql "SELECT CONCAT(subject, ' ', event_id LIKE 'tc-%') FROM dead_letter WHERE reason = 'exhausted'")" "tid:IT-MOD-7 1" \
  "the dead letter's subject and event id"
dl=$(ordctl dlq list --about tid:IT-MOD-7 2>/dev/null)
assert_eq "$(grep -c 'about=tid:IT-MOD-7 event_id=tc-' <<<"$dl")/$(tail -1 <<<"$dl" | sed 's/ of .*//')" "1/dead letters: 1 shown" \
  "dlq list --about tid:IT-MOD-7 finds it, and it alone"
assert_eq "$(ordctl dlq list --about tid:IT-MOD-6 2>/dev/null | tail -1 | sed 's/ of .*//')" "dead letters: 0 shown" \
  "dlq list --about tid:IT-MOD-6: none (applied from the ladder)"
grep -q ' dead_letter id=.* about=tid:IT-MOD-7 class=exhausted' "$WORK/deadletter.log" || fail "the text log names the trade"
assert_eq "$(bits IT-MOD-7)" "8/0" "its bit stays on the row (nothing lost)"
stop_worker ladder
stop_worker dlq
log "the operator's path: the trade is submitted after all, its dead letter re-driven, the change applied"
o7=$(sql "SELECT trade_id FROM sales_trade WHERE raw_trade_id = (SELECT rec_id FROM api_trade WHERE tid = 'IT-MOD-7')")
sql "UPDATE api_trade SET deliver_trade_id = $o7, process_status = 20 WHERE tid = 'IT-MOD-7'"
ordctl dlq redrive --all >"$WORK/redrive.out" 2>&1 || { fail "dlq redrive"; cat "$WORK/redrive.out"; }
wait_modified || fail "re-driven change not consumed"
assert_eq "$(sql "SELECT cs_remark FROM sales_trade WHERE trade_id=$o7")" "永远等不到" "the re-driven change applied"
assert_eq "$(bits IT-MOD-7)" "0/0" "its bit cleared"

log "ordctl explain shows the changes applied"
ordctl explain --order "$o1" >"$WORK/explain.out" 2>&1 || fail "explain"
grep -q 'changes applied by trade-modify' "$WORK/explain.out" || fail "explain: no changes section"
assert_eq "$(grep -c 'rules: ' "$WORK/explain.out")" "4" "explain: the four changes of sequence 1"
grep -q 'stock: order_num -1@wh1' "$WORK/explain.out" || fail "explain: the refund's stock move"

log "sequence 7: CS remark and invoice on an unaudited order, then shipped and completed on the platform"
t8=$(trade IT-MOD-8 mod-buyer-8 | paid)
send "$t8"
o8=$(order_of IT-MOD-8)
t8=$(sed -E 's/"cs_remark":""/"cs_remark":"客服: 加急"/; s/"invoice_type":0,"invoice_title":""/"invoice_type":1,"invoice_title":"某某公司"/' <<<"$t8" | at 11:20:00)
send "$t8"
assert_eq "$(sql "SELECT CONCAT_WS('|', cs_remark, remark_count, remark_changed, invoice_type, invoice_title) FROM sales_trade WHERE trade_id=$o8")" \
  "客服: 加急|1|1|1|某某公司" "MOD-T8-04, MOD-T32-02: remark (counted) and invoice on the order"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_remark_history WHERE trade_id=$o8 AND remark='客服: 加急'")" "1" "MOD-T8-01: remark history"
ordctl order audit "$o8" >/dev/null 2>&1 || fail "audit IT-MOD-8"
ordctl order ship "$o8" --waybill SF0001 >"$WORK/ship.out" 2>&1 || { fail "ship"; cat "$WORK/ship.out"; }
assert_eq "$(sql "SELECT CONCAT_WS(' ', trade_status, is_consigned) FROM sales_trade WHERE trade_id=$o8")" "95 1" "ordctl order ship: 95, consigned"
assert_eq "$(lines "$o8")" "IT-MOD-8-1:2/0/0@0,IT-MOD-8-2:1/0/0@0" "shipped: reservations released"
t8=$(sed -E 's/"trade_status":30/"trade_status":45/' <<<"$t8" | at 11:30:00)
send "$t8"
assert_eq "$(sql "SELECT process_status FROM api_trade WHERE tid='IT-MOD-8'")" "50" "MOD-T1-35: raw trade shipped"
t8=$(sed -E 's/"trade_status":45/"trade_status":75/' <<<"$t8" | at 11:40:00)
send "$t8"
assert_eq "$(sql "SELECT trade_status FROM sales_trade WHERE trade_id=$o8")" "110" "MOD-T1-36: shipped and settled: completed (D-MOD-13)"
assert_eq "$(sql "SELECT process_status FROM api_trade WHERE tid='IT-MOD-8'")" "60" "MOD-T1-36: raw trade completed"
stock_check "after shipment and completion"

log "sequence 8: two trades of one customer paid in one batch: the second sees the first as paid (D-MOD-25)"
t9=$(trade IT-MOD-9 mod-buyer-9)
t10=$(trade IT-MOD-10 mod-buyer-9)
send "$t9"
send "$t10"
o9=$(order_of IT-MOD-9)
o10=$(order_of IT-MOD-10)
stop_worker m # both changes wait on trade.changed, so that one batch takes them
t9=$(paid <<<"$t9" | at 11:50:00)
t10=$(paid <<<"$t10" | at 11:50:00)
printf '%s\n%s\n' "$t9" "$t10" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
OF_BATCH_WAIT_MS=200 start_modify m9 # one batch even if the fetch comes in parts
wait_modified || fail "the two paid changes not consumed"
ev9=$(grep 'msg="change applied".*tid=IT-MOD-9 ' "$WORK/m9.log" | sed -E 's/.*event_id=([^ ]+).*/\1/')
ev10=$(grep 'msg="change applied".*tid=IT-MOD-10 ' "$WORK/m9.log" | sed -E 's/.*event_id=([^ ]+).*/\1/')
[[ -n $ev9 && -n $ev10 ]] || fail "the two changes' log lines"
assert_eq "$(sql "SELECT COUNT(DISTINCT processed_at) FROM processed_event WHERE consumer = '$OF_KAFKA_GROUP-modify' AND event_id IN ('$ev9', '$ev10')")" "1" "both changes applied in one batch (the case under test)"
for o in "$o9" "$o10"; do
  s=$(st "$o")
  [[ ${s%% *} == 16 || ${s%% *} == 20 ]] || fail "order $o: status $s, want 16 or 20: a paid order must not wait for a sibling paid in the same batch (SUB-WU-02, MOD-T1-07)"
done
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade WHERE trade_id IN ($o9, $o10) AND unmerge_mask & 1")" "0" "MOD-T1-08: no unpaid flag left on either"
stock_check "after two paid changes of one customer"

log "sequence 8b: a customer's two paid trades in one batch share one submission round and leave what two batches leave (D-MOD-48)"
# customer A: three unpaid trades, two paid in one batch; customer B: the same three, the same two paid one batch each
for i in 20 21 22; do send "$(trade IT-MOD-$i mod-buyer-20)"; done
for i in 23 24 25; do send "$(trade IT-MOD-$i mod-buyer-23)"; done
stop_worker m9
printf '%s\n%s\n' "$(trade IT-MOD-20 mod-buyer-20 | paid | at 12:50:00)" "$(trade IT-MOD-21 mod-buyer-20 | paid | at 12:50:00)" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
OF_LOG_LEVEL=debug OF_BATCH_WAIT_MS=200 start_modify m8b
wait_modified || fail "customer A's paid changes not consumed"
assert_eq "$(grep -c 'msg="submission round"' "$WORK/m8b.log")" "1" "one round for customer A's two paid orders"
grep -q 'msg="submission round" trades=2 pending=0' "$WORK/m8b.log" || fail "the round holds both orders: $(grep 'submission round' "$WORK/m8b.log")"
grep -q "msg=\"the round's customers: read ahead on the side connection\" trades=2 " "$WORK/m8b.log" ||
  fail "D-MOD-55: the round's customers read ahead on the side connection: $(grep -c 'read ahead' "$WORK/m8b.log") lines"
# customer B's with the customers read in the transaction (OF_SIDE_READS=0): the same orders as A's read ahead
stop_worker m8b
OF_SIDE_READS=0 OF_LOG_LEVEL=debug OF_BATCH_WAIT_MS=200 start_modify m8b0
send "$(trade IT-MOD-23 mod-buyer-23 | paid | at 12:50:00)"
send "$(trade IT-MOD-24 mod-buyer-23 | paid | at 12:50:00)"
# an order as a later reader sees it: status, pay, unmerge flags, delay, and the rules that logged on it
seen8b() { sql "SELECT CONCAT_WS(' ', t.trade_status, t.pay_status, t.unmerge_mask, IFNULL(t.delay_to_time, '-'), (SELECT GROUP_CONCAT(l.rule_id ORDER BY l.rule_id) FROM sales_trade_log l WHERE l.trade_id = t.trade_id)) FROM sales_trade t WHERE t.trade_id = $1"; }
for p in "20 23" "21 24" "22 25"; do
  read -r a b <<<"$p"
  want=$(seen8b "$(order_of IT-MOD-$b)")
  [[ -n $want ]] || fail "customer B's order of IT-MOD-$b"
  assert_eq "$(seen8b "$(order_of IT-MOD-$a)")" "$want" "IT-MOD-$a (one batch) as IT-MOD-$b (one batch each)"
done
stock_check "after a customer's paid orders in one round"
assert_eq "$(grep -c 'read ahead' "$WORK/m8b0.log")" "0" "OF_SIDE_READS=0: no read ahead"

log "replay: every change again, nothing changes"
stop_worker m8b0
snap() { sql "SELECT MD5(GROUP_CONCAT(CONCAT_WS(':', trade_id, trade_status, refund_status, block_reason, bad_reason, warehouse_id, receiver_address, buyer_message, goods_count) ORDER BY trade_id)) FROM sales_trade"; sql "SELECT MD5(GROUP_CONCAT(CONCAT_WS(':', warehouse_id, spec_id, unpay_num, order_num) ORDER BY warehouse_id, spec_id)) FROM stock_spec"; sql "SELECT COUNT(*) FROM sales_trade_log"; }
before=$(snap)
ordctl replay --topic trade.changed --group "$OF_KAFKA_GROUP-modify" --from-beginning --yes >"$WORK/replay.out" 2>&1 || { fail "replay"; cat "$WORK/replay.out"; }
start_modify m2
wait_modified || fail "replay not consumed"
assert_eq "$(snap)" "$before" "a replayed change changes nothing"
stop_worker m2
log "replay with the ledger gone: the cleared bits alone keep it idempotent"
sql "DELETE FROM processed_event WHERE consumer = '$OF_KAFKA_GROUP-modify'"
ordctl replay --topic trade.changed --group "$OF_KAFKA_GROUP-modify" --from-beginning --yes >"$WORK/replay2.out" 2>&1 || { fail "replay"; cat "$WORK/replay2.out"; }
start_modify m3
wait_modified || fail "second replay not consumed"
assert_eq "$(snap)" "$before" "no change without the ledger either"
stop_worker m3
log "D-MOD-28: copies of applied changes reaching a running worker that no longer reads the ledger first"
# debug: the skipped copies are logged; a batch waits up to 1.5 s to fill, so that a copy and a fresh change share one
OF_LOG_LEVEL=debug OF_BATCH_WAIT_MS=1500 start_modify m4
copy() { # copy EVENT_ID: its TradeChange's bytes, from its outbox row, on trade.changed again
  local k h
  IFS=$'\t' read -r k h <<<"$(sql "SELECT msg_key, HEX(payload) FROM outbox WHERE event_id = '$1'")"
  [[ -n $h ]] || fail "the TradeChange $1 in the outbox"
  ordctl produce-raw --topic trade.changed --key "$k" --hex "$h" >/dev/null 2>&1 || fail "produce the copy of $1"
}
event_of() { grep "msg=\"change applied\".*tid=$1 " "$WORK/m4.log" | tail -1 | sed -E 's/.*event_id=([^ ]+).*/\1/'; }
t11=$(trade IT-MOD-11 mod-buyer-11)
send "$t11"
t12=$(trade IT-MOD-12 mod-buyer-12)
send "$t12"
t11=$(sed -E 's/"buyer_message":""/"buyer_message":"一份就够"/' <<<"$t11" | at 12:00:00)
send "$t11" # m4's first batch reads the ledger first (a start), holds no copy: the next ones do not read it first
ev11=$(event_of IT-MOD-11)
[[ -n $ev11 ]] || fail "IT-MOD-11's change log line"
copy "$ev11"
t12=$(sed -E 's/"cs_remark":""/"cs_remark":"加急"/' <<<"$t12" | at 12:05:00)
send "$t12" # its change joins the copy's batch, still filling
assert_eq "$(grep -c 'msg="a change of the batch was applied before (a copy)' "$WORK/m4.log")" "1" "the ledger's insert found the copy; the batch ran again"
grep -q 'msg="a change of the batch was applied before (a copy).*messages=2' "$WORK/m4.log" || fail "the copy and the fresh change in one batch (the case under test)"
assert_eq "$(grep -c "msg=\"replay skipped\".*event_id=$ev11" "$WORK/m4.log")" "1" "the copy skipped as applied before"
assert_eq "$(sql "SELECT cs_remark FROM sales_trade WHERE trade_id = $(order_of IT-MOD-12)")" "加急" "the fresh change of the same batch applied in its second run"
assert_eq "$(bits IT-MOD-12)" "0/0" "its bits cleared"
assert_eq "$(grep -c 'msg="transaction retry"' "$WORK/m4.log")" "0" "run again at once, not through the transaction's retry"
t11=$(sed -E 's/"buyer_message":"一份就够"/"buyer_message":"两份"/' <<<"$t11" | at 12:10:00)
send "$t11" # a batch without a copy, read first (the last one held one): the next ones do not read it first again
ev11b=$(event_of IT-MOD-11)
[[ -n $ev11b && $ev11b != "$ev11" ]] || fail "IT-MOD-11's second change log line"
copy "$ev11b"
wait_modified || fail "the second copy not consumed"
assert_eq "$(grep -c 'msg="a change of the batch was applied before (a copy)' "$WORK/m4.log")" "2" "after a batch without a copy the ledger is not read first again: the second copy is found by the insert"
assert_eq "$(grep -c "msg=\"replay skipped\".*event_id=$ev11b" "$WORK/m4.log")" "1" "the second copy skipped"
stop_worker m4

log "sequence 8c: a round of two customers' paid orders decides as separate rounds did: each customer's first, then the second (D-MOD-48)"
# two free units of SKU-TEA-003 on SH-01 and none elsewhere, a short paid order becomes a pre-order (SUB-PRE-01):
# paid in the arrival order A1, A2, B1, separate rounds took A1 and B1 first, then A2, which found none left
printf '%s\n%s\n%s\n' "$(trade IT-MOD-50 mod-buyer-50)" "$(trade IT-MOD-51 mod-buyer-50)" "$(trade IT-MOD-52 mod-buyer-52)" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl" # unpaid: submitted by trade-submit, no change yet
wait_idle || fail "trade.raw not consumed"
for t in IT-MOD-50 IT-MOD-51 IT-MOD-52; do [[ -n $(order_of $t) && $(order_of $t) != 0 ]] || fail "$t not submitted"; done
sql "UPDATE cfg_setting SET setting_value = '1' WHERE setting_key = 'CFG_PREORDER_STOCKOUT'"
sql "UPDATE stock_spec SET stock_num = order_num + sending_num + IF(warehouse_id = 1, 2, 0) WHERE spec_id = 3"
printf '%s\n%s\n%s\n' "$(trade IT-MOD-50 mod-buyer-50 | paid | at 13:00:00)" "$(trade IT-MOD-51 mod-buyer-50 | paid | at 13:00:00)" \
  "$(trade IT-MOD-52 mod-buyer-52 | paid | at 13:00:00)" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
OF_LOG_LEVEL=debug OF_BATCH_WAIT_MS=200 start_modify m8c2 # the new setting; one batch
wait_modified || fail "the three paid changes not consumed"
grep -q 'msg="submission round" trades=3 pending=0' "$WORK/m8c2.log" || fail "one round for the three: $(grep 'submission round' "$WORK/m8c2.log")"
assert_eq "$(sql "SELECT trade_status FROM sales_trade WHERE trade_id = $(order_of IT-MOD-51)")" "19" "A2, decided after B1, found no SKU-TEA-003 left: a pre-order"
for t in IT-MOD-50 IT-MOD-52; do
  s=$(sql "SELECT trade_status FROM sales_trade WHERE trade_id = $(order_of $t)")
  [[ $s == 16 || $s == 20 ]] || fail "$t: status $s, want 16 or 20: the first paid order of its customer takes the stock"
done
stock_check "after a round of two customers' paid orders"
stop_worker m8c2
sql "UPDATE cfg_setting SET setting_value = '0' WHERE setting_key = 'CFG_PREORDER_STOCKOUT'"

log "sequence 8d: a paid order whose buyer nick changed to an offline customer's is linked to that customer (D-MOD-50, SUB-CUST-03)"
# the re-submission asks for the platform customer only; none has the new nick, so the read runs again with every key
# and finds the offline customer by the receiver's phone (the trade's 13800000000 on its book)
sql "INSERT INTO crm_customer (customer_no, nick) VALUES ('KH-MOD-61', 'mod-off-61')"
off=$(sql "SELECT customer_id FROM crm_customer WHERE customer_no = 'KH-MOD-61'")
sql "INSERT INTO crm_platform_customer (platform_id, account, customer_id) VALUES (0, 'mod-off-61', $off)"
sql "INSERT INTO crm_customer_telno (customer_id, type, telno) VALUES ($off, 1, '13800000000')"
t61=$(trade IT-MOD-61 mod-buyer-61)
printf '%s\n' "$t61" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl" # unpaid: submitted to a customer of its own nick
wait_idle || fail "trade.raw not consumed"
o61=$(order_of IT-MOD-61)
c61=$(sql "SELECT customer_id FROM sales_trade WHERE trade_id = $o61")
[[ -n $c61 && $c61 != 0 && $c61 != "$off" ]] || fail "IT-MOD-61 first submitted to a customer of its own ($c61)"
ncust=$(sql "SELECT COUNT(*) FROM crm_customer")
printf '%s\n' "$(sed -E 's/"buyer_nick":"mod-buyer-61"/"buyer_nick":"mod-off-61"/' <<<"$t61" | paid | at 13:30:00)" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
start_modify m8d
wait_modified || fail "the paid change not consumed"
assert_eq "$(sql "SELECT customer_id FROM sales_trade WHERE trade_id = $o61")" "$off" "the paid order is the offline customer's now"
assert_eq "$(sql "SELECT COUNT(*) FROM crm_customer")" "$ncust" "no customer created"
assert_eq "$(sql "SELECT customer_id FROM crm_platform_customer WHERE platform_id = 1 AND account = 'mod-off-61'")" "$off" "the new nick's platform key linked to it (SUB-CUST-03)"
stock_check "after a paid order moved to an offline customer"
stop_worker m8d
stop_worker s
grep -q 'msg="change applied"' "$WORK/m.log" || fail "no 'change applied' log line"
