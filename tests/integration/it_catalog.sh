#!/usr/bin/env bash
# it_catalog.sh -- the catalogue is an immutable snapshot; the platform goods a batch adds (INIT-04) live in the
# batch's overlay and reach the snapshot only after the transaction commits (issue 10 item 5, D-SUB-5,
# D-T10-30..). Before, they were put into the shared cache inside the transaction and stayed there when it rolled
# back, so their api_goods_spec rows were never inserted:
# (a) a poison batch-mate rolls the batch back after a trade inserted new platform goods; the message-by-message
#     search submits that trade again, and its api_goods_spec row must be inserted again;
# (b) the database refuses the trade's order (1290 read-only, a trigger) after its INIT-04 insert, longer than the
#     transaction's own retries; once the refusal passes the batch commits with its api_goods_spec row;
# (c) the refresh reloads only what changed: the worker's own inserts are read back incrementally (no full reload),
#     an edited strategy table is reloaded alone, a manual match made by hand reaches the running worker, and a
#     deleted platform goods row (the count drops) reloads that table in full.
source "$(dirname "$0")/lib.sh"
# Namespaces ns1..ns17 belong to other tests: this test has its own topic set, group and Redis prefix.
export OF_TOPIC_PREFIX=catalog. OF_REDIS_PREFIX=it:catalog: OF_KAFKA_GROUP=it.catalog.trade-submit
export OF_CATALOG_REFRESH_S=1
[[ -f $OF_CONFIG ]] || die "no $OF_CONFIG: run through scripts/test.sh (it starts the test stack)"
ordctl topics create --quiet >/dev/null || die "ordctl topics create (prefix $OF_TOPIC_PREFIX)"
# the topics outlive a run: start the group at the end of its topic, so only this run's messages count
bash "$REPO/scripts/kafka.sh" consumer-groups --group "$OF_KAFKA_GROUP" --topic "${OF_TOPIC_PREFIX}trade.raw" \
  --reset-offsets --to-latest --execute >"$WORK/reset.out" 2>&1 || { cat "$WORK/reset.out"; die "group reset"; }
reset_db
redis_cli --scan --pattern 'it:catalog:*' | while read -r k; do redis_cli del "$k" >/dev/null; done
RUN=$(date +%s%N | cut -c1-13)

admin_trigger() { mariadb --no-defaults --socket="$OF_STATE_DIR/mysql/mysqld.sock" -u "$(id -un)" --delimiter=// orderfleet -e "$1"; }
undo_all() {
  admin "DROP TRIGGER IF EXISTS it_cat_ro; ALTER TABLE api_trade DROP CONSTRAINT IF EXISTS it_cat_poison" >/dev/null 2>&1 || true
}
trap 'rc=$?; undo_all; (exit $rc); finish' EXIT

# trade TID BUYER GOODS_ID: a paid jd-store trade of one sub-order whose platform goods (shop 2, GOODS_ID, S1) are
# new; its spec_no SKU-TEA-001 auto-matches spec 1, so the trade becomes an order
trade() {
  printf '{"platform_id":2,"shop_no":"jd-store","tid":"%s","trade_status":30,"pay_status":2,"delivery_term":1,"goods_count":1,"goods_type_count":1,"receivable":"9.90","paid":"9.90","trade_time":"2026-11-20 10:00:00","pay_time":"2026-11-20 10:01:00","buyer_nick":"%s","receiver_province":"北京","receiver_city":"北京市","receiver_district":"朝阳区","receiver_address":"建国路1号","receiver_name":"测试","receiver_mobile":"13800000000","orders":[{"oid":"%s-1","status":30,"num":1,"price":"9.90","total_amount":"9.90","paid":"9.90","goods_id":"%s","spec_id":"S1","goods_no":"G-TEA-001","spec_no":"SKU-TEA-001","goods_name":"龙井","spec_name":"250g"}]}\n' \
    "$1" "$2" "$1" "$3"
}
ag_rows() { sql "SELECT COUNT(*) FROM api_goods_spec WHERE shop_id = 2 AND goods_id = '$1' AND spec_id = 'S1'"; }
order_of() { sql "SELECT IFNULL(MAX(CONCAT_WS(' ', a.process_status, o.spec_id)), 'none') FROM api_trade a
                  LEFT JOIN sales_trade_order o ON o.trade_id = a.deliver_trade_id WHERE a.tid = '$1'"; }
dl_lines() { ordctl dlq list --kafka 2>/dev/null | grep '^dlq ' | sort || true; }

# ---------------------------------------------------------------- (a) poison batch-mate
log "---- (a) a poison batch-mate rolls back a batch that inserted new platform goods"
GA="IT-CAT-GA-$RUN"
admin "ALTER TABLE api_trade ADD CONSTRAINT it_cat_poison CHECK (tid NOT LIKE 'IT-CAT-POISON%')"
{
  trade "IT-CAT-A-$RUN" cat-buyer-a "$GA"
  trade "IT-CAT-POISON-$RUN" cat-buyer-a "IT-CAT-GP-$RUN"
} >"$WORK/a.jsonl"
dl_lines >"$WORK/dl.mark"
publish "$WORK/a.jsonl" # the worker is stopped: both arrive in one batch (one buyer, one partition)
OF_BATCH_WAIT_MS=200 start_worker a # one batch even if the fetch comes in parts
wait_idle || fail "(a) not consumed"
grep -Eq 'retrying message by message.* messages=2( |$)' "$WORK/a.log" || fail "(a) the poison did not roll back a batch of the two"
assert_eq "$(order_of "IT-CAT-A-$RUN")" "20 1" "(a) the trade is submitted (process_status, spec of its line)"
assert_eq "$(ag_rows "$GA")" "1" "(a) its new platform goods row is in api_goods_spec (D-SUB-5)"
assert_eq "$(comm -13 "$WORK/dl.mark" <(dl_lines) | grep -c 'mysql 4025.*it_cat_poison' || true)" "1" \
  "(a) the poison dead-lettered"
admin "ALTER TABLE api_trade DROP CONSTRAINT it_cat_poison"
stop_worker a

# ---------------------------------------------------------------- (b) refusal after the insert, then success
log "---- (b) the database refuses the order after the INIT-04 insert, longer than the transaction's retries"
GB="IT-CAT-GB-$RUN"
admin_trigger "CREATE TRIGGER it_cat_ro BEFORE INSERT ON sales_trade FOR EACH ROW IF NEW.src_tids = 'IT-CAT-B-$RUN' THEN
         SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1290,
           MESSAGE_TEXT = 'The MariaDB server is running with the --read-only option so it cannot execute this statement';
       END IF"
trade "IT-CAT-B-$RUN" cat-buyer-b "$GB" >"$WORK/b.jsonl"
publish "$WORK/b.jsonl"
OF_TX_RETRIES=0 OF_RETRY_BACKOFF_MAX_MS=200 start_worker b
for _ in $(seq 1 100); do
  [[ $(grep -c 'msg="batch failed, will retry"' "$WORK/b.log" || true) -ge 3 ]] && break
  sleep 0.1
done
[[ $(grep -c 'msg="batch failed, will retry"' "$WORK/b.log" || true) -ge 3 ]] || fail "(b) the batch was not refused 3 times"
grep -q 'msg="batch transaction failed".*mysql 1290' "$WORK/b.log" || fail "(b) the refusal did not hold the batch"
assert_eq "$(ag_rows "$GB")" "0" "(b) while refused: the platform goods row rolled back"
admin "DROP TRIGGER it_cat_ro"
wait_idle || fail "(b) not consumed after the refusal"
assert_eq "$(order_of "IT-CAT-B-$RUN")" "20 1" "(b) the trade is submitted once the refusal passed"
assert_eq "$(ag_rows "$GB")" "1" "(b) its new platform goods row is in api_goods_spec (D-SUB-5)"
stop_worker b

# ---------------------------------------------------------------- (c) refresh: only what changed
log "---- (c) the refresh reloads only the tables that changed"
GC="IT-CAT-GC-$RUN"
# the sample's platform goods were loaded seconds ago: make them old (a minute apart), as in a real table
sql "UPDATE api_goods_spec SET modified_at = NOW(3) - INTERVAL 1 HOUR - INTERVAL rec_id MINUTE"
start_worker c
sleep 1.5
trade "IT-CAT-C1-$RUN" cat-buyer-c "$GC" >"$WORK/c1.jsonl"
publish "$WORK/c1.jsonl"
wait_idle || fail "(c) not consumed"
assert_eq "$(ag_rows "$GC")" "1" "(c) the platform goods row inserted"
# the worker's own insert comes back as an incremental read of api_goods_spec, no table reloaded in full
for _ in $(seq 1 40); do grep -q 'msg="catalogue loaded".*incremental=1' "$WORK/c.log" && break; sleep 0.1; done
grep -q 'msg="catalogue loaded".*tables=api_goods_spec .*incremental=1' "$WORK/c.log" ||
  fail "(c) the worker's own insert was not read back incrementally"
# read back: the new row, and the previous read's newest row (within the 10 s margin), not the 51 others
assert_eq "$(grep -m1 'msg="catalogue loaded".*incremental=1' "$WORK/c.log" | grep -o 'rows_read=[0-9]*')" "rows_read=2" \
  "(c) rows read back after the worker's own insert"
full=$(grep 'msg="catalogue loaded"' "$WORK/c.log" | grep -vc 'initial=1' || true)
inc=$(grep 'msg="catalogue loaded"' "$WORK/c.log" | grep -c 'tables=api_goods_spec .*incremental=1' || true)
assert_eq "$full" "$inc" "(c) refreshes after the worker's own inserts that were incremental reads only"
# an edited strategy table is reloaded alone
n=$(grep -c 'msg="catalogue loaded"' "$WORK/c.log")
sql "UPDATE cfg_logistics SET name = CONCAT(name, ' ') WHERE logistics_id = 1"
for _ in $(seq 1 40); do [[ $(grep -c 'msg="catalogue loaded"' "$WORK/c.log") -gt $n ]] && break; sleep 0.1; done
assert_eq "$(grep 'msg="catalogue loaded"' "$WORK/c.log" | tail -1 | grep -o 'tables=[^ ]*')" "tables=cfg_logistics" \
  "(c) a changed cfg_logistics reloads that table alone"
# a manual match made by hand reaches the running worker (spec 2 instead of the auto-matched spec 1)
n=$(grep -c 'msg="catalogue loaded"' "$WORK/c.log")
sql "UPDATE api_goods_spec SET is_manual_match = 1, match_target_type = 1, match_target_id = 2, match_code = 'SKU-TEA-002'
     WHERE shop_id = 2 AND goods_id = '$GC'"
for _ in $(seq 1 40); do [[ $(grep -c 'msg="catalogue loaded"' "$WORK/c.log") -gt $n ]] && break; sleep 0.1; done
trade "IT-CAT-C2-$RUN" cat-buyer-c2 "$GC" >"$WORK/c2.jsonl"
publish "$WORK/c2.jsonl"
wait_idle || fail "(c) manual match: not consumed"
assert_eq "$(order_of "IT-CAT-C2-$RUN")" "20 2" "(c) the manual match edited in api_goods_spec is used"
# a deleted platform goods row: the count drops, api_goods_spec is reloaded in full, INIT-04 inserts it again
sql "DELETE FROM api_goods_spec WHERE shop_id = 2 AND goods_id = '$GC'"
for _ in $(seq 1 40); do grep -q 'msg="catalogue loaded".*tables=api_goods_spec .*incremental=0' "$WORK/c.log" && break; sleep 0.1; done
grep -q 'msg="catalogue loaded".*tables=api_goods_spec .*incremental=0' "$WORK/c.log" ||
  fail "(c) a deleted platform goods row did not reload api_goods_spec"
trade "IT-CAT-C3-$RUN" cat-buyer-c3 "$GC" >"$WORK/c3.jsonl"
publish "$WORK/c3.jsonl"
wait_idle || fail "(c) deleted row: not consumed"
assert_eq "$(ag_rows "$GC")" "1" "(c) the deleted platform goods row inserted again"
assert_eq "$(order_of "IT-CAT-C3-$RUN")" "20 1" "(c) and auto-matched again"
grep 'msg="catalogue loaded"' "$WORK/c.log" | sed 's/^/  /'
stop_worker c
stock_check "catalogue"
