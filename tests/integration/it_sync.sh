#!/usr/bin/env bash
# it_sync.sh -- order-sync on the real servers (issue 14, spec order-sync.md): the buyer site, the seller primary
# and its replica at the buyer site are three MariaDB servers of the test stack. The eight flows of SYN-7 end to end;
# a pay on the buyer side racing a price change on the seller side (CT-3); a cancel request racing a shipment (CT-1);
# the seller primary down for a while then back, and replication stopped then resumed (SYN-4: the buyer site keeps
# taking orders and payments, nothing is applied half-way, everything catches up once); two of-order-sync instances
# with one killed by SIGKILL mid-run; every time `ordctl site check` compares both sides and every op taken once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_delivery.sh"
dlv_ns 23
export OF_SYNC_LAG_WAIT_MS=300 OF_BATCH_WAIT_MS=5
site() { bash "$REPO/scripts/stack.sh" mysql --site "$1" -N -B -e "$2"; }
bsql() { site buyer "$1"; }
ssql() { site seller "$1"; }
rsql() { site replica "$1"; }
oid_of() { sed -n 's/^oid=\([0-9]*\) .*/\1/p'; }
status_both() { echo "$(bsql "SELECT status FROM buyer_orders WHERE id = $1")/$(ssql "SELECT status FROM seller_orders WHERE id = $1")"; }
wait_status() { # OID WANT (buyer/seller) [seconds]
  local i
  for ((i = 0; i < ${3:-30} * 10; i++)); do [[ "$(status_both "$1")" == "$2" ]] && return 0; sleep 0.1; done
  return 1
}
check() { # what
  if ordctl site check --wait 60 >"$WORK/check.out" 2>&1; then
    log "ok: site check ($1): $(tail -1 "$WORK/check.out")"
  else
    fail "site check ($1)"
    head -30 "$WORK/check.out"
  fi
}

log "empty sites (the replica follows the seller primary)"
for t in buyer_orders buyer_order_products buyer_order_logs buyer_order_sync_log order_sync_state order_sync_applied; do
  bsql "TRUNCATE TABLE $t"
done
for t in seller_orders buyer_order_products seller_order_logs seller_order_sync_log order_sync_state order_sync_applied; do
  ssql "TRUNCATE TABLE $t"
done
bash "$REPO/scripts/stack.sh" replication status >"$WORK/repl.out" || fail "replication status"
grep -q 'io=Yes sql=Yes' "$WORK/repl.out" || fail "the replica replicates: $(cat "$WORK/repl.out")"
for ((i = 0; i < 50; i++)); do [[ "$(rsql 'SELECT COUNT(*) FROM seller_order_sync_log')" == 0 ]] && break; sleep 0.1; done

"$BIN/of-order-sync" --help >"$WORK/help.out" 2>&1 || fail "of-order-sync --help"
grep -q OF_SYNC_LAG_WAIT_MS "$WORK/help.out" || fail "of-order-sync --help names OF_SYNC_LAG_WAIT_MS"
start_bin ladder of-retry-ladder
start_bin recorder of-dlq-recorder
start_bin s1 of-order-sync sync

log "SYN-7 flows 1-4 and 8: create (two lines), price adjusted, paid, shipped, received"
a=$(ordctl site buyer create-order --buyer 7 --seller 9 --line TEA-1:10.50:2:Tea:茶叶 --line CUP-2:5:1:Cup:杯子 \
  --shipping 3 --receiver Ann --city Paris --country FR | oid_of)
[[ -n "$a" ]] || die "create-order printed no oid"
wait_status "$a" 0/0 || fail "order $a reaches the seller site"
assert_eq "$(ssql "SELECT COUNT(*) FROM buyer_order_products WHERE oid = $a")" 2 "lines copied to the seller side (SYN-5)"
assert_eq "$(ssql "SELECT CONCAT(sku, ' ', name_cn, ' ', num) FROM buyer_order_products WHERE oid = $a ORDER BY id LIMIT 1")" \
  "TEA-1 茶叶 2" "a copied line"
ordctl site seller adjust-price "$a" 20.00 >/dev/null || fail "adjust-price"
wait_status "$a" 0/0
for ((i = 0; i < 50; i++)); do [[ "$(bsql "SELECT amount FROM buyer_orders WHERE id = $a")" == 23.0000 ]] && break; sleep 0.1; done
assert_eq "$(bsql "SELECT amount FROM buyer_orders WHERE id = $a")" 23.0000 "the seller's price reaches the buyer (flow 2)"
ordctl site buyer pay "$a" --pay-no PAY-A >/dev/null || fail "pay"
wait_status "$a" 1/1 || fail "paid on both sides (flow 3): $(status_both "$a")"
assert_eq "$(ssql "SELECT CONCAT(pay_result, ' ', pay_no, ' ', paid_amount) FROM seller_orders WHERE id = $a")" \
  "1 PAY-A 23.0000" "the pay result on the seller side"
ordctl site seller ship "$a" --logistics SF --waybill SF123 >/dev/null || fail "ship"
wait_status "$a" 2/2 || fail "shipped on both sides (flow 4)"
assert_eq "$(bsql "SELECT CONCAT(ship_logistics, ' ', ship_waybill_no, ' ', ship_time IS NOT NULL) FROM buyer_orders WHERE id = $a")" \
  "SF SF123 1" "the ship notice and ship_time on the buyer side"
ordctl site buyer confirm-receipt "$a" >/dev/null || fail "confirm-receipt"
wait_status "$a" 5/5 || fail "received on both sides (flow 8)"
if ordctl site seller adjust-price "$a" 1 >"$WORK/refused.out" 2>&1; then fail "a price change of a received order is refused"; fi
grep -q "cannot be made while the order is received" "$WORK/refused.out" || fail "the refusal says why: $(cat "$WORK/refused.out")"

log "SYN-7 flows 5-7: cancel requested and refused (back to paid), requested again and agreed (refund_time)"
b=$(ordctl site buyer create-order --buyer 8 --seller 9 --price 40 | oid_of)
ordctl site buyer pay "$b" >/dev/null
ordctl site buyer request-cancel "$b" >/dev/null
wait_status "$b" 3/3 || fail "cancel requested on both sides (flow 5)"
if ordctl site buyer agree-cancel "$b" >"$WORK/refused.out" 2>&1; then fail "the buyer cannot agree to its own request (D-SYN-3)"; fi
ordctl site seller refuse-cancel "$b" >/dev/null || fail "refuse-cancel"
wait_status "$b" 1/1 || fail "refused: back to paid on both sides (flow 6): $(status_both "$b")"
ordctl site buyer request-cancel "$b" >/dev/null
wait_status "$b" 3/3
ordctl site seller agree-cancel "$b" >/dev/null || fail "agree-cancel"
wait_status "$b" 4/4 || fail "cancelled on both sides (flow 7)"
assert_eq "$(bsql "SELECT refund_time IS NOT NULL FROM buyer_orders WHERE id = $b")/$(ssql "SELECT refund_time IS NOT NULL FROM seller_orders WHERE id = $b")" \
  "1/1" "refund_time set on both sides for a paid order"
assert_eq "$(bsql "SELECT COUNT(*) FROM buyer_order_logs WHERE oid = $b")" \
  "$(ssql "SELECT COUNT(*) FROM seller_order_logs WHERE oid = $b AND buy_log_id IS NOT NULL")" \
  "every buyer log merged into the seller's once (SYN-6)"
assert_eq "$(bsql "SELECT COUNT(*) FROM buyer_order_logs WHERE oid = $b AND sync_flag = 0")" 0 "buyer logs marked merged"
check "the eight flows"

log "CT-3/CT-8: a pay on the buyer side racing a price change on the seller side (the sync held back, both local)"
race() { # first-side: the price change is made first (seller) or the payment (buyer); the payment wins either way
  local c
  c=$(ordctl site buyer create-order --buyer 9 --seller 9 --price 100 | oid_of)
  wait_status "$c" 0/0 || fail "order $c synced"
  stop_worker s1
  if [[ $1 == seller ]]; then
    ordctl site seller adjust-price "$c" 1.00 >/dev/null || fail "the seller changes the price locally"
    ordctl site buyer pay "$c" >/dev/null || fail "the buyer pays locally"
  else
    ordctl site buyer pay "$c" >/dev/null || fail "the buyer pays locally"
    ordctl site seller adjust-price "$c" 1.00 >/dev/null || fail "the seller changes the price locally"
  fi
  assert_eq "$(status_both "$c")" "1/0" "each side has only its own change ($1 first)"
  start_bin s1 of-order-sync sync
  wait_status "$c" 1/1 || fail "paid on both sides: $(status_both "$c")"
  assert_eq "$(ssql "SELECT amount FROM seller_orders WHERE id = $c")/$(bsql "SELECT amount FROM buyer_orders WHERE id = $c")" \
    "100.0000/100.0000" "the price change lost ($1 first): both sides at the price paid"
  assert_eq "$(ssql "SELECT flag FROM seller_order_sync_log WHERE oid = $c AND op = 'adjust_price'")" 2 \
    "the losing op is marked rejected, not dropped ($1 first)"
  assert_eq "$(bsql "SELECT ct_row FROM order_sync_applied WHERE side = 's' AND oid = $c")" "$2" "by row $2"
  assert_eq "$(bsql "SELECT COUNT(*) FROM buyer_order_logs WHERE oid = $c AND action IN ('reject', 'override')")/$(ssql "SELECT COUNT(*) FROM seller_order_logs WHERE oid = $c AND action IN ('reject', 'override') AND cn_remark LIKE '%价%'")" \
    "1/1" "a log line on both sides says why (en, cn)"
}
race buyer "CT-3 request loses"
race seller "CT-8 paid price"
ordctl site conflicts >"$WORK/conflicts.out"
grep -q "CT-3 request loses" "$WORK/conflicts.out" && grep -q "CT-8 paid price" "$WORK/conflicts.out" ||
  fail "ordctl site conflicts lists both: $(cat "$WORK/conflicts.out")"

log "CT-1: a cancel request racing a shipment (the shipment is a fact and wins)"
d=$(ordctl site buyer create-order --buyer 10 --seller 9 --price 60 | oid_of)
ordctl site buyer pay "$d" >/dev/null
wait_status "$d" 1/1 || fail "order $d paid on both sides"
stop_worker s1
ordctl site buyer request-cancel "$d" >/dev/null
sleep 0.05
ordctl site seller ship "$d" --waybill W-D >/dev/null || fail "the seller ships (it has not seen the request)"
start_bin s1 of-order-sync sync
wait_status "$d" 2/2 || fail "shipped on both sides: $(status_both "$d")"
assert_eq "$(bsql "SELECT flag FROM buyer_order_sync_log WHERE oid = $d AND op = 'cancel_request'")" 2 "the cancel request rejected (overridden)"
assert_eq "$(bsql "SELECT ct_row FROM order_sync_applied WHERE side = 'b' AND oid = $d AND outcome = 2")" "CT-1 fact overrides" "by row CT-1"
assert_eq "$(bsql "SELECT cancel_from_status IS NULL FROM buyer_orders WHERE id = $d")" 1 "no cancellation left pending"
check "the races"

log "SYN-4: the seller primary down; the buyer site keeps taking orders and payments"
bash "$REPO/scripts/stack.sh" site-stop seller >/dev/null || fail "site-stop seller"
es=()
for i in 1 2 3 4 5; do
  e=$(ordctl site buyer create-order --buyer $((20 + i)) --seller 9 --price 10 | oid_of)
  [[ -n "$e" ]] || fail "the buyer site takes order $i while the seller is down"
  ordctl site buyer pay "$e" >/dev/null || fail "and its payment"
  es+=("$e")
done
sleep 3
assert_eq "$(bsql "SELECT COUNT(*) FROM order_sync_state WHERE oid IN ($(IFS=,; echo "${es[*]}"))")" 0 "nothing applied half-way (no merged state on the buyer side)"
grep -q 'order-sync round failed, the batch waits.*seller site' "$WORK/s1.log" || fail "the sync says what it waits for (the seller site)"
bash "$REPO/scripts/stack.sh" site-start seller >/dev/null || fail "site-start seller"
for e in "${es[@]}"; do wait_status "$e" 1/1 60 || fail "order $e caught up after the outage: $(status_both "$e")"; done
check "after the seller outage"

log "SYN-4: replication stopped: an order with a new seller op waits for the replica, the others flow"
f=$(ordctl site buyer create-order --buyer 30 --seller 9 --price 70 | oid_of)
ordctl site buyer pay "$f" >/dev/null
wait_status "$f" 1/1 || fail "order $f paid on both sides"
bash "$REPO/scripts/stack.sh" replication stop >/dev/null || fail "replication stop"
ordctl site seller ship "$f" --waybill W-F >/dev/null
g=$(ordctl site buyer create-order --buyer 31 --seller 9 --price 5 | oid_of)
wait_status "$g" 0/0 || fail "a buyer order flows while the replica lags: $(status_both "$g")"
sleep 2
assert_eq "$(bsql "SELECT status FROM buyer_orders WHERE id = $f")" 1 "the shipped order waits for the replica"
grep -q 'order waits for the replica' "$WORK/s1.log" || fail "the sync logs that it waits for the replica"
bash "$REPO/scripts/stack.sh" replication start >/dev/null || fail "replication start"
wait_status "$f" 2/2 60 || fail "order $f caught up once the replica did: $(status_both "$f")"
check "after replication resumed"

log "SYN-4: the replica down: orders without new seller ops flow, one with a seller op waits, then catches up"
r1=$(ordctl site buyer create-order --buyer 32 --seller 9 --price 9 | oid_of)
ordctl site buyer pay "$r1" >/dev/null
wait_status "$r1" 1/1 || fail "order $r1 paid on both sides"
bash "$REPO/scripts/stack.sh" site-stop replica >/dev/null || fail "site-stop replica"
ordctl site seller ship "$r1" --waybill W-R1 >/dev/null
r2=$(ordctl site buyer create-order --buyer 33 --seller 9 --price 6 | oid_of)
ordctl site buyer pay "$r2" >/dev/null
wait_status "$r2" 1/1 || fail "a buyer order flows while the replica is down: $(status_both "$r2")"
assert_eq "$(bsql "SELECT status FROM buyer_orders WHERE id = $r1")" 1 "the order with a new seller op waits"
grep -q 'seller replica does not answer' "$WORK/s1.log" || fail "the sync says the replica does not answer"
bash "$REPO/scripts/stack.sh" site-start replica >/dev/null || fail "site-start replica"
wait_status "$r1" 2/2 60 || fail "order $r1 caught up once the replica was back: $(status_both "$r1")"
check "after the replica came back"

log "D-SYN-5: the process dies between the seller's commit and the buyer's (OF_TEST_FAILPOINT), the next round repairs it"
stop_worker s1
x1=$(ordctl site buyer create-order --buyer 34 --seller 9 --price 12 --line X1:12:1 | oid_of)
ordctl site buyer pay "$x1" >/dev/null
OF_TEST_FAILPOINT=after-seller-commit start_bin fp of-order-sync sync
rc=0
wait "$PID_fp" || rc=$?
assert_eq "$rc" 86 "the failpoint ended the process between the two commits"
assert_eq "$(ssql "SELECT status FROM seller_orders WHERE id = $x1")/$(bsql "SELECT COUNT(*) FROM order_sync_state WHERE oid = $x1")" \
  "1/0" "the seller side committed, the buyer side did not"
start_bin s1 of-order-sync sync
wait_status "$x1" 1/1 || fail "order $x1 repaired"
check "after a crash between the two commits"
assert_eq "$(ssql "SELECT COUNT(*) FROM buyer_order_products WHERE oid = $x1")/$(ssql "SELECT COUNT(*) FROM seller_order_logs WHERE oid = $x1 AND buy_log_id IS NOT NULL")" \
  "1/2" "lines and logs once on the seller side"

log "a refused round (an unreadable merged state) dead-letters that order's message, the batch's others go through"
stop_worker s1
p1=$(ordctl site buyer create-order --buyer 35 --seller 9 --price 3 | oid_of)
p2=$(ordctl site buyer create-order --buyer 36 --seller 9 --price 4 | oid_of)
start_bin s1 of-order-sync sync
wait_status "$p1" 0/0 && wait_status "$p2" 0/0 || fail "orders $p1 $p2 synced"
good=$(bsql "SELECT state FROM order_sync_state WHERE oid = $p1")
bsql "UPDATE order_sync_state SET state = '{\"broken\": 1}' WHERE oid = $p1"
ordctl site buyer pay "$p1" >/dev/null
ordctl site buyer pay "$p2" >/dev/null
wait_status "$p2" 1/1 || fail "the other order goes through: $(status_both "$p2")"
for ((i = 0; i < 100; i++)); do [[ "$(sql "SELECT COUNT(*) FROM dead_letter WHERE topic = 'ns23.order.sync' AND reason = 'permanent'")" -ge 1 ]] && break; sleep 0.1; done
assert_eq "$(sql "SELECT COUNT(*) > 0 FROM dead_letter WHERE topic = 'ns23.order.sync' AND reason = 'permanent' AND error LIKE '%order $p1 cannot be merged%'")" 1 \
  "its message dead-lettered with the reason"
bsql "UPDATE order_sync_state SET state = '$good' WHERE oid = $p1"
stop_worker s1
OF_SYNC_SWEEP_S=1 start_bin s1 of-order-sync sync
wait_status "$p1" 1/1 60 || fail "repaired, the catch-up sweep takes the order's waiting ops: $(status_both "$p1")"
# the sweep logs its count after its commit, which wait_status may see first
for ((i = 0; i < 50; i++)); do grep -q 'catch-up sweep: orders with ops no round had taken' "$WORK/s1.log" && break; sleep 0.1; done
grep -q 'catch-up sweep: orders with ops no round had taken' "$WORK/s1.log" || fail "the sweep says what it did"
check "after the refused round"

log "two instances, one killed by SIGKILL mid-run: a backlog of 600 orders created and paid while the sync was stopped"
stop_worker s1
ordctl site load buyer create-order --count 600 >"$WORK/load.out" || fail "site load create"
first=$(sed -n 's/.*first_oid=\([0-9]*\).*/\1/p' "$WORK/load.out")
last=$(sed -n 's/.*last_oid=\([0-9]*\).*/\1/p' "$WORK/load.out")
ordctl site load buyer pay --from "$first" --to "$last" >/dev/null || fail "site load pay"
untaken() { bsql "SELECT COUNT(*) FROM buyer_order_sync_log l LEFT JOIN order_sync_applied a ON a.side = 'b' AND a.op_id = l.id WHERE a.op_id IS NULL"; }
total=$(untaken)
OF_BATCH_SIZE=20 start_bin s1 of-order-sync sync
OF_BATCH_SIZE=20 start_bin s2 of-order-sync sync
for ((i = 0; i < 300; i++)); do p=$(untaken); ((p < total * 3 / 4)) && break; sleep 0.05; done
kill9_worker s1
p=$(untaken)
if ((p > 0 && p < total)); then log "ok: the kill landed mid-run ($p of $total buyer ops not taken yet)"; else fail "the kill landed mid-run ($p of $total)"; fi
OF_BATCH_SIZE=20 start_bin s1 of-order-sync sync
ordctl site load seller ship --from "$first" --to "$((first + 99))" >/dev/null 2>&1 || true
check "two instances and a SIGKILL"
assert_eq "$(bsql "SELECT COUNT(*) FROM buyer_order_sync_log")" "$(bsql "SELECT COUNT(*) FROM order_sync_applied WHERE side = 'b'")" \
  "every buyer op taken once"
assert_eq "$(ssql "SELECT COUNT(*) FROM seller_order_sync_log")" "$(ssql "SELECT COUNT(*) FROM order_sync_applied WHERE side = 's'")" \
  "every seller op taken once"
assert_eq "$(ssql "SELECT COUNT(*) FROM seller_order_logs WHERE buy_log_id IS NOT NULL")" "$(bsql "SELECT COUNT(*) FROM buyer_order_logs WHERE actor <> 4")" \
  "every buyer log merged once"
assert_eq "$(ssql "SELECT COUNT(*) FROM seller_orders WHERE id BETWEEN $first AND $last AND status IN (1, 2)")" 600 "the backlog paid (or shipped) on the seller side"

log "bad input: a malformed message is dead-lettered, an op with bad fields is rejected (CT-6), nothing blocks"
ordctl produce-raw --topic order.sync --key 1 --text garbage >/dev/null || fail "produce-raw"
h=$(ordctl site buyer create-order --buyer 40 --seller 9 --price 8 | oid_of)
wait_status "$h" 0/0 || fail "order $h synced"
bsql "INSERT INTO buyer_order_sync_log (oid, op, actor, fields, from_status, status) VALUES ($h, 'update', 1, '{\"receiver_city\": 42}', 0, 0)"
ordctl site buyer pay "$h" >/dev/null
wait_status "$h" 1/1 || fail "the next op of the order goes through: $(status_both "$h")"
assert_eq "$(bsql "SELECT ct_row FROM order_sync_applied a JOIN buyer_order_sync_log l ON l.id = a.op_id AND a.side = 'b' WHERE l.oid = $h AND l.op = 'update'")" \
  "CT-6 invalid" "the bad op rejected with its row"
check "after bad input"
sn=$(bsql "SELECT order_sn FROM buyer_orders WHERE id = $h")
ghost=$(( $(bsql "SELECT MAX(id) FROM buyer_orders") + 1000 ))
bsql "INSERT INTO buyer_order_sync_log (oid, op, actor, fields, from_status, status) VALUES ($ghost, 'create', 1, '{\"order_sn\": \"$sn\", \"buyer_id\": \"5\", \"seller_id\": \"6\", \"price\": \"1.00\", \"receiver_city\": \"EVIL\"}', 0, 0)"
ordctl site buyer change-address "$h" --city Lyon >/dev/null || fail "change-address"
for ((i = 0; i < 100; i++)); do [[ "$(bsql "SELECT COUNT(*) FROM order_sync_applied WHERE oid = $ghost")" == 1 ]] && break; sleep 0.1; done
OF_SYNC_SWEEP_S=1 start_bin sweep2 of-order-sync sync
# up (its signal handlers in: a SIGTERM during the process's own start-up would end it with 143), then one catch-up
# sweep's period, so that the sweep meets the refused op too
for ((i = 0; i < 100; i++)); do grep -q 'msg=started' "$WORK/sweep2.log" && break; sleep 0.1; done
grep -q 'msg=started' "$WORK/sweep2.log" || fail "sweep2 did not start within 10 s"
sleep 1.2
stop_worker sweep2
assert_eq "$(bsql "SELECT reason LIKE '%belongs to order $h%' FROM order_sync_applied WHERE oid = $ghost")" 1 \
  "a create with another order's number is refused (CT-6)"
assert_eq "$(ssql "SELECT CONCAT(receiver_city, ' ', price) FROM seller_orders WHERE id = $h")" "Lyon 8.0000" "the other order untouched"
check "after a create with a taken order number"
for ((i = 0; i < 100; i++)); do [[ "$(sql "SELECT COUNT(*) FROM dead_letter WHERE topic = 'ns23.order.sync' AND reason = 'decode'")" -ge 1 ]] && break; sleep 0.1; done
assert_eq "$(sql "SELECT COUNT(*) FROM dead_letter WHERE topic = 'ns23.order.sync' AND reason = 'decode'")" 1 "the malformed message dead-lettered with its reason"

stop_worker s1
stop_worker s2
stop_worker ladder
stop_worker recorder
