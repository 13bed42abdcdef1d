#!/usr/bin/env bash
# it_delivery.sh -- delivery to merchants on the real stack (DLV-2..DLV-6, compressed ladder 1,2,3,4 s):
# success path with a checked signature; endpoint down for N tries then up -> delivered once on try N+1;
# a duplicate notify and a replayed message -> one delivery; a 4xx, a refused signature, an unknown merchant,
# a merchant without its secret and undecodable bytes -> dead letters at once with the reason; listing and
# re-driving dead letters.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_delivery.sh"
dlv_ns 12
start_merchant
# merchant 2 (tea-01) rotated its secret and the fleet still has the old one: its signatures are refused
export OF_MERCHANT_2_SECRET=it-secret-two-old
# an instance id longer than delivery_attempt.worker_id (64): recorded cut, never refused
LONG_ID=it-delivery-$(printf '%0100d' 0)
OF_INSTANCE_ID=$LONG_ID start_bin delivery of-delivery
start_bin ladder of-retry-ladder
start_bin recorder of-dlq-recorder

# ---- success path (DLV-2, DLV-4)
deliver --merchant 1 --order 5001 --cash 12.50 --payload '{"sku":"SKU-TEA-001","qty":2}'
wait_sql "SELECT status FROM delivery WHERE order_id = '5001'" 2 || fail "order 5001 not delivered"
assert_eq "$(status_of 5001)" "delivered/1" "success: delivered on the first try"
assert_eq "$(merchant_calls 5001)" "1" "success: one call"
assert_eq "$(grep ' order=5001 ' "$WORK/merchant.log" | grep -c 'idem=dlv-1-5001 attempt=1 merchant=ranch-01 sig=ok dup=0 answer=200')" \
  "1" "success: signed (merchant checked the HMAC), idempotency key dlv-1-5001"
assert_eq "$(sql "SELECT amount FROM delivery WHERE order_id='5001'")" "12.5000" "success: amount recorded"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.order_id='5001' AND a.ok = 1 AND a.http_status = 200")" \
  "1" "success: the try recorded"
assert_eq "$(sql "SELECT worker_id FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.order_id='5001'")" \
  "${LONG_ID:0:64}" "success: a long instance id recorded cut to 64 characters"
wait_sql "SELECT COUNT(*) FROM outbox WHERE topic = 'order.events' AND event_id LIKE 'dlv-%-delivered' AND sent_at IS NOT NULL" 1 10 ||
  fail "success: OrderEvent DELIVERED not published"

# ---- duplicate notify (another event, same order) and a replay of the same event: nothing more
deliver --merchant 1 --order 5001 --cash 12.50 --event-id dup-notify-5001
deliver --merchant 1 --order 5001 --cash 12.50 # same event id dr-1-5001: a replay
ordctl wait-idle --topic delivery.request --group "it.ns12.delivery" --timeout 60 >/dev/null 2>&1 || fail "not idle"
assert_eq "$(merchant_calls 5001)" "1" "duplicate notify + replay: still one call"
assert_eq "$(grep -c 'msg="delivery skipped" event_id=dup-notify-5001' "$WORK/delivery.log")" "1" "duplicate notify skipped"
assert_eq "$(grep -c 'msg="delivery skipped" event_id=dr-1-5001' "$WORK/delivery.log")" "1" "replay skipped"
assert_eq "$(status_of 5001)" "delivered/1" "duplicates change nothing"

# ---- endpoint down for N=2 tries, then up: delivered once, on try 3 (DLV-5, DLV-6)
merchant_mode "fail=2"
deliver --merchant 1 --order 5002 --cash 1
wait_sql "SELECT status FROM delivery WHERE order_id = '5002'" 2 20 || fail "order 5002 not delivered"
assert_eq "$(status_of 5002)" "delivered/3" "down 2 tries: delivered on try 3"
assert_eq "$(grep ' order=5002 ' "$WORK/merchant.log" | awk '{print $4 "/" $8}' | tr '\n' ' ')" \
  "attempt=1/answer=500 attempt=2/answer=500 attempt=3/answer=200 " "down 2 tries: the merchant saw tries 1, 2 (500) and 3 (200)"
assert_eq "$(grep ' order=5002 ' "$WORK/merchant.log" | grep -c 'idem=dlv-1-5002 ')" "3" "the same idempotency key every try"
assert_eq "$(grep ' order=5002 ' "$WORK/merchant.log" | grep -c 'answer=200')" "1" "delivered once"
assert_eq "$(sql "SELECT GROUP_CONCAT(CONCAT(attempt_no, ':', http_status, ':', ok) ORDER BY attempt_no) FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.order_id = '5002'")" \
  "1:500:0,2:500:0,3:200:1" "every try recorded"
# the waits: ~1 s after try 1, ~2 s after try 2
t=($(grep ' order=5002 ' "$WORK/merchant.log" | sed 's/^t_ms=\([0-9]*\).*/\1/'))
w1=$((t[1] - t[0])) w2=$((t[2] - t[1]))
log "waits between tries: ${w1} ms, ${w2} ms (ladder 1 s, 2 s)"
((w1 >= 1000 && w1 < 2000)) || fail "wait after try 1 is $w1 ms, want 1 s (<1 s late)"
((w2 >= 2000 && w2 < 3000)) || fail "wait after try 2 is $w2 ms, want 2 s (<1 s late)"

# ---- dead letters at once (5): 400, refused signature, unknown merchant, missing secret, garbage
merchant_mode "mode=400"
deliver --merchant 1 --order 5003 --cash 1
wait_sql "SELECT status FROM delivery WHERE order_id = '5003'" 4 20 || fail "400 not dead"
merchant_mode "mode=ok"
sql "INSERT INTO merchant (id, merchant_no, name, endpoint_url, secret_ref) VALUES
     (3, 'nosecret-01', 'no secret', 'http://127.0.0.1:$MPORT/deliver/x', 'OF_MERCHANT_3_SECRET')"
deliver --merchant 2 --order 5004
deliver --merchant 99 --order 5005
deliver --merchant 3 --order 5006
ordctl produce-raw --topic delivery.request --key 5007 --hex "deadbeef" >/dev/null 2>&1 || fail "produce garbage"
wait_sql "SELECT COUNT(*) FROM dead_letter" 5 30 || fail "dead letters not recorded: $(sql 'SELECT reason, error FROM dead_letter')"
dl=$(ordctl dlq list --errors 2>/dev/null)
echo "$dl"
# D-DLQ-3: each names its order and event (about=order:…, event_id=…); the undecodable one nothing (its key only)
assert_eq "$(grep -c 'order=5003 about=order:5003 event_id=[^- ][^ ]* class=permanent attempts=1 .*reason="HTTP 400: {"error":"bad request: unknown goods"}"' <<<"$dl")" "1" "400: dead letter at once, with the merchant's answer"
assert_eq "$(grep -cE 'order=5004 about=order:5004 event_id=[^- ][^ ]* class=permanent attempts=1 .*reason="HTTP 401' <<<"$dl")" "1" "refused signature (401): dead letter"
assert_eq "$(grep -c 'order=5005 about=order:5005 event_id=[^- ][^ ]* class=unknown_ref .*unknown or disabled merchant: merchant_id=99' <<<"$dl")" "1" "unknown merchant"
assert_eq "$(grep -c 'order=5006 about=order:5006 event_id=[^- ][^ ]* class=config .*secret OF_MERCHANT_3_SECRET is not set' <<<"$dl")" "1" "merchant without its secret"
assert_eq "$(grep -c 'order=5007 about=- event_id=- class=decode .*not a DeliveryRequest' <<<"$dl")" "1" "undecodable bytes"
if grep -q 'it-secret-one' "$WORK"/*.log; then fail "a merchant secret appears in a log"; fi
assert_eq "$(grep -c ' dead_letter id=' "$WORK/deadletter.log")" "5" "one text-log line per dead letter"
assert_eq "$(ordctl dlq list --order 5003 2>/dev/null | tail -1)" "dead letters: 1 shown of 1" "dlq list --order"
assert_eq "$(ordctl dlq list --class unknown_ref --topic delivery.request 2>/dev/null | tail -1)" "dead letters: 1 shown of 1" "dlq list --class --topic"
assert_eq "$(ordctl dlq list --since 10m 2>/dev/null | tail -1)" "dead letters: 5 shown of 5" "dlq list --since 10m"
assert_eq "$(ordctl dlq list --until 10m 2>/dev/null | tail -1)" "dead letters: 0 shown of 0" "dlq list --until 10m (older than 10 minutes)"

# ---- re-drive: the 400 one, now that the merchant accepts; then --all sends the rest once
id=$(sql "SELECT id FROM dead_letter WHERE order_id = '5003'")
ordctl dlq redrive "$id" >"$WORK/redrive.out" 2>&1 || fail "redrive $id: $(cat "$WORK/redrive.out")"
wait_sql "SELECT status FROM delivery WHERE order_id = '5003'" 2 20 || fail "re-driven 5003 not delivered"
assert_eq "$(status_of 5003)" "delivered/2" "re-driven: delivered on its second try in all"
assert_eq "$(sql "SELECT redrive_count FROM dead_letter WHERE id = $id")" "1" "re-drive recorded"
assert_eq "$(ordctl dlq list --pending 2>/dev/null | tail -1)" "dead letters: 4 shown of 4" "--pending: not re-driven yet"
out=$(ordctl dlq redrive --all --class decode 2>/dev/null | tail -1)
assert_eq "$out" "redriven: 1" "redrive --all --class decode"
wait_sql "SELECT COUNT(*) FROM dead_letter WHERE order_id = '5007'" 2 20 || fail "re-driven garbage is a dead letter again"

# ---- the batch claim's edge cases (DLV-2, D-DLV-5): an idempotency key already used by another order is refused;
# a later notify of a delivered order under another key finds the order's own row and does nothing; a batch with
# more requests than one multi-row statement takes (OF_DB_MULTI_MAX = 64) is claimed and recorded whole
deliver --merchant 1 --order 5020 --cash 3 --idempotency-key shared-key-5020
wait_sql "SELECT status FROM delivery WHERE order_id = '5020'" 2 20 || fail "order 5020 not delivered"
deliver --merchant 1 --order 5021 --cash 3 --idempotency-key shared-key-5020 --event-id steal-5021
wait_sql "SELECT COUNT(*) FROM dead_letter WHERE order_id = '5021' AND error LIKE '%idempotency_key already used by another order%'" 1 20 ||
  fail "a key used by another order: not a dead letter ($(sql "SELECT error FROM dead_letter WHERE order_id = '5021'"))"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery WHERE order_id = '5021'")" "0" "a key used by another order: no delivery row"
deliver --merchant 1 --order 5020 --cash 3 --idempotency-key other-key-5020 --event-id rekey-5020
ordctl wait-idle --topic delivery.request --group "it.ns12.delivery" --timeout 60 >/dev/null 2>&1 || fail "not idle"
assert_eq "$(merchant_calls 5020)" "1" "a delivered order notified under another key: still one call"
assert_eq "$(grep 'msg="delivery skipped" event_id=rekey-5020' "$WORK/delivery.log" | grep -c 'why="delivered already"')" "1" \
  "a delivered order notified under another key: skipped as delivered"
deliver --merchant 1 --order 5022 --cash 3
wait_sql "SELECT status FROM delivery WHERE order_id = '5022'" 2 20 || fail "order 5022 not delivered"
deliver --merchant 1 --order 5022 --cash 3 --idempotency-key shared-key-5020 --event-id steal-5022
wait_sql "SELECT COUNT(*) FROM dead_letter WHERE order_id = '5022' AND error LIKE '%idempotency_key already used by another order%'" 1 20 ||
  fail "an order with its own row asking for another order's key: not a dead letter"
assert_eq "$(merchant_calls 5022)" "1" "another order's key: no call with it"
deliver --merchant 1 --order 5100 --count 150 --cash 2
wait_sql "SELECT COUNT(*) FROM delivery WHERE order_id BETWEEN '5100' AND '5249' AND status = 2 AND attempts = 1" 150 30 ||
  fail "150 at once: $(sql "SELECT status, COUNT(*) FROM delivery WHERE order_id BETWEEN '5100' AND '5249' GROUP BY status")"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.order_id BETWEEN '5100' AND '5249' AND a.ok = 1")" \
  "150" "150 at once: one try recorded each"
assert_eq "$(for o in $(seq 5100 5249); do merchant_calls "$o"; done | sort -u)" "1" "150 at once: one call each"
ndelivered=$(sql "SELECT COUNT(*) FROM delivery WHERE status = 2")
wait_sql "SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'dlv-%-delivered' AND sent_at IS NOT NULL" "$ndelivered" 20 ||
  fail "150 at once: $ndelivered delivered, order events published: $(sql "SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'dlv-%-delivered' AND sent_at IS NOT NULL")"

kill -0 "$PID_delivery" 2>/dev/null || fail "delivery worker died on bad input"
stop_fleet
stop_merchant
