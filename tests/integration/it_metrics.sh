#!/usr/bin/env bash
# it_metrics.sh -- every worker type and the gateway serve /metrics, /healthz and /readyz on their admin port
# (OF_ADMIN_PORT): each page parses as Prometheus text (tests/integration/promtext.py, strict); the counters move with
# a run (trade-submit's per-topic processed, batch and transaction histograms; delivery's HTTP calls; the retry
# ladder's occupancy while orders wait on a rung, 0 once they are delivered); /readyz turns 503 naming the database
# while MariaDB is away and 200 again after; other paths 404, other methods 405; OF_ADMIN_PORT taken -> exit 78.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_delivery.sh"
export OF_RETRY_LADDER=3,3,3,3 # long enough for the occupancy to be seen on a rung
dlv_ns 25
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
scrape() { # NAME: the page into $WORK/NAME.prom, checked; fails the test when it does not parse
  curl -sf "http://127.0.0.1:${PORT[$1]}/metrics" >"$WORK/$1.prom" || { fail "$1: GET /metrics failed"; return 0; }
  python3 "$REPO/tests/integration/promtext.py" "$WORK/$1.prom" >/dev/null 2>"$WORK/$1.promerr" ||
    fail "$1: /metrics is not valid Prometheus text: $(cat "$WORK/$1.promerr")"
}
value() { python3 "$REPO/tests/integration/promtext.py" "$WORK/$1.prom" "$2"; } # NAME SERIES (after scrape NAME)
status() { curl -s -o "$WORK/body" -w '%{http_code}' "http://127.0.0.1:${PORT[$1]}$2"; } # NAME PATH
wait_value() { # NAME SERIES WANT SECONDS: scrape until the series has the value
  for _ in $(seq 1 $(($4 * 10))); do scrape "$1"; [[ $(value "$1" "$2") == "$3" ]] && return 0; sleep 0.1; done
  return 1
}
wait_status() { # NAME PATH WANT SECONDS
  for _ in $(seq 1 $(($4 * 10))); do [[ $(status "$1" "$2") == "$3" ]] && return 0; sleep 0.1; done
  return 1
}

declare -A PORT
start_merchant --fail 2
for w in submit:of-trade-submit:trade-submit sweep:of-sweep:sweep delivery:of-delivery:delivery \
  ladder:of-retry-ladder:ladder recorder:of-dlq-recorder:recorder; do
  IFS=: read -r name bin group <<<"$w"
  PORT[$name]=$(free_port)
  OF_ADMIN_PORT=${PORT[$name]} start_bin "$name" "$bin" "$group"
done
export OF_GATEWAY_PORT=$(free_port) OF_GATEWAY_TOKENS="app:it-app-token-0123456789:service"
PORT[gw]=$(free_port)
OF_ADMIN_PORT=${PORT[gw]} start_bin gw of-gateway

for name in submit sweep delivery ladder recorder gw; do
  wait_status "$name" /readyz 200 30 || fail "$name: /readyz is $(status "$name" /readyz) after 30 s: $(cat "$WORK/body")"
  assert_eq "$(status "$name" /healthz)" "200" "$name: /healthz"
  scrape "$name"
  assert_eq "$(value "$name" orderfleet_ready)" "1" "$name: orderfleet_ready"
  assert_eq "$(grep -c '^orderfleet_build_info{worker=' "$WORK/$name.prom")" "1" "$name: build info"
  [[ $(value "$name" process_resident_memory_bytes) -gt 0 ]] || fail "$name: process_resident_memory_bytes"
done
assert_eq "$(status submit /nowhere)" "404" "an unknown path"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:${PORT[submit]}/metrics")" "405" "POST /metrics"
assert_eq "$(curl -s -D - -o /dev/null -X DELETE "http://127.0.0.1:${PORT[submit]}/readyz" | tr -d '\r' | sed -n 's/^Allow: //p')" \
  "GET, HEAD" "a 405 names the methods allowed"
assert_eq "$(value submit 'orderfleet_topic_processed_total{topic="ns25.trade.raw"}')" "0" "trade-submit: trade.raw processed before the run"
assert_eq "$(value submit 'orderfleet_consumer_lag{group="it.ns25.trade-submit",topic="ns25.trade.raw",partition="0"}')" "0" \
  "trade-submit: the lag of partition 0 shows (empty topic)"

log "a run: the sample's raw trades, and deliveries whose first two calls fail (they climb the ladder)"
publish "$REPO/data/sample/raw_trades.jsonl"
trades=$(grep -c . "$REPO/data/sample/raw_trades.jsonl")
wait_idle || fail "trade.raw not consumed"
deliver --merchant 1 --order 7001 --cash 9.90
deliver --merchant 1 --order 7002 --cash 9.90
deliver --merchant 2 --order 7003 --cash 9.90
# the first two calls fail: two orders wait 3 s on the first rung; the ladder holds them (occupancy 2)
wait_value ladder 'orderfleet_ladder_occupancy{rung="retry.30s"}' 2 6 ||
  fail "retry ladder: occupancy of the first rung is $(value ladder 'orderfleet_ladder_occupancy{rung="retry.30s"}'), want 2 while the two orders wait"
wait_sql "SELECT COUNT(*) FROM delivery WHERE status = 2" 3 30 || fail "deliveries not done"

scrape submit
assert_eq "$(value submit 'orderfleet_topic_processed_total{topic="ns25.trade.raw"}')" "$trades" "trade-submit: trade.raw processed"
assert_eq "$(value submit 'orderfleet_topic_deadlettered_total{topic="ns25.trade.raw"}')" "0" "trade-submit: none dead-lettered"
[[ $(value submit orderfleet_batch_seconds_count) -ge 1 ]] || fail "trade-submit: no batch in the histogram"
[[ $(value submit orderfleet_transaction_seconds_count) -ge 1 ]] || fail "trade-submit: no transaction in the histogram"
assert_eq "$(value submit orderfleet_consumer_lag)" "0" "trade-submit: no lag left"
[[ $(value submit orderfleet_assigned_partitions) -ge 1 ]] || fail "trade-submit: no partition assigned"
# the sweep's processed counts the orders it moved on: the sum of its rounds' moved= (at least one round moved some)
sleep 2
moved=$(grep 'msg="sweep round"' "$WORK/sweep.log" | sed -n 's/.* moved=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
[[ ${moved:-0} -ge 1 ]] || fail "sweep: no round moved an order"
wait_value sweep orderfleet_processed_total "${moved:-0}" 5 ||
  fail "sweep: processed is $(value sweep orderfleet_processed_total), its rounds moved $moved"
scrape delivery
assert_eq "$(value delivery orderfleet_http_call_seconds_count)" "5" "delivery: five calls (three orders, two retried)"
assert_eq "$(value delivery orderfleet_http_calls_in_flight)" "0" "delivery: nothing in flight"
scrape ladder
assert_eq "$(value ladder orderfleet_ladder_occupancy)" "0" "retry ladder: empty once delivered"
assert_eq "$(value ladder 'orderfleet_topic_processed_total{topic="ns25.retry.30s"}')" "2" "retry ladder: two republished"
curl -s -o /dev/null -H 'Authorization: Bearer it-app-token-0123456789' "http://127.0.0.1:$OF_GATEWAY_PORT/api/order/job/nothing/state"
wait_value gw orderfleet_http_request_seconds_count 1 5 || fail "gateway: the request is not in the histogram"

log "MariaDB away: trade-submit is not ready (naming why), alive; ready again once it is back"
kill -TERM "$(cat "$OF_STATE_DIR/run/mysqld.pid")"
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$(sed -n 's/^OF_MYSQL_PORT=//p' "$OF_CONFIG")") 2>/dev/null || break; sleep 0.1; done
head -1 "$REPO/data/sample/raw_trades.jsonl" | sed 's/"tid":"\([^"]*\)"/"tid":"\1-X"/' >"$WORK/one.jsonl"
publish "$WORK/one.jsonl"
wait_status submit /readyz 503 30 || fail "trade-submit: /readyz not 503 while the database is away"
grep -q "dependency" "$WORK/body" || fail "the 503 does not say which condition: $(cat "$WORK/body")"
assert_eq "$(status submit /healthz)" "200" "trade-submit: alive (healthz) during the outage"
scrape submit
[[ $(value submit 'orderfleet_topic_failed_total{topic="ns25.trade.raw"}') -ge 1 ]] || fail "trade-submit: failed attempts not counted"
bash "$REPO/scripts/stack.sh" up >/dev/null
wait_status submit /readyz 200 60 || fail "trade-submit: not ready again after the database came back: $(cat "$WORK/body")"

log "OF_ADMIN_PORT taken: refused at start (exit 78, naming the key)"
rc=0
OF_ADMIN_PORT=${PORT[submit]} timeout 20 "$BIN/of-trade-submit" >"$WORK/taken.log" 2>&1 || rc=$?
assert_eq "$rc" "78" "exit code with the admin port taken"
grep -q "OF_ADMIN_PORT" "$WORK/taken.log" || fail "the error names OF_ADMIN_PORT: $(cat "$WORK/taken.log")"

for name in submit sweep delivery ladder recorder gw; do stop_worker "$name"; done
stop_merchant
