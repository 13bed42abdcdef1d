#!/usr/bin/env bash
# it_modify_edges.sh -- trade-modify's edges found by reading it against its spec and its failure paths (2026-12-02):
# today's sales through a refund and its cancellation (MOD-O1-06, MOD-O1-08, MOD-O2-06: D-MOD-30), the CS remark's
# history on a re-submission (MOD-T1-02, OP-55: D-MOD-31), and change event ids (D-RT-5, D-RT-7: up to 128
# characters, compared byte for byte by the processed-event ledger), a change too large for the ladder (D-MOD-42), and a stop
# while a statement waits for a row lock (D-RT-8), and one after row locks one after another (D-RT-12), and a duplicate
# key that outlasts the retries (D-MOD-45), the side connection lost (D-MOD-55, D-MOD-56), and an order of the batch
# changed under the customers' read ahead (D-MOD-55).
source "$(dirname "$0")/lib.sh"
it_ns 29

# trade TID NICK [REMARK]: an unpaid trade (status 10), SKU-TEA-001 x2 and SKU-TEA-003 x1, to Shanghai (SH-01)
trade() {
  printf '%s' '{"platform_id":1,"shop_no":"tb-flagship","tid":"'"$1"'","trade_status":10,"pay_status":0,"refund_status":0,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","pay_time":"","modified":"2026-11-20 10:00:00","buyer_nick":"'"$2"'","receiver_name":"王小明","receiver_mobile":"13800000000","receiver_province":"上海","receiver_city":"上海市","receiver_district":"浦东新区","receiver_address":"世纪大道100号","cs_remark":"'"${3:-}"'","buyer_message":"","invoice_type":0,"invoice_title":"","warehouse_no":"","goods_count":3,"goods_type_count":2,"post_amount":"10.00","paid":"0.00","orders":[{"oid":"'"$1"'-1","status":10,"refund_status":0,"goods_id":"TB-G1001","spec_id":"TB-S1001-1","spec_no":"SKU-TEA-001","num":2,"price":"128.00","share_amount":"256.00"},{"oid":"'"$1"'-2","status":10,"refund_status":0,"goods_id":"TB-G1002","spec_id":"TB-S1002-1","spec_no":"SKU-TEA-003","num":1,"price":"88.00","share_amount":"88.00"}]}'
}
paid() { sed -E 's/"trade_status":10,"pay_status":0/"trade_status":30,"pay_status":2/; s/"pay_time":""/"pay_time":"2026-11-20 10:05:00"/; s/"status":10,/"status":30,/g; s/"paid":"0.00"/"paid":"354.00"/'; }
at() { sed -E "s/\"modified\":\"[^\"]*\"/\"modified\":\"2026-11-20 $1\"/"; }
sub() { sed -E "s/\"oid\":\"$1\",\"status\":[0-9]+,\"refund_status\":[0-9]+/\"oid\":\"$1\",\"status\":$2,\"refund_status\":$3/"; }
send() { send_version "$1"; }
# with_message TID NICK MESSAGE HH:MM:SS: a line of the unpaid trade's later version with that client remark
with_message() { trade "$1" "$2" | sed -E "s/\"buyer_message\":\"\"/\"buyer_message\":\"$3\"/" | at "$4" && echo; }
order_of() { sql "SELECT deliver_trade_id FROM api_trade WHERE tid='$1'"; }
sales() { sql "SELECT IFNULL(SUM(num), 'none') FROM stat_daily_sales WHERE sales_date = CURDATE() AND warehouse_id = 1 AND spec_id = $1"; }

start_worker s
start_modify m

log "D-MOD-30: today's sales follow a refund and its cancellation on an order whose sales were counted"
t=$(trade IT-EDGE-1 edge-buyer-1 | paid)
send "$t"
o=$(order_of IT-EDGE-1)
# what the sweep does when the order leaves pre-processing (MID-SLS-01, D-MID-8): awaiting audit, its lines counted;
# and 10.00 of postage on the order (the sample's raw sub-orders carry no share_post, so the submission's is 0)
sql "UPDATE sales_trade SET trade_status = 30, sales_counted = 1, post_amount = 10 WHERE trade_id = $o;
     INSERT INTO stat_daily_sales (sales_date, shop_id, warehouse_id, spec_id, num)
       SELECT CURDATE(), shop_id, reserved_warehouse_id, spec_id, actual_num FROM sales_trade_order WHERE trade_id = $o
     ON DUPLICATE KEY UPDATE num = stat_daily_sales.num + VALUES(num)"
assert_eq "$(sales 1) $(sales 3)" "2 1" "counted: SKU-TEA-001 x2, SKU-TEA-003 x1"
t=$(sub IT-EDGE-1-2 80 5 <<<"$t" | at 10:10:00)
send "$t"
assert_eq "$(sales 3)" "0" "MOD-O1-06: the refunded line's sales deducted (status 30)"
assert_eq "$(sql "SELECT GROUP_CONCAT(share_post ORDER BY src_oid) FROM sales_trade_order WHERE trade_id = $o")" "10.0000,0.0000" \
  "MOD-O1-11 (OP-71): the order's postage on the line with goods left"
t=$(sub IT-EDGE-1-2 30 1 <<<"$t" | at 10:15:00)
send "$t"
assert_eq "$(sql "SELECT CONCAT_WS(' ', actual_num, refund_status) FROM sales_trade_order WHERE trade_id = $o AND src_oid = 'IT-EDGE-1-2'")" "1 1" "MOD-O2-06: the line restored"
assert_eq "$(sales 3)" "1" "MOD-O2-06 'refresh sales': its sales back (D-MOD-30)"
assert_eq "$(sales 1)" "2" "the other line's sales untouched"
assert_eq "$(sql "SELECT CONCAT_WS(' ', SUM(share_post), MIN(share_post) > 0) FROM sales_trade_order WHERE trade_id = $o")" "10.0000 1" \
  "MOD-O2-08 (OP-71): the postage over both lines again"
stock_check "after a refund and its cancellation on a counted order"

log "MOD-O1-08: no goods left, the gift goes too and its sales with it; a cancellation of the refund restores a line"
# a gift line (a gift strategy's), reserved on SH-01's order_num and counted, as the submission and the sweep leave it
sql "INSERT INTO sales_trade_order (trade_id, platform_id, shop_id, src_tid, src_oid, spec_id, num, actual_num, gift_type,
       stock_reserved, reserved_warehouse_id, reserved_num)
     SELECT trade_id, platform_id, shop_id, '', '', 2, 1, 1, 1, 2, 1, 1 FROM sales_trade WHERE trade_id = $o;
     INSERT INTO stock_spec (warehouse_id, spec_id, order_num) VALUES (1, 2, 1) ON DUPLICATE KEY UPDATE order_num = order_num + 1;
     INSERT INTO stat_daily_sales (sales_date, shop_id, warehouse_id, spec_id, num)
       SELECT CURDATE(), shop_id, 1, 2, 1 FROM sales_trade WHERE trade_id = $o ON DUPLICATE KEY UPDATE num = stat_daily_sales.num + 1"
gift0=$(sales 2)
stock_check "with the gift line"
t=$(sub IT-EDGE-1-1 80 5 <<<"$t" | sub IT-EDGE-1-2 80 5 | at 10:20:00)
send "$t"
assert_eq "$(sql "SELECT trade_status FROM sales_trade WHERE trade_id = $o")" "5" "MOD-O1-08: no goods left, cancelled"
assert_eq "$(sql "SELECT CONCAT_WS(' ', actual_num, stock_reserved) FROM sales_trade_order WHERE trade_id = $o AND gift_type = 1")" "0 0" "the gift released"
assert_eq "$(sales 1) $(sales 3)" "0 0" "MOD-O1-06: the goods' sales deducted"
assert_eq "$(sales 2)" "$((gift0 - 1))" "MOD-O1-08: the gift's sales deducted too"
stock_check "after every line was refunded"
t=$(sub IT-EDGE-1-1 30 1 <<<"$t" | at 10:25:00)
send "$t"
assert_eq "$(sql "SELECT trade_status FROM sales_trade WHERE trade_id = $o")" "30" "MOD-O2-06: the cancelled order back to awaiting audit (OP-01)"
assert_eq "$(sql "SELECT CONCAT_WS(' ', actual_num, refund_status, stock_reserved) FROM sales_trade_order WHERE trade_id = $o AND src_oid = 'IT-EDGE-1-1'")" "2 1 2" "the line restored and reserved again"
assert_eq "$(sales 1)" "2" "D-MOD-30: a cancelled order whose sales were counted gets the restored line's sales back"
stock_check "after the refund of a cancelled order was cancelled"

log "D-MOD-31: a re-submission records the CS remark only when the change carries it (MOD-T1-02, OP-55)"
r=$(trade IT-EDGE-2 edge-buyer-2 "老客户")
send "$r"
o2=$(order_of IT-EDGE-2)
hist() { sql "SELECT COUNT(*) FROM sales_trade_remark_history WHERE trade_id = $o2"; }
assert_eq "$(hist)" "1" "SUB-RMK-01: the remark recorded at submission"
r=$(paid <<<"$r" | at 10:30:00)
send "$r"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_log WHERE trade_id = $o2 AND rule_id = 'MOD-T1-18'")" "1" "paid: submitted again"
assert_eq "$(hist)" "1" "the same remark is not recorded again"
r=$(sed -E 's/"cs_remark":"老客户"/"cs_remark":"老客户, 加急"/; s/世纪大道100号/世纪大道300号/' <<<"$r" | at 10:35:00)
send "$r"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_log WHERE trade_id = $o2 AND rule_id = 'MOD-T16-04'")" "1" "address: submitted again"
assert_eq "$(hist)" "2" "a changed remark is recorded (bit 8) by the re-submission"
assert_eq "$(sql "SELECT remark FROM sales_trade_remark_history WHERE trade_id = $o2 ORDER BY rec_id DESC LIMIT 1")" "老客户, 加急" "the new remark"

log "MOD-O1-13 (OP-72): the raw trade completes when its last sub-order does"
r=$(sub IT-EDGE-2-1 70 0 <<<"$r" | at 10:40:00)
send "$r"
assert_eq "$(sql "SELECT CONCAT_WS(' ', a.process_status = 60, o.process_status) FROM api_trade a JOIN api_trade_order o ON o.api_trade_id = a.rec_id WHERE a.tid = 'IT-EDGE-2' AND o.oid = 'IT-EDGE-2-1'")" "0 60" \
  "one sub-order completed: the sub-order settled, the raw trade not completed"
r=$(sub IT-EDGE-2-2 70 0 <<<"$r" | at 10:45:00)
send "$r"
assert_eq "$(sql "SELECT process_status FROM api_trade WHERE tid = 'IT-EDGE-2'")" "60" "the last one completed: the raw trade completed"

log "D-RT-5 / D-RT-7: change event ids up to 128 characters, compared byte for byte"
raw=$(sql "SELECT rec_id FROM api_trade WHERE tid = 'IT-EDGE-2'")
[[ $raw =~ ^[0-9]+$ ]] || die "no raw trade"
# tc.py ID API_TRADE_ID [TID_BYTES OUT]: a TradeChange {meta {event_id: ID}, api_trade_id, tid of TID_BYTES "T"s},
# as hex on stdout, or into the file OUT
cat >"$WORK/tc.py" <<'PY'
import sys
def varint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def field(tag, payload):
    return bytes([tag]) + varint(len(payload)) + payload
msg = field(0x0a, field(0x0a, sys.argv[1].encode()))
if len(sys.argv) > 3:
    msg += field(0x22, b"T" * int(sys.argv[3]))
msg += bytes([0x28]) + varint(int(sys.argv[2]))
if len(sys.argv) > 4:
    open(sys.argv[4], "wb").write(msg)
else:
    print(msg.hex())
PY
# change ID: the TradeChange ID of the raw trade (nothing pending: it is applied as nothing)
change() { python3 "$WORK/tc.py" "$1" "$raw"; }
long=$(printf 'tc-%0125d' 7)
[[ ${#long} -eq 128 ]] || die "the long id is ${#long} characters"
ordctl produce-raw --topic trade.changed --key 1:edge-buyer-2 --hex "$(change "$long")" >/dev/null || fail "produce the long id"
ordctl produce-raw --topic trade.changed --key 1:edge-buyer-2 --hex "$(change "${long}9")" >/dev/null || fail "produce the too long id"
ordctl produce-raw --topic trade.changed --key 1:edge-buyer-2 --hex "$(change tc-case-x)" >/dev/null || fail "produce tc-case-x"
ordctl produce-raw --topic trade.changed --key 1:edge-buyer-2 --hex "$(change tc-case-X)" >/dev/null || fail "produce tc-case-X"
wait_modified 60 || fail "the hand-made changes not consumed (a partition stuck?)"
consumer="$OF_KAFKA_GROUP-modify"
assert_eq "$(sql "SELECT COUNT(*) FROM processed_event WHERE consumer = '$consumer' AND event_id = '$long'")" "1" "128 characters: taken and recorded"
assert_eq "$(grep -c 'msg=dead-lettered.*class=validation.*must be 1..128' "$WORK/m.log")" "1" "129 characters: one dead letter (validation) naming the limit"
assert_eq "$(sql "SELECT GROUP_CONCAT(event_id ORDER BY BINARY event_id) FROM processed_event WHERE consumer = '$consumer' AND event_id LIKE 'tc-case-%'")" "tc-case-X,tc-case-x" "two ids differing in case are two events"
assert_eq "$(grep -c 'msg="batch transaction failed"' "$WORK/m.log")" "0" "no batch failed on the ledger"

log "D-RT-5: an id of 128 characters on a change that moves stock (stock_change_log.event_id, migration 040)"
t3=$(trade IT-EDGE-3 edge-buyer-3 | paid)
send "$t3"
o3=$(order_of IT-EDGE-3)
raw3=$(sql "SELECT rec_id FROM api_trade WHERE tid = 'IT-EDGE-3'")
# the refund of sub-order 2 as trade-submit stores a later version (its status, refund status and bit 1), then the
# change under an id of 128 characters (trade-submit's own would be tc-rt-<32 hex>)
sql "UPDATE api_trade_order SET status = 80, refund_status = 5, modify_flag = modify_flag | 1 WHERE oid = 'IT-EDGE-3-2'"
long3=$(printf 'tc-%0125d' 3)
ordctl produce-raw --topic trade.changed --key 1:edge-buyer-3 --hex "$(python3 "$WORK/tc.py" "$long3" "$raw3")" >/dev/null || fail "produce"
wait_modified 60 || fail "the change not consumed"
assert_eq "$(sql "SELECT CONCAT_WS(' ', actual_num, refund_status, stock_reserved) FROM sales_trade_order WHERE trade_id = $o3 AND src_oid = 'IT-EDGE-3-2'")" "0 5 0" "MOD-O1-06/07: released"
assert_eq "$(sql "SELECT COUNT(*) FROM stock_change_log WHERE event_id = '$long3'")" "1" "its stock log row carries the 128-character id"
stock_check "after a change with a long id"

log "D-RT-7: outbox ids differing in case are two events (migration 040)"
sql "INSERT IGNORE INTO outbox (event_id, topic, msg_key, payload, sent_at) VALUES ('it-case-x', 'it.case', '', '', NOW(3)), ('it-case-X', 'it.case', '', '', NOW(3))"
assert_eq "$(sql "SELECT COUNT(*) FROM outbox WHERE topic = 'it.case'")" "2" "both kept"
sql "DELETE FROM outbox WHERE topic = 'it.case'"

log "D-MOD-42: a change too large to wait on the retry ladder is a dead letter at once, its partition goes on"
# an unknown raw trade (it would wait on the ladder) with a 300 kB tid
python3 "$WORK/tc.py" tc-edge-big $((raw + 1000000)) 300000 "$WORK/big.bin"
ordctl produce-raw --topic trade.changed --key 1:edge-buyer-2 --file "$WORK/big.bin" >/dev/null || fail "produce the large change"
ordctl produce-raw --topic trade.changed --key 1:edge-buyer-2 --hex "$(change tc-edge-after-big)" >/dev/null || fail "produce the change after it"
wait_modified 60 || fail "the large change held its partition"
assert_eq "$(grep -c 'msg=dead-lettered.*class=validation.*a TradeChange takes at most 262144' "$WORK/m.log")" "1" "a dead letter naming the bound"
assert_eq "$(sql "SELECT COUNT(*) FROM processed_event WHERE consumer = '$consumer' AND event_id = 'tc-edge-after-big'")" "1" "the change behind it applied"
assert_eq "$(grep -c 'msg="change waits on the retry ladder".*event_id=tc-edge-big' "$WORK/m.log")" "0" "never sent to the ladder"

log "D-MOD-45: a duplicate key that outlasts the transaction's retries is one change's dead letter, not a stuck partition"
stop_worker m
OF_TX_RETRIES=2 start_modify md
send "$(trade IT-EDGE-D1 edge-buyer-d1)"
send "$(trade IT-EDGE-D2 edge-buyer-d2)"
od1=$(order_of IT-EDGE-D1)
od2=$(order_of IT-EDGE-D2)
# the database refuses IT-EDGE-D1's change row with a duplicate key, every time (a trigger standing in for a unique key
# the change collides with: it inserts a key that is there already)
admin "DROP TRIGGER IF EXISTS it_dup_d1; DROP TABLE IF EXISTS it_dup_guard;
  CREATE TABLE it_dup_guard (k INT PRIMARY KEY); INSERT INTO it_dup_guard VALUES (1);
  CREATE TRIGGER it_dup_d1 BEFORE INSERT ON sales_trade_change FOR EACH ROW
    INSERT INTO it_dup_guard (k) SELECT 1 FROM DUAL WHERE NEW.trade_id = $od1"
{ with_message IT-EDGE-D1 edge-buyer-d1 重复 11:00:00 && with_message IT-EDGE-D2 edge-buyer-d2 不重复 11:00:00; } >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
wait_modified 120 || fail "the partition held by the duplicate key"
admin "DROP TRIGGER it_dup_d1; DROP TABLE it_dup_guard"
assert_eq "$(grep -c "msg=dead-lettered.*class=permanent.*a duplicate key in each of its 3 attempts.*Duplicate entry '1' for key 'PRIMARY'" "$WORK/md.log")" "1" \
  "IT-EDGE-D1's change dead-lettered, naming the key and the attempts"
assert_eq "$(grep -c "msg=dead-lettered.*event_id=tc-[^ ]* tid=IT-EDGE-D1 class=permanent" "$WORK/md.log")" "1" \
  "the dead letter's log line names the change (event id, tid)"
assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id = $od2")" "不重复" "IT-EDGE-D2's change applied"
assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id = $od1")" "" "IT-EDGE-D1's rolled back"
assert_eq "$(sql "SELECT modify_flag & 128 FROM api_trade WHERE tid = 'IT-EDGE-D1'")" "128" "its bit kept for a replay"
stop_worker md

log "back office: an interception is lifted once its cause is dealt with (ordctl order release, refund-handled)"
start_modify mb
blk() { sql "SELECT CONCAT_WS(' ', t.block_reason, IFNULL((SELECT s.block_reason FROM stockout_order s WHERE s.src_order_id = t.trade_id AND s.status <> 5), '-')) FROM sales_trade t WHERE t.trade_id = $1"; }
lines() { sql "SELECT GROUP_CONCAT(CONCAT(src_oid, ':', actual_num, '/', refund_status) ORDER BY src_oid) FROM sales_trade_order WHERE trade_id = $1"; }
logged_rule() { sql "SELECT COUNT(*) FROM sales_trade_log WHERE trade_id = $1 AND rule_id = '$2'"; }
# audited TID: a paid trade (TID-1 SKU-TEA-001 x2, TID-2 SKU-TEA-003 x1) submitted and its order audited: $tb, $ob
audited() {
  tb=$(trade "$1" "edge-buyer-${1,,}" | paid)
  send "$tb"
  ob=$(order_of "$1")
  ordctl order audit "$ob" >/dev/null 2>&1 || fail "audit $1"
}
# version OID STATUS REFUND_STATUS HH:MM: the next version of $tb, with that sub-order's status, published
version() {
  tb=$(sub "$1" "$2" "$3" <<<"$tb" | at "$4:00")
  send "$tb"
}
# refused STEP MESSAGE WHAT: ordctl order STEP $ob exits 3 saying MESSAGE
refused() {
  local rc=0
  ordctl order "$1" "$ob" >"$WORK/bo.out" 2>&1 || rc=$?
  assert_eq "$rc" "3" "$3"
  grep -q -- "$2" "$WORK/bo.out" || { fail "$3: the reason"; cat "$WORK/bo.out"; }
}
# step STEP WHAT: ordctl order STEP $ob succeeds
step() { ordctl order "$1" "$ob" >"$WORK/bo.out" 2>&1 || { fail "$2"; cat "$WORK/bo.out"; }; }

# an audited order whose address changes: MOD-T16-03 intercepts it (block 4 on the order and its stockout order)
audited IT-EDGE-B1
tb=$(sed -E 's/世纪大道100号/世纪大道300号/' <<<"$tb" | at 12:00:00)
send "$tb"
assert_eq "$(blk "$ob")" "4 4" "MOD-T16-03: the audited order and its stockout order intercepted (address)"
refused push "is intercepted (block_reason 4: address)" "push refused while intercepted"
step release "ordctl order release"
grep -q "40 → 40: interception lifted (address)" "$WORK/bo.out" || { fail "release's message"; cat "$WORK/bo.out"; }
assert_eq "$(blk "$ob")" "0 0" "release: block 4 lifted on both"
assert_eq "$(logged_rule "$ob" OPS-RELEASE)" "1" "release: its order log"
refused release "is not intercepted" "a second release is refused"
step push "push after the release"
assert_eq "$(sql "SELECT trade_status FROM sales_trade WHERE trade_id = $ob")" "55" "pushed once released"

# a sub-order's refund applied on an audited order (block 1), then refunded (block 2): release lifts 1 once no refund
# is in progress and leaves 2 to refund-handled, which releases the refunded lines
audited IT-EDGE-B2
version IT-EDGE-B2-2 30 2 12:10
assert_eq "$(blk "$ob")" "1 1" "MOD-O2-01: refund applied on an audited order: block 1"
refused release "refund still in progress" "release refused while the refund is in progress"
version IT-EDGE-B2-2 80 5 12:20
assert_eq "$(blk "$ob")" "3 3" "MOD-O1-04: then refunded: block 1 and 2"
step release "release of block 1 once the refund is done"
assert_eq "$(blk "$ob")" "2 2" "release: block 1 lifted (no refund in progress: it was refunded), block 2 kept"
grep -q "kept: block_reason 2 (refunded), for ordctl order refund-handled" "$WORK/bo.out" ||
  { fail "release's pointer to refund-handled"; cat "$WORK/bo.out"; }
refused release "ordctl order refund-handled $ob" "release refused: block 2 is refund-handled's"
step refund-handled "refund-handled"
assert_eq "$(blk "$ob")" "0 0" "refund-handled: block 2 lifted"
assert_eq "$(lines "$ob")" "IT-EDGE-B2-1:2/0,IT-EDGE-B2-2:0/5" "the refunded line released"
step push "push after the refund was handled"

# lifted TID OID STATUS1 REFUND1 STATUS2 REFUND2 BLOCK STEP WHAT: an audited order, two versions of one sub-order
# leave it intercepted with BLOCK on the order and its stockout order; ordctl order STEP lifts it all; then pushed
lifted() {
  audited "$1"
  version "$2" "$3" "$4" 12:10
  version "$2" "$5" "$6" 12:20
  assert_eq "$(blk "$ob")" "$7 $7" "$1: block $7 before $8"
  step "$8" "$8 $1"
  assert_eq "$(blk "$ob")" "0 0" "$9"
  step push "push $1 once the interception is lifted"
}
lifted IT-EDGE-B4 IT-EDGE-B4-2 30 2 80 5 3 refund-handled \
  "applied, then refunded: refund-handled lifts block 1 with block 2 (no refund left in progress)"
lifted IT-EDGE-B3 IT-EDGE-B3-1 30 2 30 1 1 release \
  "applied, then cancelled by the buyer (MOD-O2-07 only marks the line): release lifts block 1"
stock_check "after the back-office steps"
stop_worker mb

log "D-MOD-47: a refusal that blames no row (a NOT NULL column without a default, a migration gone wrong) holds the batch, a copy of an applied change in it or not: retried, no dead letter"
start_modify mt
send "$(trade IT-EDGE-M1 edge-buyer-m1)"
send "$(trade IT-EDGE-M2 edge-buyer-m2)"
stop_worker mt
{ with_message IT-EDGE-M1 edge-buyer-m1 表不见了 13:00:00 && with_message IT-EDGE-M2 edge-buyer-m2 表不见了 13:00:00; } >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
# behind IT-EDGE-M1's change on its partition (same key), a copy of a change applied before: its transaction
# commits (the ledger skips it) and writes none of the change's rows
ordctl produce-raw --topic trade.changed --key 1:edge-buyer-m1 --hex "$(change tc-edge-after-big)" >/dev/null ||
  fail "produce the copy"
# 1364 (D-RT-13: a missing table, 1146, no longer comes this way: it is the server's, the batch retried whole)
admin "ALTER TABLE sales_trade_change ADD COLUMN it_no_default INT NOT NULL"
OF_BATCH_WAIT_MS=200 start_modify mt2
for _ in $(seq 1 600); do grep -q 'blames no row; will retry' "$WORK/mt2.log" && break; sleep 0.1; done
grep -q 'msg="batch transaction failed; retrying message by message".*messages=[2-9]' "$WORK/mt2.log" ||
  fail "the changes and the copy were not one batch (the case under test)"
grep -q 'msg="database refused every change of the batch with an error that blames no row; will retry".*1364' \
  "$WORK/mt2.log" || { fail "the batch was not held for the column without a default"; tail -5 "$WORK/mt2.log"; }
admin "ALTER TABLE sales_trade_change DROP COLUMN it_no_default"
wait_modified 120 || fail "the changes not applied once the column was gone"
assert_eq "$(grep -c 'msg=dead-lettered' "$WORK/mt2.log")" "0" "no change dead-lettered for the schema"
assert_eq "$(sql "SELECT GROUP_CONCAT(t.buyer_message ORDER BY a.tid) FROM api_trade a JOIN sales_trade t ON t.trade_id = a.deliver_trade_id WHERE a.tid IN ('IT-EDGE-M1', 'IT-EDGE-M2')")" \
  "表不见了,表不见了" "both changes applied once the column was gone"
stop_worker mt2

log "D-RT-13: a table only one kind of change of the batch writes, gone for a while (the remark history): the batch held whole, nothing dead-lettered"
start_modify mt3
r3=$(trade IT-EDGE-M3 edge-buyer-m3 "原备注")
send "$r3"
send "$(trade IT-EDGE-M4 edge-buyer-m4)"
stop_worker mt3
{ sed -E 's/"cs_remark":"原备注"/"cs_remark":"新备注"/' <<<"$r3" | at 13:10:00 && echo &&
  with_message IT-EDGE-M4 edge-buyer-m4 表回来了 13:10:00; } >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
admin "RENAME TABLE sales_trade_remark_history TO it_srh_away"
OF_BATCH_WAIT_MS=200 start_modify mt4
for _ in $(seq 1 600); do grep -q 'msg="batch transaction failed".*1146' "$WORK/mt4.log" && break; sleep 0.1; done
grep -q 'msg="batch transaction failed".*1146' "$WORK/mt4.log" ||
  { fail "the batch did not need the renamed table (the case under test)"; tail -5 "$WORK/mt4.log"; }
sleep 1 # retried meanwhile (backoff from 100 ms), held
admin "RENAME TABLE it_srh_away TO sales_trade_remark_history"
wait_modified 120 || fail "the changes not applied once the table was back"
assert_eq "$(grep -c 'msg=dead-lettered' "$WORK/mt4.log")" "0" "no change dead-lettered for a table gone a while"
assert_eq "$(grep -c 'retrying message by message' "$WORK/mt4.log")" "0" "not searched message by message: the server's condition"
assert_eq "$(sql "SELECT GROUP_CONCAT(CONCAT(t.cs_remark, '/', t.buyer_message) ORDER BY a.tid) FROM api_trade a JOIN sales_trade t ON t.trade_id = a.deliver_trade_id WHERE a.tid IN ('IT-EDGE-M3', 'IT-EDGE-M4')")" \
  "新备注/,/表回来了" "both changes applied once the table was back"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_remark_history h JOIN api_trade a ON a.deliver_trade_id = h.trade_id WHERE a.tid = 'IT-EDGE-M3' AND h.remark = '新备注'")" \
  "1" "the new remark recorded once the table was back"
stop_worker mt4

log "D-RT-8: a stop while a change waits for a row another transaction holds ends within the lock wait"
admin_wait() { wait_for "$1" "$2" "$3" admin; } # information_schema.innodb_trx needs PROCESS: root's socket
# hold SECONDS SELECT: another session locks the rows SELECT … FOR UPDATE reads, for SECONDS (its pid in HELD)
hold() {
  bash "$REPO/scripts/stack.sh" mysql -e "BEGIN; $2 FOR UPDATE; DO SLEEP($1); ROLLBACK" >/dev/null 2>&1 &
  HELD=$!
  admin_wait "SELECT COUNT(*) > 0 FROM information_schema.innodb_trx WHERE trx_query LIKE '%SLEEP($1)%'" 1 10 ||
    fail "not held: $2"
}
# send_held JSON: publish a version, stored by trade-submit; its change then waits for a lock in trade-modify
send_held() {
  printf '%s\n' "$1" >"$WORK/v.jsonl"
  publish "$WORK/v.jsonl"
  wait_idle || fail "trade.raw not consumed"
  admin_wait "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'" 1 30 ||
    fail "trade-modify never waited for the lock (the case under test)"
}
# reapply PID SECONDS NAME WANT: the holder PID (of hold SECONDS) ended, trade-modify NAME started applies the change
# that was rolled back: the order's buyer message is WANT
reapply() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  admin_wait "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_query LIKE '%SLEEP($2)%'" 0 50 ||
    fail "the holder did not end"
  start_modify "$3"
  wait_modified 60 || fail "the change not consumed after the restart"
  assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id = $o2")" "$4" "applied by the next start (redelivered)"
  stop_worker "$3"
}
# stop_within_lock_wait NAME WHAT: trade-modify NAME (OF_MYSQL_LOCK_WAIT_S=3), its statement waiting for WHAT, stops
# within the lock wait (under 8 s), the statement failed as a lock wait
stop_within_lock_wait() {
  local t0 ms
  t0=$(date +%s%N)
  stop_worker "$1"
  ms=$((($(date +%s%N) - t0) / 1000000))
  log "stop took ${ms} ms with a statement waiting for $2 (OF_MYSQL_LOCK_WAIT_S=3)"
  ((ms < 8000)) || fail "the stop took ${ms} ms: more than the lock wait (3 s) allows"
  grep -q 'Lock wait timeout' "$WORK/$1.log" || { fail "the statement did not fail as a lock wait"; tail -5 "$WORK/$1.log"; }
}
OF_MYSQL_LOCK_WAIT_S=3 start_modify m2
# another session holds the order's row for 30 s (trade-modify reads it FOR UPDATE; trade-submit does not touch it)
hold 30 "SELECT trade_id FROM sales_trade WHERE trade_id = $o2"
holder=$HELD
r=$(sed -E 's/"buyer_message":""/"buyer_message":"锁住了"/' <<<"$r" | at 10:50:00)
send_held "$r"
stop_within_lock_wait m2 "a lock held 30 s"
assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id = $o2")" "" "not applied while the row was held"
reapply "$holder" 30 m3 "锁住了"

log "D-RT-12: a stop reaching a transaction held up by one row lock after another ends at its next statement"
start_modify m4 # OF_MYSQL_LOCK_WAIT_S: 10 s
# one session holds the order's lines for 40 s, another the order's row for 8 s: the change waits for the row (its
# locking read of sales_trade), then would wait for the lines (of sales_trade_order) up to the lock wait
hold 40 "SELECT rec_id FROM sales_trade_order WHERE trade_id = $o2"
hold_lines=$HELD
hold 8 "SELECT trade_id FROM sales_trade WHERE trade_id = $o2"
hold_order=$HELD
send_held "$(sed -E 's/"buyer_message":"锁住了"/"buyer_message":"又锁住了"/' <<<"$r" | at 10:55:00)"
kill -TERM "$PID_m4" # once: a second signal exits at once
wait "$hold_order" 2>/dev/null || true
t0=$(date +%s%N)
rc=0
wait "$PID_m4" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
log "the worker ended ${ms} ms after the order's row was released (the lines still held, OF_MYSQL_LOCK_WAIT_S=10)"
assert_eq "$rc" "0" "exit 0 on SIGTERM"
((ms < 5000)) || fail "it ended ${ms} ms after the first lock was released: its next statement waited for the lines' lock (D-RT-12)"
grep -q 'stopping: the transaction, [0-9.]* s old, was abandoned before its next statement' "$WORK/m4.log" ||
  { fail "the transaction was not abandoned as D-RT-12 says"; tail -5 "$WORK/m4.log"; }
grep -q 'msg=stats why=exit' "$WORK/m4.log" || fail "m4 did not log its exit stats"
assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id = $o2")" "锁住了" "not applied: rolled back"
reapply "$hold_lines" 40 m5 "又锁住了"

log "D-RT-15: a stop while a change waits for a table another session locked (LOCK TABLES; a DDL alike) ends within the lock wait"
OF_MYSQL_LOCK_WAIT_S=3 start_modify m7
# trade-modify writes sales_trade_change for every change it applies; trade-submit never does
bash "$REPO/scripts/stack.sh" mysql -e "LOCK TABLES sales_trade_change WRITE; DO SLEEP(40); UNLOCK TABLES" >/dev/null 2>&1 &
locker=$!
admin_wait "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DO SLEEP(40)%'" 1 10 ||
  fail "sales_trade_change not locked"
lock_id=$(admin "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DO SLEEP(40)%' LIMIT 1")
# $r: the D-RT-8 block's version (buyer message 锁住了), a later one now
printf '%s\n' "$(sed -E 's/"buyer_message":"锁住了"/"buyer_message":"表锁住了"/' <<<"$r" | at 11:00:00)" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
admin_wait "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock'" 1 30 ||
  fail "trade-modify never waited for the table's lock (the case under test)"
stop_within_lock_wait m7 "a table locked 40 s" # before D-RT-15: the read timeout, 30 s
assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id = $o2")" "又锁住了" "not applied while the table was locked"
admin "KILL $lock_id" || true
wait "$locker" 2>/dev/null || true
start_modify m8
wait_modified 60 || fail "the change not consumed after the table's lock ended"
assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id = $o2")" "表锁住了" "applied by the next start (redelivered)"
stop_worker m8
log "D-MOD-55, D-MOD-56: the side connection lost: the batch reads on its own connection (with the lock), nothing lost; the next batch's side reconnects"
send "$(trade IT-EDGE-9 edge-buyer-9)"
send "$(trade IT-EDGE-10 edge-buyer-10)"
OF_LOG_LEVEL=debug OF_BATCH_WAIT_MS=200 start_modify m6
send "$(with_message IT-EDGE-9 edge-buyer-9 先发这个 11:00:00)" # the lane's first batch opens its side connection
grep -q 'msg="change applied".*tid=IT-EDGE-9 ' "$WORK/m6.log" || fail "the client remark of IT-EDGE-9 applied"
# the side's connection: the app account's newest (trade-submit's and the lane's own were opened before it)
side=$(admin "SELECT MAX(ID) FROM information_schema.PROCESSLIST WHERE USER = 'orderfleet' AND ID <> CONNECTION_ID()")
[[ -n $side && $side != NULL ]] || fail "the side connection in the process list"
admin "KILL CONNECTION $side"
send "$(trade IT-EDGE-9 edge-buyer-9 | paid | at 11:05:00)"
assert_eq "$(grep -c 'side connection: its reads failed' "$WORK/m6.log")" "1" "the side's failure logged once"
assert_eq "$(sql "SELECT CONCAT(t.pay_status, ' ', a.modify_flag, ' ', (SELECT SUM(o.modify_flag) FROM api_trade_order o WHERE o.api_trade_id = a.rec_id)) FROM api_trade a JOIN sales_trade t ON t.trade_id = a.deliver_trade_id WHERE a.tid = 'IT-EDGE-9'")" "2 0 0" \
  "IT-EDGE-9 paid (submitted again, its sub-orders read here with the lock), its bits cleared"
before=$(grep -c "read ahead on the side connection" "$WORK/m6.log" || true)
sleep 5.5 # the side is tried again 5 s after its failure (the batches meanwhile read on the lane's connection)
send "$(trade IT-EDGE-10 edge-buyer-10 | paid | at 11:10:00)"
grep -q 'msg="side connection: its reads succeed again"' "$WORK/m6.log" || fail "the side back for the next batch"
assert_eq "$(grep -c "read ahead on the side connection" "$WORK/m6.log")" "$((before + 1))" "IT-EDGE-10's customer read ahead again"
assert_eq "$(sql "SELECT t.pay_status FROM api_trade a JOIN sales_trade t ON t.trade_id = a.deliver_trade_id WHERE a.tid = 'IT-EDGE-10'")" "2" "IT-EDGE-10 paid"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade WHERE tid IN ('IT-EDGE-9', 'IT-EDGE-10') AND modify_flag <> 0")" "0" "no change left pending"
stop_worker m6
stock_check "after the side connection was lost"
log "D-MOD-55: an order of the batch changed by another transaction after the customers were read ahead and before its lock: the submission reads them in the transaction"
send "$(trade IT-EDGE-11 edge-buyer-11)"
send "$(trade IT-EDGE-12 edge-buyer-11)"
o11=$(order_of IT-EDGE-11)
o12=$(order_of IT-EDGE-12)
OF_LOG_LEVEL=debug OF_BATCH_WAIT_MS=1500 start_modify m7
send "$(with_message IT-EDGE-12 edge-buyer-11 先说一声 11:20:00)" # the lane's first batch opens its side connection
# another transaction holds IT-EDGE-11's order, flips its same-name flag and commits once the lane waits for that
# row: the side's read (no lock) sees the flag as it was, the lane's read of the order waits for the commit and sees
# it flipped. The commit waits for a named lock a gate session keeps until the test kills it (no fixed hold: a slow
# machine must not see the commit before the batch reaches the row).
bash "$REPO/scripts/stack.sh" mysql -e "DO GET_LOCK('it-edge-11', 0); DO SLEEP(120)" >/dev/null 2>&1 &
gate=$!
wait_for "SELECT IS_USED_LOCK('it-edge-11') IS NOT NULL" 1 10 || fail "IT-EDGE-11's gate not taken"
bash "$REPO/scripts/stack.sh" mysql -e "BEGIN; SELECT trade_id FROM sales_trade WHERE trade_id = $o11 FOR UPDATE; UPDATE sales_trade SET unmerge_mask = unmerge_mask ^ 2 WHERE trade_id = $o11; DO GET_LOCK('it-edge-11', 120); COMMIT" >/dev/null 2>&1 &
holder=$!
admin_wait "SELECT COUNT(*) > 0 FROM information_schema.innodb_trx WHERE trx_query LIKE '%GET_LOCK(''it-edge-11'', 120)%'" 1 10 ||
  fail "IT-EDGE-11's order not held"
# one batch: a client remark of IT-EDGE-11 (its order locked by the batch), IT-EDGE-12 paid (submitted again)
printf '%s\n%s\n' "$(with_message IT-EDGE-11 edge-buyer-11 也改一下 11:25:00)" "$(trade IT-EDGE-12 edge-buyer-11 | paid | at 11:25:00)" >"$WORK/v.jsonl"
publish "$WORK/v.jsonl"
wait_idle || fail "trade.raw not consumed"
admin_wait "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'" 1 60 ||
  fail "the batch never waited for IT-EDGE-11's order (the case under test)"
sleep 0.5 # the side's read, sent with the lane's, ends meanwhile
sql "KILL $(sql "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DO SLEEP(120)%'")"
wait "$gate" || true
wait "$holder" || fail "IT-EDGE-11's holder did not commit"
wait_modified || fail "trade.changed not consumed"
grep -q 'msg="an order of the batch changed since the customers were read ahead' "$WORK/m7.log" ||
  fail "the read ahead kept although IT-EDGE-11's order changed before its lock (ahead_current)"
assert_eq "$(sql "SELECT CONCAT(pay_status, ' ', (SELECT buyer_message FROM sales_trade WHERE trade_id = $o11)) FROM sales_trade WHERE trade_id = $o12")" "2 也改一下" \
  "IT-EDGE-12 paid, IT-EDGE-11's remark applied, in the batch that read the customers again"
stop_worker m7
stock_check "after an order changed under the read ahead"
stop_worker s
