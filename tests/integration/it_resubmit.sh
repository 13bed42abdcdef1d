#!/usr/bin/env bash
# it_resubmit.sh -- reprocess stopped trades (issue 15 part 4, OP-10): a raw trade stopped for goods that are not
# mapped is submitted once after the goods are mapped, by `ordctl resubmit` and by the catalogue refresh
# (OF_RESUBMIT_AUTO=1); a request sent twice, and a request for a trade submitted meanwhile, change nothing; a stop
# that no configuration change can lift is left alone by the automatic path.
source "$(dirname "$0")/lib.sh"
it_ns 27
export OF_PLATFORM_NOW="2026-11-23 00:00:00"

# trade TID PLATFORM SHOP GOODS SPEC [GOODS_COUNT [GOODS_NO SPEC_NO]]: one paid raw trade of one line of platform
# goods GOODS/SPEC (default: the sample's unmatched G-PRE-099 / SKU-PRE-099)
trade() {
  local n=${6:-1} gno=${7:-G-PRE-099} sno=${8:-SKU-PRE-099}
  printf '{"platform_id":%s,"shop_no":"%s","tid":"%s","trade_status":30,"pay_status":2,"refund_status":0,"delivery_term":1,"trade_time":"2026-11-20 08:00:00","pay_time":"2026-11-20 08:01:00","modified":"2026-11-20 08:01:00","buyer_nick":"rs-buyer-%s","receiver_name":"周磊","receiver_mobile":"15218997453","receiver_telno":"","receiver_province":"湖南省","receiver_city":"长沙市","receiver_district":"岳麓区","receiver_address":"麓山南路1号","receiver_zip":"410013","warehouse_no":"","cs_remark":"","buyer_message":"","invoice_type":0,"invoice_title":"","invoice_content":"","goods_count":%s,"goods_type_count":1,"post_amount":"0.00","discount":"0.00","receivable":"199.00","paid":"199.00","cod_amount":"0.00","trade_mask":0,"is_external":0,"is_sealed":0,"wms_type":0,"orders":[{"oid":"%s-1","status":30,"refund_status":0,"goods_id":"%s","spec_id":"%s","goods_no":"%s","spec_no":"%s","goods_name":"2027明前龙井 新品茶礼","spec_name":"礼盒装","cid":"","num":1,"price":"199.00","adjust":"0.00","discount":"0.00","share_discount":"0.00","total_amount":"199.00","paid":"199.00","share_post":"0.00","bind_oid":"","guarantee_mode":1}]}\n' \
    "$2" "$3" "$1" "$1" "$n" "$1" "$4" "$5" "$gno" "$sno"
}
state() { sql "SELECT CONCAT_WS(' ', process_status, bad_reason, submit_rule, deliver_trade_id > 0) FROM api_trade WHERE tid = '$1'"; }
orders_of() { sql "SELECT COUNT(*) FROM sales_trade s JOIN api_trade a ON a.rec_id = s.raw_trade_id WHERE a.tid = '$1'"; }
resubmit() { ordctl resubmit "$@" >"$WORK/resubmit.out" 2>"$WORK/resubmit.err" || fail "ordctl resubmit $* exited $?: $(cat "$WORK/resubmit.err")"; cat "$WORK/resubmit.out"; }
wait_raw() { wait_idle || fail "trade.raw not consumed"; }

log "by hand: a trade stopped for goods not mapped (SUB-MAP-09)"
trade IT-RS-1 1 tb-flagship TB-G1099 TB-S1099-1 >"$WORK/t1.jsonl"
publish "$WORK/t1.jsonl"
OF_RESUBMIT_AUTO=0 start_worker a
wait_raw
assert_eq "$(state IT-RS-1)" "10 1 SUB-MAP-09 0" "stopped by SUB-MAP-09 with bad_reason bit 1"
assert_eq "$(sql "SELECT is_invalid_goods FROM api_trade_order WHERE tid = 'IT-RS-1'")" "1" "its line is marked invalid"

out=$(resubmit --dry-run)
grep -q '^SUB-MAP-09 *1$' <<<"$out" || fail "dry run does not count the stop per rule: $out"
grep -q '^found=1 requested=0 dry_run=1$' <<<"$out" || fail "dry run: $out"
out=$(resubmit --rule SUB-WH-11)
grep -q '^found=0 requested=0' <<<"$out" || fail "--rule filters: $out"
out=$(resubmit --since "2099-01-01 00:00:00")
grep -q '^found=0 requested=0' <<<"$out" || fail "--since filters: $out"

log "before the goods are mapped: the request is applied, the trade stops again (nothing else)"
stamp0=$(sql "SELECT submitted_at FROM api_trade WHERE tid = 'IT-RS-1'")
out=$(resubmit --tid IT-RS-1)
grep -q '^found=1 requested=1' <<<"$out" || fail "resubmit --tid: $out"
wait_raw
assert_eq "$(state IT-RS-1)" "10 1 SUB-MAP-09 0" "still stopped by SUB-MAP-09"
[[ $(sql "SELECT submitted_at > '$stamp0' FROM api_trade WHERE tid = 'IT-RS-1'") == 1 ]] || fail "the submission did not run again"
assert_eq "$(sql "SELECT COUNT(*) FROM processed_event WHERE event_id LIKE 'rs-%' AND outcome = 'resubmitted'")" "1" "the request recorded once"

log "goods mapped: two requests (the same one twice, and an older stamp's) while trade-submit is down"
stop_worker a
sql "UPDATE api_goods_spec SET match_target_type = 1, match_target_id = 2, match_code = 'SKU-TEA-002', is_manual_match = 1 WHERE goods_id = 'TB-G1099'"
out=$(resubmit --rule SUB-MAP-09,SUB-MAP-10)
grep -q '^found=1 requested=1' <<<"$out" || fail "resubmit --rule: $out"
resubmit --rule SUB-MAP-09 >/dev/null # the same request again: same event id
sql "UPDATE api_trade SET submitted_at = submitted_at - INTERVAL 1 SECOND WHERE tid = 'IT-RS-1'"
resubmit --tid IT-RS-1 >/dev/null # another stamp: another event id, applied after the first
before=$(sql "SELECT CONCAT_WS('/', (SELECT COUNT(*) FROM sales_trade), (SELECT COUNT(*) FROM sales_trade_order),
              (SELECT SUM(order_num) FROM stock_spec))")
OF_RESUBMIT_AUTO=0 start_worker b
wait_raw
assert_eq "$(state IT-RS-1)" "20 0  1" "submitted once the goods are mapped, with its order; bad_reason cleared (OP-10)"
assert_eq "$(orders_of IT-RS-1)" "1" "exactly one order"
assert_eq "$(sql "SELECT is_invalid_goods FROM api_trade_order WHERE tid = 'IT-RS-1'")" "0" "its line is valid now"
assert_eq "$(sql "SELECT COUNT(*) FROM outbox WHERE topic = 'order.events' AND event_id LIKE 'oc-rs-%'")" "1" "one CREATED event"
assert_eq "$(sql "SELECT GROUP_CONCAT(outcome ORDER BY outcome) FROM processed_event WHERE event_id LIKE 'rs-%'")" \
  "not-stopped,resubmitted,resubmitted" "the first request resubmitted it, the duplicate was skipped, the later one found nothing stopped"
grep -q 'resubmit request: the raw trade is not stopped' "$WORK/b.log" || fail "the request for a submitted trade is not logged"
after=$(sql "SELECT CONCAT_WS('/', (SELECT COUNT(*) FROM sales_trade), (SELECT COUNT(*) FROM sales_trade_order),
             (SELECT SUM(order_num) FROM stock_spec))")
[[ $before != "$after" ]] || fail "nothing was created"
out=$(resubmit)
grep -q '^found=0 requested=0' <<<"$out" || fail "a second resubmit finds nothing: $out"
wait_raw
assert_eq "$(sql "SELECT CONCAT_WS('/', (SELECT COUNT(*) FROM sales_trade), (SELECT COUNT(*) FROM sales_trade_order),
                  (SELECT SUM(order_num) FROM stock_spec))")" "$after" "the second resubmit changes nothing"
stock_check "after the resubmission"
stop_worker b

log "automatically: the catalogue refresh re-submits what the mapping can unblock, and nothing else"
trade IT-RS-2 2 jd-store JD-G2099 JD-S2099-1 >"$WORK/t2.jsonl"
trade IT-RS-3 1 tb-flagship TB-G1001 TB-S1001-2 5 G-TEA-001 SKU-TEA-002 >>"$WORK/t2.jsonl" # goods_count 5 for one unit: SUB-CNT-01
since=$(sql "SELECT NOW(3)") # the manual requests above are processed before this
publish "$WORK/t2.jsonl"
OF_RESUBMIT_AUTO=1 OF_CATALOG_REFRESH_S=1 start_worker c
wait_raw
assert_eq "$(state IT-RS-2)" "10 1 SUB-MAP-09 0" "IT-RS-2 stopped by SUB-MAP-09"
assert_eq "$(sql "SELECT submit_rule FROM api_trade WHERE tid = 'IT-RS-3'")" "SUB-CNT-01" "IT-RS-3 stopped by SUB-CNT-01"
cnt_stamp=$(sql "SELECT submitted_at FROM api_trade WHERE tid = 'IT-RS-3'")
sleep 2 # a refresh or two with nothing new: nothing is re-submitted
assert_eq "$(sql "SELECT COUNT(*) FROM processed_event WHERE event_id LIKE 'rs-%' AND processed_at > '$since'")" "0" \
  "no request without a configuration change"
sql "UPDATE api_goods_spec SET match_target_type = 1, match_target_id = 2, match_code = 'SKU-TEA-002' WHERE goods_id = 'JD-G2099'"
for _ in $(seq 1 150); do [[ $(state IT-RS-2) == "20 0  1" ]] && break; sleep 0.2; done
assert_eq "$(state IT-RS-2)" "20 0  1" "IT-RS-2 submitted after the mapping, by the catalogue refresh"
assert_eq "$(orders_of IT-RS-2)" "1" "exactly one order"
grep -q 'stopped trades resubmitted after a configuration change.*tables=[^ ]*api_goods_spec.*rules="\?SUB-MAP-09=1' "$WORK/c.log" ||
  fail "the worker does not say what it re-submitted: $(grep -i resubmit "$WORK/c.log" | head -3)"
assert_eq "$(sql "SELECT submitted_at = '$cnt_stamp' FROM api_trade WHERE tid = 'IT-RS-3'")" "1" \
  "IT-RS-3 (SUB-CNT-01, the raw trade's own data) was not re-submitted"
sql "UPDATE goods_spec SET spec_name = spec_name WHERE spec_id = 2" # no change: no new stamp, no request
sql "UPDATE cfg_warehouse SET name = CONCAT(name, ' ') WHERE warehouse_id = 1" # a change no stop here depends on
sleep 3
assert_eq "$(sql "SELECT COUNT(*) FROM processed_event WHERE event_id LIKE 'rs-%'")" "4" "no other request (3 by hand, 1 automatic)"
stock_check "after the automatic resubmission"
stop_worker c
