#!/usr/bin/env bash
# it_delivery_crash.sh -- the delivery worker SIGKILLed between the HTTP call and the commit: after a restart the
# merchant sees the same idempotency key again (and can drop the repeat), and the outcome is recorded once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_delivery.sh"
dlv_ns 15
start_merchant --delay-ms 4000 # the merchant takes 4 s to answer: the worker is killed meanwhile
sql "UPDATE merchant SET timeout_ms = 10000 WHERE id = 1"
start_fleet
deliver --merchant 1 --order 8001 --cash 5
for _ in $(seq 1 100); do [[ $(merchant_calls 8001) -ge 1 ]] && break; sleep 0.1; done
assert_eq "$(merchant_calls 8001)" "1" "the call reached the merchant"
kill9_worker delivery
assert_eq "$(sql "SELECT COUNT(*) FROM delivery_attempt")" "0" "nothing recorded when killed"
merchant_mode "delay_ms=0"
start_bin delivery2 of-delivery delivery
wait_sql "SELECT status FROM delivery WHERE order_id = '8001'" 2 30 || fail "not delivered after the restart"
assert_eq "$(merchant_calls 8001)" "2" "the merchant was called again"
assert_eq "$(grep ' order=8001 ' "$WORK/merchant.log" | awk '{print $3}' | sort -u)" "idem=dlv-1-8001" "with the same idempotency key"
assert_eq "$(grep ' order=8001 ' "$WORK/merchant.log" | tail -1 | grep -c 'dup=1')" "1" "the merchant recognises the repeat"
assert_eq "$(status_of 8001)" "delivered/1" "outcome recorded once (one try)"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery_attempt")" "1" "one attempt row"
wait_sql "SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'dlv-%-delivered'" 1 10 || fail "DELIVERED event"
assert_eq "$(sql "SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'dlv-%'")" "1" "one order event"
ordctl wait-idle --topic delivery.request --group "it.ns15.delivery" --timeout 30 >/dev/null 2>&1 || fail "offset not committed"
stop_worker delivery2
stop_worker ladder
stop_worker recorder
stop_merchant
