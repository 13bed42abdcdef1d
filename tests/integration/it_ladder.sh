#!/usr/bin/env bash
# it_ladder.sh -- the retry ladder on a compressed clock (1,2,3,4 s for DLV-6's 30/300/3600/7200 s): an endpoint
# that is always down (HTTP 500) and one that refuses connections -> dead letter after exactly five tries, five
# errors recorded (MySQL, Kafka dead letter) and one text-log line each; the waits between tries follow the ladder.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_delivery.sh"
dlv_ns 13
start_merchant --mode 500
# merchant 2 listens nowhere: connection refused
sql "UPDATE merchant SET endpoint_url = 'http://127.0.0.1:1/deliver' WHERE id = 2"
start_fleet

deliver --merchant 1 --order 6001 --cash 9.90
deliver --merchant 2 --order 6002 --cash 9.90
wait_sql "SELECT COUNT(*) FROM delivery WHERE status = 4" 2 40 || fail "not dead after the ladder: $(sql 'SELECT order_id, status, attempts FROM delivery')"
wait_sql "SELECT COUNT(*) FROM dead_letter" 2 20 || fail "dead letters not recorded"
for o in 6001 6002; do
  assert_eq "$(status_of $o)" "dead/5" "order $o: dead after exactly five tries"
  assert_eq "$(sql "SELECT COUNT(*) FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.order_id = '$o' AND a.ok = 0")" \
    "5" "order $o: five failed tries recorded"
  assert_eq "$(sql "SELECT CONCAT(reason, ' ', attempts, ' ', JSON_LENGTH(errors)) FROM dead_letter WHERE order_id = '$o'")" \
    "exhausted 5 5" "order $o: dead letter with five errors"
  assert_eq "$(grep -c " order=$o about=order:$o class=exhausted attempts=5 " "$WORK/deadletter.log")" "1" "order $o: one text-log line"
done
assert_eq "$(merchant_calls 6001)" "5" "the merchant saw five tries"
assert_eq "$(sql "SELECT GROUP_CONCAT(DISTINCT LEFT(error, 14)) FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.order_id = '6002'")" \
  "connect failed" "refused connections are retried (connect failed)"
assert_eq "$(sql "SELECT JSON_VALUE(errors, '\$[4].error') FROM dead_letter WHERE order_id = '6001'")" "HTTP 500: {\"error\":\"merchant down\"}" "the fifth error kept"
# waits between tries: 1, 2, 3, 4 s, each at most 1 s late
t=($(grep ' order=6001 ' "$WORK/merchant.log" | sed 's/^t_ms=\([0-9]*\).*/\1/'))
for i in 1 2 3 4; do
  w=$((t[i] - t[i - 1]))
  log "wait before try $((i + 1)): $w ms (ladder $i s)"
  ((w >= i * 1000 && w < i * 1000 + 1000)) || fail "wait before try $((i + 1)) is $w ms, want $i s (< 1 s late)"
done
# the OrderEvent DELIVERY_FAILED, once per order
wait_sql "SELECT COUNT(*) FROM outbox WHERE topic = 'order.events' AND event_id LIKE 'dlv-%-dead-%' AND sent_at IS NOT NULL" 2 10 ||
  fail "DELIVERY_FAILED events not published"
# the Kafka dead letter carries every try too
assert_eq "$(ordctl dlq list --kafka 2>/dev/null | grep -c 'class=exhausted attempts=5')" "2" "Kafka dead letters: exhausted, 5 attempts"
ordctl wait-idle --topic retry.30s --group "it.ns13.ladder" --timeout 30 >/dev/null 2>&1 || fail "ladder group not idle on rung 1"
ordctl wait-idle --topic retry.7200s --group "it.ns13.ladder" --timeout 30 >/dev/null 2>&1 || fail "ladder group not idle on rung 4"
stop_fleet
stop_merchant
