#!/usr/bin/env bash
# it_modify_crash.sh -- trade-modify's exactly-once effect (issue 11, parts 3 and 4): a backlog of changes (paid,
# sub-order refunded, whole trade refunded, remark and address changed) applied by one clean instance, then the same
# backlog from the same starting state by two instances in one group with one of them killed (SIGKILL) mid-run (the
# test fails when the kill lands before the first or after the last change) and
# restarted, then by one instance with two lanes (OF_WORKER_LANES=2): the orders, lines, stock counters and raw-trade
# bits come out the same, the stock check passes.
source "$(dirname "$0")/lib.sh"
it_ns 19
N=${IT_MODIFY_N:-300}
cfgv() { sed -n "s/^$1=//p" "$OF_CONFIG"; }
dump() { # the main database's tables (not schema_migrations) into $1
  MYSQL_PWD=$(cfgv OF_MYSQL_PASSWORD) mariadb-dump --no-defaults -h "$(cfgv OF_MYSQL_HOST)" -P "$(cfgv OF_MYSQL_PORT)" \
    -u "$(cfgv OF_MYSQL_USER)" --single-transaction --skip-comments "$(cfgv OF_MYSQL_DB)" \
    $(sql "SELECT GROUP_CONCAT(table_name SEPARATOR ' ') FROM information_schema.tables WHERE table_schema = DATABASE()
           AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'") >"$1"
}
restore() { bash "$REPO/scripts/stack.sh" mysql <"$1"; }

# N unpaid trades of N buyers, two sub-orders each; then one later version of each: 40% paid, 20% a sub-order
# refunded (on a paid trade), 10% the whole trade refunded, 30% remark or address changed
python3 - "$N" "$WORK" <<'EOF'
import json, sys
n, work = int(sys.argv[1]), sys.argv[2]
def trade(i):
    tid = f"IT-MC-{i:04d}"
    return {"platform_id": 1, "shop_no": "tb-flagship", "tid": tid, "trade_status": 10, "pay_status": 0,
            "refund_status": 0, "delivery_term": 1, "trade_time": "2026-11-20 10:00:00", "pay_time": "",
            "modified": "2026-11-20 10:00:00", "buyer_nick": f"mc-buyer-{i}", "receiver_name": "王小明",
            "receiver_mobile": "13800000000", "receiver_province": "上海", "receiver_city": "上海市",
            "receiver_district": "浦东新区", "receiver_address": f"世纪大道{i}号", "cs_remark": "", "buyer_message": "",
            "invoice_type": 0, "invoice_title": "", "warehouse_no": "", "goods_count": 3, "goods_type_count": 2,
            "post_amount": "10.00", "paid": "0.00",
            "orders": [{"oid": f"{tid}-1", "status": 10, "refund_status": 0, "goods_id": "TB-G1001",
                        "spec_id": "TB-S1001-1", "spec_no": "SKU-TEA-001", "num": 2, "price": "12.00",
                        "share_amount": "24.00"},
                       {"oid": f"{tid}-2", "status": 10, "refund_status": 0, "goods_id": "TB-G1002",
                        "spec_id": "TB-S1002-1", "spec_no": "SKU-TEA-003", "num": 1, "price": "8.00",
                        "share_amount": "8.00"}]}
def paid(t):
    t = json.loads(json.dumps(t))
    t.update(trade_status=30, pay_status=2, pay_time="2026-11-20 10:05:00", paid="42.00")
    for o in t["orders"]: o["status"] = 30
    return t
base, later = [], []
for i in range(n):
    t = trade(i)
    k = i % 10
    if k in (4, 5):  # 20%: submitted paid, then one sub-order refunded
        t = paid(t)
        v = json.loads(json.dumps(t)); v["orders"][1].update(status=80, refund_status=5)
    elif k == 6:     # 10%: submitted paid, then the whole trade refunded
        t = paid(t)
        v = json.loads(json.dumps(t)); v.update(trade_status=80, refund_status=3)
        for o in v["orders"]: o.update(status=80, refund_status=5)
    elif k in (7, 8, 9):  # 30%: remark or address
        t = paid(t)
        v = json.loads(json.dumps(t))
        if k == 9: v["receiver_address"] += "A座"
        else: v["cs_remark" if k == 7 else "buyer_message"] = f"change {i}"
    else:            # 40%: unpaid, then paid
        v = paid(t)
    v["modified"] = "2026-11-20 11:00:00"
    base.append(t); later.append(v)
for name, rows in (("base", base), ("later", later)):
    with open(f"{work}/{name}.jsonl", "w") as f:
        for r in rows: f.write(json.dumps(r, ensure_ascii=False) + "\n")
EOF

outcome() {
  sql "SELECT MD5(GROUP_CONCAT(CONCAT_WS(':', t.raw_trade_id, t.trade_status, t.refund_status, t.block_reason, t.bad_reason,
        t.warehouse_id, t.receiver_address, t.cs_remark, t.buyer_message, t.goods_count) ORDER BY t.raw_trade_id)) FROM sales_trade t"
  sql "SELECT MD5(GROUP_CONCAT(CONCAT_WS(':', src_oid, actual_num, refund_status, stock_reserved, reserved_warehouse_id,
        reserved_num) ORDER BY src_oid)) FROM sales_trade_order"
  sql "SELECT CONCAT_WS(',', SUM(unpay_num), SUM(order_num), SUM(subscribe_num)) FROM stock_spec"
  sql "SELECT CONCAT_WS(',', SUM(modify_flag <> 0), SUM(process_status)) FROM api_trade"
  sql "SELECT COUNT(*) FROM api_refund"
}
check_once() { # what
  assert_eq "$(pending)" "0" "$1: every change handled (trade and sub-order bits)"
  assert_eq "$(sql 'SELECT COUNT(*) FROM (SELECT raw_trade_id FROM sales_trade GROUP BY raw_trade_id HAVING COUNT(*) > 1) x')" "0" "$1: one order per raw trade"
  assert_eq "$(sql "SELECT COUNT(*) FROM (SELECT event_id FROM processed_event WHERE consumer LIKE '%-modify' GROUP BY event_id HAVING COUNT(*) > 1) x")" "0" "$1: each change recorded once"
  stock_check "$1"
}

log "stage: $N trades submitted, then their later versions stored (trade-modify not running)"
start_worker s
publish "$WORK/base.jsonl"
wait_idle || fail "base not consumed"
publish "$WORK/later.jsonl"
wait_idle || fail "later versions not consumed"
stop_worker s
pending() { sql "SELECT COUNT(*) FROM api_trade a WHERE a.modify_flag <> 0 OR EXISTS (SELECT 1 FROM api_trade_order o
                   WHERE o.api_trade_id = a.rec_id AND o.modify_flag <> 0)"; }
changes=$(pending)
assert_eq "$changes" "$N" "every trade has a change pending"
dump "$WORK/before.sql"

log "clean run: one instance"
start_modify m1
wait_modified 300 || fail "clean run did not catch up"
stop_worker m1
check_once "clean run"
want=$(outcome)

log "same backlog, same start: two instances, one killed mid-run and restarted"
restore "$WORK/before.sql"
export OF_KAFKA_GROUP="it.ns19.crash" OF_BATCH_SIZE=2 # small transactions, so the kill lands between them
start_modify a
start_modify b
for _ in $(seq 1 600); do
  n=$(sql 'SELECT COUNT(*) FROM sales_trade_change')
  [[ $n -ge $((N / 10)) ]] && break
  sleep 0.02
done
kill9_worker a
at_kill=$(sql 'SELECT COUNT(*) FROM sales_trade_change')
log "changes applied when killed: $at_kill of $N"
[[ $at_kill -gt 0 && $at_kill -lt $N ]] || fail "the kill did not land mid-run: $at_kill of $N changes applied"
start_modify c
wait_modified 300 || fail "instances did not catch up after the kill"
stop_worker b
stop_worker c
check_once "two instances with a kill"
assert_eq "$(outcome)" "$want" "two instances, one killed: same outcome as one clean run"
assert_eq "$(sql 'SELECT COUNT(*) FROM sales_trade_change')" "$N" "one change row per trade (none applied twice)"

log "same backlog, same start: one instance with two lanes (OF_WORKER_LANES=2, D-T10-63)"
restore "$WORK/before.sql"
export OF_KAFKA_GROUP="it.ns19.lanes" OF_BATCH_SIZE=20 OF_WORKER_LANES=2
start_modify l1
wait_modified 300 || fail "the two-lane instance did not catch up"
stop_worker l1
grep -q 'msg="batches run on lanes, shared out by partition" lanes=2' "$WORK/l1.log" || fail "l1 did not run two lanes"
check_once "two lanes"
assert_eq "$(outcome)" "$want" "one instance, two lanes: same outcome as one clean run"
assert_eq "$(sql 'SELECT COUNT(*) FROM sales_trade_change')" "$N" "two lanes: one change row per trade"
unset OF_WORKER_LANES
