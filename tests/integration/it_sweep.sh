#!/usr/bin/env bash
# it_sweep.sh -- the sweep end to end on the real stack (trade-rules §5, MID): a customer's three orders merge into one
# (MID-MRG-02) with the stock counters, sales and raw trades following; an order merges into an existing awaiting-audit
# order (MID-MRG-03); a delayed order moves at its due time (MID-DLY-03, compressed: DELAY_AUDIT 4 s); two sweep
# instances and a SIGKILL mid-sweep end as one clean run would (every customer's orders merged once, stock check
# clean); bad configuration refused; an idle sweep makes one query a round.
source "$(dirname "$0")/lib.sh"
it_ns 20

# trade TID NICK PAY_TIME ADDRESS: a paid trade of tb-flagship (SKU-TEA-001 ×2, SKU-TEA-003 ×1) to Shanghai
trade() {
  printf '%s' '{"platform_id":1,"shop_no":"tb-flagship","tid":"'"$1"'","trade_status":30,"pay_status":2,"refund_status":0,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","pay_time":"'"$3"'","modified":"'"$3"'","buyer_nick":"'"$2"'","receiver_name":"王小明","receiver_mobile":"13800000000","receiver_province":"上海","receiver_city":"上海市","receiver_district":"浦东新区","receiver_address":"'"${4:-世纪大道100号}"'","cs_remark":"","buyer_message":"","invoice_type":0,"invoice_title":"","warehouse_no":"","goods_count":3,"goods_type_count":2,"post_amount":"10.00","paid":"354.00","orders":[{"oid":"'"$1"'-1","status":30,"refund_status":0,"goods_id":"TB-G1001","spec_id":"TB-S1001-1","spec_no":"SKU-TEA-001","num":2,"price":"128.00","share_amount":"256.00"},{"oid":"'"$1"'-2","status":30,"refund_status":0,"goods_id":"TB-G1002","spec_id":"TB-S1002-1","spec_no":"SKU-TEA-003","num":1,"price":"88.00","share_amount":"88.00"}]}'
}
order_of() { sql "SELECT deliver_trade_id FROM api_trade WHERE tid='$1'"; }
status_of() { sql "SELECT IFNULL((SELECT trade_status FROM sales_trade WHERE trade_id=$1), 'gone')"; }
# times on the platform clock (naive shop-local times, OF_PLATFORM_UTC_OFFSET_S ahead of UTC), as the workers read them
off=${OF_PLATFORM_UTC_OFFSET_S:-28800}
plat_s() { echo $(($(date +%s) + off)); }
plat() { date -u -d "@$(($(plat_s) + ${1:-0}))" '+%Y-%m-%d %H:%M:%S'; }
old=$(plat -7200)
sql "UPDATE cfg_setting SET setting_value='4' WHERE setting_key='DELAY_AUDIT'"
sql "UPDATE stock_spec SET stock_num = 100000"

log "bad configuration: refused with the key named"
rc=0
OF_SWEEP_BATCH=0 "$BIN/of-sweep" >"$WORK/badcfg.log" 2>&1 || rc=$?
assert_eq "$rc" "78" "OF_SWEEP_BATCH=0 exit code (EX_CONFIG)"
grep -q OF_SWEEP_BATCH "$WORK/badcfg.log" || fail "the error names OF_SWEEP_BATCH"
"$BIN/of-sweep" --help >"$WORK/help.out" 2>&1
grep -q OF_SWEEP_INTERVAL_MS "$WORK/help.out" || fail "--help lists OF_SWEEP_INTERVAL_MS"

log "MID-MRG-02: three orders of a customer (paid two hours ago: pre-processing at once) merge into the earliest"
start_worker s
: >"$WORK/m.jsonl"
for i in 1 2 3; do trade "IT-SW-M$i" sweep-buyer-1 "$old" >>"$WORK/m.jsonl"; echo >>"$WORK/m.jsonl"; done
trade IT-SW-OTHER sweep-buyer-1 "$old" "世纪大道999号" >>"$WORK/m.jsonl"
echo >>"$WORK/m.jsonl"
publish "$WORK/m.jsonl"
wait_idle || fail "trade.raw not consumed"
o1=$(order_of IT-SW-M1) o2=$(order_of IT-SW-M2) o3=$(order_of IT-SW-M3) ox=$(order_of IT-SW-OTHER)
assert_eq "$(sql "SELECT GROUP_CONCAT(trade_status ORDER BY trade_id) FROM sales_trade")" "20,20,20,20" "four orders in pre-audit processing (20)"
before_rcv=$(sql "SELECT CONCAT_WS(' ', SUM(goods_amount), SUM(post_amount), SUM(paid), SUM(goods_cost)) FROM sales_trade WHERE trade_id IN ($o1, $o2, $o3)")
before_ord=$(sql "SELECT SUM(order_num) FROM stock_spec")
start_sweep w
wait_for "SELECT COUNT(*) FROM sales_trade WHERE trade_status IN (19, 20)" 0 20 || fail "pre-processing orders left"
assert_eq "$(order_of IT-SW-M2),$(order_of IT-SW-M3)" "$o1,$o1" "MID-MRG-02: the raw trades deliver into the earliest order"
assert_eq "$(status_of "$o2"),$(status_of "$o3")" "gone,gone" "the merged orders are deleted"
assert_eq "$(status_of "$o1")" "30" "MID-MRG-05: the merged order awaits audit"
assert_eq "$(status_of "$ox")" "30" "a different receiver is not merged (MID-MRG-02)"
assert_eq "$(sql "SELECT CONCAT_WS(' ', goods_amount, post_amount, paid, goods_cost) FROM sales_trade WHERE trade_id=$o1")" "$before_rcv" "goods amount, postage, paid, cost add up to the unit"
assert_eq "$(sql "SELECT CONCAT_WS(' ', goods_count, goods_type_count, src_tids) FROM sales_trade WHERE trade_id=$o1")" \
  "9 2 IT-SW-M1,IT-SW-M2,IT-SW-M3" "goods count, kinds, raw tids"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_order WHERE trade_id=$o1")" "6" "six lines on the merged order"
assert_eq "$(sql "SELECT GROUP_CONCAT(CONCAT(from_trade_id, '>', into_trade_id, ':', rule_id) ORDER BY from_trade_id) FROM sales_trade_merge")" \
  "$o2>$o1:MID-MRG-02,$o3>$o1:MID-MRG-02" "merge records"
assert_eq "$(sql "SELECT SUM(order_num) FROM stock_spec")" "$before_ord" "order_num unchanged (same warehouse, 20 and 30 both hold it)"
assert_eq "$(sql "SELECT SUM(num) FROM stat_daily_sales")" "12" "MID-SLS-01: today's sales, every unit once"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_log WHERE trade_id=$o1 AND rule_id IN ('MID-MRG-02', 'MID-MRG-05')")" "3" "merge and status logs"
assert_eq "$(sql "SELECT unmerge_mask & 2 FROM sales_trade WHERE trade_id=$o1")" "2" "MID-UMF-01: the other open order keeps the same-name flag"
assert_eq "$(sql "SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'mid:%'")" "4" "order events: 2 merged, 2 status changes"
ordctl explain --order "$o2" >"$WORK/explain.out" 2>&1 || fail "explain of a merged order"
grep -q "merged into order $o1" "$WORK/explain.out" || { fail "explain names the order it was merged into"; cat "$WORK/explain.out"; }
ordctl explain --order "$o1" >"$WORK/explain1.out" 2>&1 || fail "explain of the merged order"
grep -q "MID-MRG-02" "$WORK/explain1.out" || { fail "explain lists the merges"; cat "$WORK/explain1.out"; }
stock_check "after the merge"

log "D-MOD-43: two raw trades of the merged order changed in one batch: a transaction each, not message by message"
OF_BATCH_WAIT_MS=1500 OF_LOG_LEVEL=debug start_modify mm
for i in 1 2; do
  trade "IT-SW-M$i" sweep-buyer-1 "$old" | sed -E "s/\"modified\":\"[^\"]*\"/\"modified\":\"$(plat -3600)\"/; s/\"buyer_message\":\"\"/\"buyer_message\":\"M$i留言\"/"
  echo
done >"$WORK/m12.jsonl"
publish "$WORK/m12.jsonl"
wait_idle || fail "trade.raw not consumed"
wait_modified || fail "trade.changed not consumed"
grep -qE 'msg="changes of an order changed by the transaction before: one transaction more".*messages=1( |$)' "$WORK/mm.log" ||
  fail "the two changes were not in one batch (the case under test)"
assert_eq "$(grep -c 'retrying message by message' "$WORK/mm.log")" "0" "no fallback to one transaction per message"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_change WHERE trade_id = $o1 AND outcome = 'applied'")" "2" "both changes applied to the merged order"
assert_eq "$(sql "SELECT GROUP_CONCAT(modify_flag) FROM api_trade WHERE tid IN ('IT-SW-M1', 'IT-SW-M2')")" "0,0" "both raw trades' bits cleared"
assert_eq "$(sql "SELECT buyer_message FROM sales_trade WHERE trade_id = $o1")" "M2留言" "MOD-T128-02 in the changes' order: the later one's remark last"
stop_worker mm

log "MID-MRG-03: a new order of the same customer goes into the awaiting-audit order"
trade IT-SW-M4 sweep-buyer-1 "$old" >"$WORK/m4.jsonl"
publish "$WORK/m4.jsonl"
wait_idle || fail "trade.raw not consumed"
wait_for "SELECT COUNT(*) FROM sales_trade_merge WHERE rule_id='MID-MRG-03'" 1 20 || fail "no MID-MRG-03 merge"
assert_eq "$(order_of IT-SW-M4)" "$o1" "the raw trade delivers into the awaiting-audit order"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_order WHERE trade_id=$o1")" "8" "eight lines"
assert_eq "$(sql "SELECT SUM(num) FROM stat_daily_sales")" "15" "sales: the new lines once"
stock_check "after MID-MRG-03"

log "D-MID-10: an address change of a merged trade reaches the order, without a re-submission that would drop the other trades' lines"
start_modify mm
trade IT-SW-M2 sweep-buyer-1 "$old" "世纪大道101号" | sed -E "s/\"modified\":\"[^\"]*\"/\"modified\":\"$(plat)\"/" >"$WORK/m2.jsonl"
publish "$WORK/m2.jsonl"
wait_idle || fail "trade.raw not consumed"
wait_modified || fail "trade.changed not consumed"
assert_eq "$(sql "SELECT receiver_address FROM sales_trade WHERE trade_id=$o1")" "世纪大道101号" "MOD-T16-04: the address on the merged order"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_order WHERE trade_id=$o1")" "8" "the other trades' lines stay"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_log WHERE trade_id=$o1 AND rule_id='MOD-T16-04' AND message LIKE '%D-MID-10%'")" "1" "the log says why nothing was recomputed"
sales0=$(sql "SELECT SUM(num) FROM stat_daily_sales")
trade IT-SW-OTHER sweep-buyer-1 "$old" "世纪大道998号" | sed -E "s/\"modified\":\"[^\"]*\"/\"modified\":\"$(plat)\"/" >"$WORK/ox.jsonl"
publish "$WORK/ox.jsonl"
wait_idle || fail "trade.raw not consumed"
wait_modified || fail "trade.changed not consumed"
assert_eq "$(sql "SELECT CONCAT_WS(' ', trade_status, receiver_address) FROM sales_trade WHERE trade_id=$ox")" "30 世纪大道998号" \
  "D-MID-12: an awaiting-audit order submitted again for its address stays in 30"
assert_eq "$(sql "SELECT SUM(num) FROM stat_daily_sales")" "$sales0" "its sales are not counted again"
stop_worker mm
stock_check "after the address changes"

log "MID-DLY-03: an order paid now waits DELAY_AUDIT (4 s) in 16, then moves on within seconds of its due time"
now=$(plat)
trade IT-SW-D1 sweep-buyer-2 "$now" >"$WORK/d.jsonl"
publish "$WORK/d.jsonl"
wait_idle || fail "trade.raw not consumed"
od=$(order_of IT-SW-D1)
assert_eq "$(status_of "$od")" "16" "delayed audit (SUB-STAT-08)"
due=$(sql "SELECT UNIX_TIMESTAMP(delay_to_time) FROM sales_trade WHERE trade_id=$od")
wait_for "SELECT trade_status FROM sales_trade WHERE trade_id=$od" 30 15 || fail "the delayed order did not move"
moved=$(plat_s)
log "due at $due, moved by $moved"
[[ $moved -ge $due && $moved -le $((due + 3)) ]] || fail "moved at $moved, due $due: not within 3 s of its due time"
assert_eq "$(sql "SELECT GROUP_CONCAT(rule_id ORDER BY rec_id) FROM sales_trade_log WHERE trade_id=$od AND rule_id LIKE 'MID-%'")" \
  "MID-DLY-03,MID-MRG-04,MID-MRG-05" "logs: delay over, no merge target, awaiting audit"
stop_worker w

log "idle: one index query a round (trade-submit stopped so that only the sweep runs statements)"
stop_worker s
OF_SWEEP_INTERVAL_MS=100 start_sweep idle
sleep 2 # start-up: the catalogue is read
q0=$(sql "SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'" | awk '{print $2}')
sleep 2
q1=$(sql "SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'" | awk '{print $2}')
stop_worker idle
log "idle sweep: $((q1 - q0)) statements in 2 s at a 100 ms interval (20 rounds)"
[[ $((q1 - q0)) -le 25 ]] || fail "idle sweep made $((q1 - q0)) statements in 2 s: more than the candidate read a round"
start_worker s

log "two instances and a SIGKILL mid-sweep: 300 customers with two orders each"
python3 - "$old" >"$WORK/many.jsonl" <<'PY'
import sys
old = sys.argv[1]
for c in range(300):
    for k in range(2):
        tid = f"IT-SW-K{c:03d}-{k}"
        print('{"platform_id":1,"shop_no":"tb-flagship","tid":"%s","trade_status":30,"pay_status":2,"refund_status":0,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","pay_time":"%s","modified":"%s","buyer_nick":"kill-buyer-%03d","receiver_name":"张三","receiver_mobile":"139%08d","receiver_province":"上海","receiver_city":"上海市","receiver_district":"浦东新区","receiver_address":"世纪大道%d号","cs_remark":"","buyer_message":"","invoice_type":0,"invoice_title":"","warehouse_no":"","goods_count":1,"goods_type_count":1,"post_amount":"0.00","paid":"128.00","orders":[{"oid":"%s-1","status":30,"refund_status":0,"goods_id":"TB-G1001","spec_id":"TB-S1001-1","spec_no":"SKU-TEA-001","num":1,"price":"128.00","share_amount":"128.00"}]}' % (tid, old, old, c, c, c, tid))
PY
publish "$WORK/many.jsonl"
wait_idle || fail "trade.raw not consumed"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade WHERE trade_status = 20")" "600" "600 orders in pre-processing"
OF_SWEEP_BATCH=1 start_sweep k1
OF_SWEEP_BATCH=1 start_sweep k2
wait_for "SELECT COUNT(*) >= 30 FROM sales_trade_merge WHERE rule_id='MID-MRG-02' AND from_trade_id > $od" 1 30 || fail "the sweep did not start"
kill9_worker k1
done_at_kill=$(sql "SELECT COUNT(*) FROM sales_trade_merge WHERE from_trade_id > $od")
log "killed k1 with $done_at_kill of 300 customers merged"
[[ $done_at_kill -lt 300 ]] || fail "the kill landed after the sweep finished ($done_at_kill merged)"
OF_SWEEP_BATCH=1 start_sweep k3
wait_for "SELECT COUNT(*) FROM sales_trade WHERE trade_status IN (19, 20)" 0 60 || fail "pre-processing orders left after the kill"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_merge WHERE from_trade_id > $od")" "300" "300 merges, each once"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade t WHERE t.trade_id > $od AND t.trade_status = 30 AND t.goods_count = 2")" "300" "300 orders of two units awaiting audit"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade a LEFT JOIN sales_trade t ON t.trade_id = a.deliver_trade_id WHERE t.trade_id IS NULL")" "0" "every raw trade delivers into an existing order"
assert_eq "$(sql "SELECT SUM(num) FROM stat_daily_sales")" "$((15 + 3 + 600))" "sales: every unit once"
stock_check "after two instances and a SIGKILL"
stop_worker k2
stop_worker k3

log "MID-SPW: an order split across two warehouses by its goods' designations (CFG_SPLIT_BY_WH on)"
sql "UPDATE cfg_setting SET setting_value='1' WHERE setting_key='CFG_SPLIT_BY_WH'"
sql "INSERT INTO goods_spec_warehouse (shop_id, spec_id, warehouse_id, mode, logistics_id, priority) VALUES (1, 1, 1, 1, 0, 10), (1, 3, 2, 1, 0, 10)"
sales_gz=$(sql "SELECT IFNULL(SUM(num), 0) FROM stat_daily_sales WHERE warehouse_id = 2 AND spec_id = 3")
start_sweep sp
trade IT-SW-S1 sweep-buyer-9 "$old" >"$WORK/s1.jsonl"
publish "$WORK/s1.jsonl"
wait_idle || fail "trade.raw not consumed"
os=$(order_of IT-SW-S1)
wait_for "SELECT COUNT(*) FROM sales_trade_split WHERE from_trade_id = $os" 1 20 || fail "the order was not split"
on=$(sql "SELECT to_trade_id FROM sales_trade_split WHERE from_trade_id = $os")
assert_eq "$(sql "SELECT CONCAT_WS(' ', trade_status, warehouse_id, is_split, goods_count) FROM sales_trade WHERE trade_id = $os")" "30 1 1 2" "the order keeps SKU-TEA-001 ×2 on SH-01"
assert_eq "$(sql "SELECT CONCAT_WS(' ', trade_status, warehouse_id, is_split, split_from_trade_id, trade_from, goods_count) FROM sales_trade WHERE trade_id = $on")" \
  "30 2 1 $os 3 1" "the new order: SKU-TEA-003 ×1 on GZ-01, split from it"
assert_eq "$(sql "SELECT GROUP_CONCAT(CONCAT(spec_id, '@', reserved_warehouse_id, 'x', reserved_num) ORDER BY trade_id) FROM sales_trade_order WHERE trade_id IN ($os, $on)")" \
  "1@1x2,3@2x1" "MID-SPW-05: each line reserved on its warehouse"
log "split: $(sql "SELECT GROUP_CONCAT(CONCAT_WS('/', trade_id, goods_amount, post_amount, paid, receivable, goods_cost) ORDER BY trade_id) FROM sales_trade WHERE trade_id IN ($os, $on)")"
assert_eq "$(sql "SELECT CONCAT_WS(' ', SUM(goods_amount), SUM(post_amount), SUM(paid)) FROM sales_trade WHERE trade_id IN ($os, $on)")" \
  "$(sql "SELECT CONCAT_WS(' ', SUM(share_amount), SUM(share_post), SUM(paid)) FROM sales_trade_order WHERE trade_id IN ($os, $on)")" \
  "MID-SPW-07: goods, postage and paid of the two orders are their lines' (shared out to the unit)"
assert_eq "$(sql "SELECT goods_amount FROM sales_trade WHERE trade_id = $on")" "88.0000" "the new order's goods amount"
assert_eq "$(sql "SELECT IFNULL(SUM(num), 0) FROM stat_daily_sales WHERE warehouse_id = 2 AND spec_id = 3")" "$((sales_gz + 1))" "MID-SPW-06: sales on GZ-01"
ordctl explain --order "$on" >"$WORK/explain-split.out" 2>&1 || fail "explain of the split order"
grep -q "split into order $on" "$WORK/explain-split.out" || { fail "explain shows the split"; cat "$WORK/explain-split.out"; }
stock_check "after the split"

log "D-MID-17: changes of a split trade reach every order holding its lines"
start_modify ms
s1=$(trade IT-SW-S1 sweep-buyer-9 "$old")
at() { sed -E "s/\"modified\":\"[^\"]*\"/\"modified\":\"$(plat "$1")\"/"; }
# D-MOD-32: the order and the order split off it each handle the change; the raw trade's row is written once
sed -E 's/"oid":"IT-SW-S1-2","status":30,"refund_status":0/"oid":"IT-SW-S1-2","status":40,"refund_status":0/' <<<"$s1" | at 5 >"$WORK/s1s.jsonl"
publish "$WORK/s1s.jsonl"
wait_idle || fail "trade.raw not consumed"
wait_modified || fail "trade.changed not consumed"
assert_eq "$(sql "SELECT is_consigned FROM sales_trade_order WHERE trade_id = $on")" "1" "MOD-O1-12: the shipped sub-order's line, in the split order, consigned"
assert_eq "$(sql "SELECT CONCAT_WS(' ', a.process_status, o.process_status, o.modify_flag) FROM api_trade a JOIN api_trade_order o ON o.api_trade_id = a.rec_id WHERE a.tid = 'IT-SW-S1' AND o.oid = 'IT-SW-S1-2'")" "40 40 0" \
  "D-MOD-32: the raw trade part shipped although its order holds no shipped line (one row for both orders)"
sed -E 's/"oid":"IT-SW-S1-2","status":30,"refund_status":0/"oid":"IT-SW-S1-2","status":80,"refund_status":5/' <<<"$s1" | at 10 >"$WORK/s1r.jsonl"
publish "$WORK/s1r.jsonl"
wait_idle || fail "trade.raw not consumed"
wait_modified || fail "trade.changed not consumed"
assert_eq "$(sql "SELECT CONCAT_WS('/', actual_num, refund_status, stock_reserved) FROM sales_trade_order WHERE trade_id = $on")" "0/5/0" \
  "MOD-O1: the refunded sub-order's line, in the split order, is released"
assert_eq "$(sql "SELECT trade_status FROM sales_trade WHERE trade_id = $on")" "5" "the split order has no goods left: cancelled"
assert_eq "$(sql "SELECT CONCAT_WS('/', trade_status, goods_count) FROM sales_trade WHERE trade_id = $os")" "30/2" "the order that kept SKU-TEA-001 is untouched"
stock_check "after the refund of a split sub-order"
sed -E 's/"trade_status":30/"trade_status":80/; s/"status":30,"refund_status":0/"status":80,"refund_status":5/g; s/"oid":"IT-SW-S1-2","status":30,"refund_status":0/"oid":"IT-SW-S1-2","status":80,"refund_status":5/' <<<"$s1" | at 20 >"$WORK/s1w.jsonl"
publish "$WORK/s1w.jsonl"
wait_idle || fail "trade.raw not consumed"
wait_modified || fail "trade.changed not consumed"
assert_eq "$(sql "SELECT GROUP_CONCAT(trade_status ORDER BY trade_id) FROM sales_trade WHERE trade_id IN ($os, $on)")" "5,5" "MOD-T1-32: the whole trade refunded cancels both orders"
assert_eq "$(sql "SELECT SUM(reserved_num) FROM sales_trade_order WHERE trade_id IN ($os, $on)")" "0" "no reservation left"
stop_worker ms
stock_check "after the whole refund of a split trade"
stop_worker sp

log "MID-BIG-03: three units of an independent big item (large_type 2) ship in three orders"
big=$(sed -E 's/,\{"oid":"IT-SW-B1-2"[^}]*\}//; s/"num":2,"price":"128.00","share_amount":"256.00"/"num":3,"price":"128.00","share_amount":"384.00"/; s/"goods_count":3,"goods_type_count":2/"goods_count":3,"goods_type_count":1/' <<<"$(trade IT-SW-B1 sweep-buyer-10 "$old")")
printf '%s\n' "$big" >"$WORK/b1.jsonl"
publish "$WORK/b1.jsonl"
wait_idle || fail "trade.raw not consumed"
ob=$(order_of IT-SW-B1)
assert_eq "$(sql "SELECT CONCAT_WS(' ', trade_status, goods_count) FROM sales_trade WHERE trade_id = $ob")" "20 3" "one order of 3 units waits (no sweep running)"
sql "UPDATE sales_trade_order SET large_type = 2 WHERE trade_id = $ob"
sales_b=$(sql "SELECT IFNULL(SUM(num), 0) FROM stat_daily_sales WHERE spec_id = 1")
start_sweep big
wait_for "SELECT COUNT(*) FROM sales_trade_split WHERE from_trade_id = $ob AND rule_id = 'MID-BIG-03'" 2 20 || fail "not split into three"
ids="$ob,$(sql "SELECT GROUP_CONCAT(to_trade_id) FROM sales_trade_split WHERE from_trade_id = $ob")"
assert_eq "$(sql "SELECT GROUP_CONCAT(CONCAT_WS('/', trade_status, goods_count, is_big_independent) ORDER BY trade_id) FROM sales_trade WHERE trade_id IN ($ids)")" \
  "30/1/0,30/1/1,30/1/1" "three orders of one unit each awaiting audit, the new ones independent big items"
assert_eq "$(sql "SELECT GROUP_CONCAT(CONCAT_WS('/', num, actual_num, stock_reserved, reserved_warehouse_id, reserved_num) ORDER BY trade_id) FROM sales_trade_order WHERE trade_id IN ($ids)")" \
  "1/1/2/1/1,1/1/2/1/1,1/1/2/1/1" "one row a unit, each holding its order_num"
assert_eq "$(sql "SELECT SUM(share_amount) FROM sales_trade_order WHERE trade_id IN ($ids)")" "384.0000" "the line's amount shared out to the unit"
assert_eq "$(sql "SELECT SUM(goods_amount) FROM sales_trade WHERE trade_id IN ($ids)")" "384.0000" "the orders' goods amounts add up"
assert_eq "$(sql "SELECT IFNULL(SUM(num), 0) FROM stat_daily_sales WHERE spec_id = 1")" "$((sales_b + 3))" "sales: three units once"
stock_check "after the big-item split"
stop_worker big

log "D-MID-19: a customer whose orders the database refuses is set aside; the others move on"
trade IT-SW-Q1 sweep-buyer-bad "$old" "人民路1号" >"$WORK/q.jsonl"
echo >>"$WORK/q.jsonl"
trade IT-SW-Q2 sweep-buyer-good "$old" "人民路2号" >>"$WORK/q.jsonl"
bash "$REPO/scripts/stack.sh" mysql <<'SQL'
DROP TRIGGER IF EXISTS it_sweep_refuse;
DELIMITER //
CREATE TRIGGER it_sweep_refuse BEFORE UPDATE ON sales_trade FOR EACH ROW
  IF NEW.buyer_nick = 'sweep-buyer-bad' AND NEW.trade_status = 30 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'it_sweep: refused for this customer';
  END IF //
DELIMITER ;
SQL
publish "$WORK/q.jsonl"
wait_idle || fail "trade.raw not consumed"
OF_SWEEP_BATCH=8 start_sweep q2
wait_for "SELECT trade_status FROM sales_trade WHERE trade_id = $(order_of IT-SW-Q2)" 30 20 || fail "the good customer's order did not move"
assert_eq "$(sql "SELECT trade_status FROM sales_trade WHERE trade_id = $(order_of IT-SW-Q1)")" "20" "the refused customer's order waits"
for _ in $(seq 100); do grep -q 'set aside' "$WORK/q2.log" && break; sleep 0.1; done
grep -q 'set aside' "$WORK/q2.log" || fail "the sweep logs the customer it set aside"
grep 'set aside' "$WORK/q2.log" | head -1
sql "DROP TRIGGER it_sweep_refuse"
stop_worker q2
start_sweep q3 # a new process: nothing set aside; the refused customer's order moves now
wait_for "SELECT trade_status FROM sales_trade WHERE trade_id = $(order_of IT-SW-Q1)" 30 20 || fail "the customer's order did not move once the cause was gone"
stop_worker q3
stock_check "after the refused customer"

log "MID-SPW-03 across a round: the stock one customer's split takes is gone for the next"
sql "UPDATE stock_spec SET stock_num = order_num + 1 WHERE warehouse_id = 2 AND spec_id = 3"
sql "INSERT INTO goods_spec_warehouse (shop_id, spec_id, warehouse_id, mode, logistics_id, priority) VALUES (1, 3, 3, 1, 0, 5)"
: >"$WORK/r.jsonl"
for c in 1 2; do trade "IT-SW-R$c" "sweep-round-$c" "$old" "中山路$c号" >>"$WORK/r.jsonl"; echo >>"$WORK/r.jsonl"; done
publish "$WORK/r.jsonl"
wait_idle || fail "trade.raw not consumed"
start_sweep rr
wait_for "SELECT COUNT(*) FROM sales_trade s JOIN sales_trade_split x ON x.from_trade_id = s.trade_id WHERE s.buyer_nick LIKE 'sweep-round-%'" 2 20 || fail "both orders split"
assert_eq "$(sql "SELECT GROUP_CONCAT(x.warehouse_id ORDER BY s.trade_id) FROM sales_trade s JOIN sales_trade_split x ON x.from_trade_id = s.trade_id WHERE s.buyer_nick LIKE 'sweep-round-%'")" \
  "2,3" "one unit left on GZ-01: the first split takes it, the second goes to BJ-01 (priority 5)"
stop_worker rr
stock_check "after two splits in one round"

log "D-MID-11: orders of a customer without a crm_customer row do not hold the others up"
: >"$WORK/o.jsonl"
for c in 1 2 3 4 5 6; do trade "IT-SW-O$c" "sweep-orphan-$c" "$old" "解放路$c号" >>"$WORK/o.jsonl"; echo >>"$WORK/o.jsonl"; done
trade IT-SW-O9 sweep-orphan-ok "$old" "解放路9号" >>"$WORK/o.jsonl"
echo >>"$WORK/o.jsonl"
publish "$WORK/o.jsonl"
wait_idle || fail "trade.raw not consumed"
sql "DELETE c FROM crm_customer c JOIN sales_trade t ON t.customer_id = c.customer_id WHERE t.buyer_nick IN ('sweep-orphan-1', 'sweep-orphan-2', 'sweep-orphan-3', 'sweep-orphan-4', 'sweep-orphan-5', 'sweep-orphan-6')"
OF_SWEEP_BATCH=1 start_sweep orph
wait_for "SELECT trade_status FROM sales_trade WHERE trade_id = $(order_of IT-SW-O9)" 30 20 || fail "the order with a customer did not move"
stop_worker orph

log "MID-PRE-01 (D-MID-22): a pre-order made for short stock sends the line in stock to audit (CFG_SPLIT_PREORDER on)"
sql "UPDATE cfg_setting SET setting_value='0' WHERE setting_key='CFG_SPLIT_BY_WH'"
sql "UPDATE cfg_setting SET setting_value='1' WHERE setting_key IN ('CFG_PREORDER_STOCKOUT', 'CFG_SPLIT_PREORDER')"
sql "UPDATE stock_spec SET stock_num = order_num + sending_num WHERE spec_id = 3" # SKU-TEA-003: nothing free anywhere
stop_worker s
start_worker s # the new settings, at once
trade IT-SW-P1 sweep-buyer-pre "$old" >"$WORK/p1.jsonl"
publish "$WORK/p1.jsonl"
wait_idle || fail "trade.raw not consumed"
op=$(order_of IT-SW-P1)
assert_eq "$(sql "SELECT CONCAT_WS(' ', trade_status, preorder_by) FROM sales_trade WHERE trade_id = $op")" "19 SUB-PRE-01" \
  "SUB-PRE-01: short of SKU-TEA-003, a pre-order, the rule recorded"
sub_before=$(sql "SELECT CONCAT_WS(' ', SUM(order_num), SUM(subscribe_num)) FROM stock_spec WHERE spec_id = 1")
start_sweep pre
wait_for "SELECT COUNT(*) FROM sales_trade_split WHERE from_trade_id = $op AND rule_id = 'MID-PRE-01'" 1 20 || fail "the pre-order was not split"
opn=$(sql "SELECT to_trade_id FROM sales_trade_split WHERE from_trade_id = $op")
assert_eq "$(sql "SELECT CONCAT_WS(' ', trade_status, goods_count, is_split) FROM sales_trade WHERE trade_id = $op")" "25 1 1" \
  "the pre-order keeps SKU-TEA-003 ×1 and waits in 25"
assert_eq "$(sql "SELECT CONCAT_WS(' ', trade_status, goods_count, split_from_trade_id, preorder_by) FROM sales_trade WHERE trade_id = $opn")" \
  "30 2 $op " "the new order: SKU-TEA-001 ×2 awaiting audit, split from it"
assert_eq "$(sql "SELECT GROUP_CONCAT(CONCAT_WS('/', spec_id, stock_reserved, reserved_num) ORDER BY trade_id) FROM sales_trade_order WHERE trade_id IN ($op, $opn)")" \
  "3/3/1,1/2/2" "MID-STK-01 (OP-83): the short line holds subscribe_num, the line sent to audit order_num"
sub_after=$(sql "SELECT CONCAT_WS(' ', SUM(order_num), SUM(subscribe_num)) FROM stock_spec WHERE spec_id = 1")
assert_eq "$sub_after" "$(awk '{print $1 + 2, $2 - 2}' <<<"$sub_before")" "SKU-TEA-001: 2 units move from subscribe_num to order_num"
assert_eq "$(sql "SELECT CONCAT_WS(' ', SUM(goods_amount), SUM(paid)) FROM sales_trade WHERE trade_id IN ($op, $opn)")" \
  "$(sql "SELECT CONCAT_WS(' ', SUM(share_amount), SUM(paid)) FROM sales_trade_order WHERE trade_id IN ($op, $opn)")" \
  "the two orders' money is their lines'"
ordctl explain --order "$opn" >"$WORK/explain-pre.out" 2>&1 || fail "explain of the order split off the pre-order"
grep -q "MID-PRE-01" "$WORK/explain-pre.out" || { fail "explain names MID-PRE-01"; cat "$WORK/explain-pre.out"; }
stock_check "after the pre-order split"

log "MID-PRE-01: with CFG_SPLIT_PREORDER off the pre-order stays whole"
stop_worker pre
sql "UPDATE cfg_setting SET setting_value='0' WHERE setting_key='CFG_SPLIT_PREORDER'"
start_sweep pre2
trade IT-SW-P2 sweep-buyer-pre2 "$old" >"$WORK/p2.jsonl"
publish "$WORK/p2.jsonl"
wait_idle || fail "trade.raw not consumed"
op2=$(order_of IT-SW-P2)
wait_for "SELECT trade_status FROM sales_trade WHERE trade_id = $op2" 25 20 || fail "the pre-order did not enter 25"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_split WHERE from_trade_id = $op2")" "0" "not split"
stop_worker pre2
stock_check "after the whole pre-order"
sql "UPDATE stock_spec SET stock_num = 100000 WHERE spec_id = 3"
sql "UPDATE cfg_setting SET setting_value='0' WHERE setting_key='CFG_PREORDER_STOCKOUT'"
