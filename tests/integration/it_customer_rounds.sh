#!/usr/bin/env bash
# it_customer_rounds.sh -- SUB-CUST-03 across the rounds of one batch (D-T10-54; found by a review of issue 10).
# An offline customer O (platform 0, nick RVX) has phone 13800000001. Trade A (platform 1, nick RVX, that phone,
# address ADDR1) links to O and adds ADDR1 to O's address book. Trade B (platform 2, nick RVX, another phone,
# ADDR1), later in the same batch, must find O by the address (OP-18) and link to it as well.
source "$(dirname "$0")/lib.sh"
it_ns 17
source "$REPO/data/sample/expected_submit.sh"
sql "INSERT INTO crm_customer (customer_no, nick) VALUES ('KH-RV-1', 'RVX')"
oid=$(sql "SELECT customer_id FROM crm_customer WHERE customer_no = 'KH-RV-1'")
sql "INSERT INTO crm_platform_customer (platform_id, account, customer_id) VALUES (0, 'RVX', $oid)"
sql "INSERT INTO crm_customer_telno (customer_id, type, telno) VALUES ($oid, 1, '13800000001')"
python3 - "$REPO/data/sample/raw_trades.jsonl" >"$WORK/two.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
a = next(t for t in lines if t["platform_id"] == 1 and t["trade_status"] == 30)
b = next(t for t in lines if t["platform_id"] == 2 and t["trade_status"] == 30)
for t, tid, mob in ((a, "RV-A-1", "13800000001"), (b, "RV-B-1", "13900000002")):
    t["tid"] = tid; t["buyer_nick"] = "RVX"; t["receiver_mobile"] = mob; t["receiver_telno"] = ""
    t["receiver_province"] = "湖南省"; t["receiver_city"] = "长沙市"; t["receiver_district"] = "岳麓区"
    t["receiver_address"] = "评审路1号"
    for i, o in enumerate(t["orders"]): o["oid"] = "%s-%d" % (tid, i + 1)
    print(json.dumps(t, ensure_ascii=False))
PY
publish "$WORK/two.jsonl"
OF_BATCH_WAIT_MS=200 start_worker a # both in one batch even if the fetch comes in parts
wait_idle || fail "not consumed"
assert_eq "$(sql "SELECT GROUP_CONCAT(customer_id ORDER BY tid) FROM api_trade WHERE tid IN ('RV-A-1','RV-B-1')")" "$oid,$oid" \
  "both trades linked to the offline customer (B by the address A added)"
assert_eq "$(sql "SELECT COUNT(*) FROM crm_customer")" "1" "no customer created"
stop_worker a
finish
