#!/usr/bin/env bash
# it_delivery_window.sh -- one of-delivery keeps its window of calls full across batches (issue 16): a slow merchant
# (1 s a call) does not slow another merchant's deliveries in the same instance; two deliveries of one order keep
# their order while the window is full (the second is claimed only once the first's outcome is durable); a stop
# with a call in flight is bounded and stores nothing that is not durable; a revoke finishes the revoked partitions'
# calls first (no call made twice when an instance joins).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_delivery.sh"
dlv_ns 28

# ---- a slow merchant beside a fast one
start_merchant # merchant 1 (ranch-01): answers at once
"$BIN/of-testmerchant" --port 0 --port-file "$WORK/slow.port" --log "$WORK/slow.log" --delay-ms 1000 \
  --merchant tea-01=OF_MERCHANT_2_SECRET >>"$WORK/slow.out" 2>&1 &
SLOW_PID=$!
WORKERS+=("$SLOW_PID")
for _ in $(seq 1 100); do [[ -s $WORK/slow.port ]] && break; sleep 0.05; done
sql "UPDATE merchant SET endpoint_url = 'http://127.0.0.1:$(cat "$WORK/slow.port")/deliver/tea-01' WHERE id = 2"
OF_BATCH_SIZE=20 OF_DELIVERY_MAX_INFLIGHT=16 start_bin delivery of-delivery
# ten rounds of one order to the slow merchant and twenty to the fast one: every batch of 20 meets a slow call
for r in $(seq 0 9); do
  deliver --merchant 2 --order $((6000 + r)) --cash 1
  deliver --merchant 1 --order $((6100 + 20 * r)) --count 20 --cash 1
done
wait_sql "SELECT COUNT(*) FROM delivery WHERE status = 2" 210 60 ||
  fail "not all delivered: $(sql "SELECT merchant_id, status, COUNT(*) FROM delivery GROUP BY merchant_id, status")"
# claim (the row's insert) -> outcome recorded: a fast delivery never waits for a slow call of its batch
lat() { sql "SELECT $1(TIMESTAMPDIFF(MICROSECOND, created_at, delivered_at)) DIV 1000 FROM delivery WHERE merchant_id = $2"; }
fast_max=$(lat MAX 1) slow_min=$(lat MIN 2)
log "claim -> delivered: fast merchant max ${fast_max} ms (avg $(lat AVG 1) ms), slow merchant min ${slow_min} ms"
((slow_min >= 1000)) || fail "the slow merchant answered in under a second ($slow_min ms)"
((fast_max < 1000)) || fail "a fast delivery waited ${fast_max} ms: it waited for the slow merchant's call"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery_attempt")" "210" "one try each"
ordctl wait-idle --topic delivery.request --group "it.ns28.delivery" --timeout 30 >/dev/null 2>&1 || fail "offsets not all committed"
stop_worker delivery

# ---- two deliveries of each order while the window is full: never two calls of one order at once
# the same 30 orders twice (the second a replay of the first event); 4 calls in flight for 30 orders at 300 ms a
# call; a claim takes up to 30 messages, so the second of an order arrives while the first is in flight
merchant_mode "delay_ms=300"
OF_BATCH_SIZE=30 OF_DELIVERY_MAX_INFLIGHT=4 start_bin delivery2 of-delivery delivery
deliver --merchant 1 --order 7000 --count 30 --cash 1
deliver --merchant 1 --order 7000 --count 30 --cash 1
ordctl wait-idle --topic delivery.request --group "it.ns28.delivery" --timeout 60 >/dev/null 2>&1 || fail "not idle"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery WHERE order_id BETWEEN '7000' AND '7029' AND status = 2 AND attempts = 1")" \
  "30" "window full: each order delivered, one try"
assert_eq "$(for o in $(seq 7000 7029); do merchant_calls "$o"; done | sort -u)" "1" "window full: one call per order"
# the second delivery of each order was claimed after the first's outcome was durable: skipped as delivered
assert_eq "$(grep 'msg="delivery skipped"' "$WORK/delivery2.log" | grep -c 'why="delivered already"')" "30" \
  "window full: every second delivery saw the first's outcome"
stop_worker delivery2

# ---- SIGTERM with a call in flight: the call is abandoned after 2 s, nothing is recorded or stored, the message is
# redelivered and the merchant sees the same idempotency key again
merchant_mode "delay_ms=20000"
sql "UPDATE merchant SET timeout_ms = 30000 WHERE id = 1"
start_bin delivery3 of-delivery delivery
deliver --merchant 1 --order 7100 --cash 1
for _ in $(seq 1 100); do [[ $(merchant_calls 7100) -ge 1 ]] && break; sleep 0.1; done
assert_eq "$(merchant_calls 7100)" "1" "stop: the call reached the merchant"
t0=$(date +%s%N)
stop_worker delivery3
took=$((($(date +%s%N) - t0) / 1000000))
log "stop with a call in flight took $took ms"
((took < 8000)) || fail "stop with a call in flight took $took ms (bound: 2 s for calls, 3 s for the group close)"
grep -q 'calls still in flight abandoned' "$WORK/delivery3.log" || fail "stop: the abandoned call is not logged"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.order_id = '7100'")" \
  "0" "stop: nothing recorded for the abandoned call"
merchant_mode "delay_ms=0"
start_bin delivery4 of-delivery delivery
wait_sql "SELECT status FROM delivery WHERE order_id = '7100'" 2 30 || fail "stop: not delivered after the restart"
assert_eq "$(merchant_calls 7100)" "2" "stop: called again after the restart"
assert_eq "$(grep ' order=7100 ' "$WORK/merchant.log" | awk '{print $3}' | sort -u | wc -l)" "1" "stop: the same idempotency key"
assert_eq "$(status_of 7100)" "delivered/1" "stop: one try recorded"
stop_worker delivery4

# ---- a second instance joins while the first has calls in flight: the partitions taken from the first are finished
# by it (recorded, offsets committed) before the revoke completes, so the second calls none of them again
merchant_mode "delay_ms=3000" # calls still in flight when the rebalance revokes their partitions
OF_DELIVERY_MAX_INFLIGHT=8 OF_INSTANCE_ID=it-window-a start_bin delivery5 of-delivery delivery
deliver --merchant 1 --order 7200 --count 24 --cash 1
for _ in $(seq 1 100); do [[ $(grep -c ' order=72[0-2][0-9] ' "$WORK/merchant.log") -ge 8 ]] && break; sleep 0.1; done
OF_DELIVERY_MAX_INFLIGHT=8 OF_INSTANCE_ID=it-window-b start_bin delivery6 of-delivery delivery
wait_sql "SELECT COUNT(*) FROM delivery WHERE order_id BETWEEN '7200' AND '7223' AND status = 2" 24 60 ||
  fail "join: not all delivered: $(sql "SELECT status, COUNT(*) FROM delivery WHERE order_id BETWEEN '7200' AND '7223' GROUP BY status")"
grep -q 'msg="partitions revoked"' "$WORK/delivery5.log" || fail "join: the first instance gave no partition up"
assert_eq "$(for o in $(seq 7200 7223); do merchant_calls "$o"; done | sort -u)" "1" "join: one call per order"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery WHERE order_id BETWEEN '7200' AND '7223' AND attempts = 1")" "24" "join: one try each"
ordctl wait-idle --topic delivery.request --group "it.ns28.delivery" --timeout 30 >/dev/null 2>&1 || fail "join: offsets not all committed"
stop_worker delivery6
stop_worker delivery5
stop_merchant
kill -TERM "$SLOW_PID" 2>/dev/null || true
wait "$SLOW_PID" 2>/dev/null || true
