#!/usr/bin/env bash
# it_outage.sh -- MariaDB and Redis go away in the middle of a run and come back: trade-submit retries
# (logging why), keeps running, stops promptly on SIGTERM, and in the end every trade is stored exactly once. An
# instance started while the database is away waits for it (D-RT-14).
source "$(dirname "$0")/lib.sh"
it_ns 5
SAMPLE=$REPO/data/sample/raw_trades.jsonl
lines=$(grep -c . "$SAMPLE")
head -100 "$SAMPLE" >"$WORK/first.jsonl"
tail -n +101 "$SAMPLE" >"$WORK/rest.jsonl"
export OF_RETRY_BACKOFF_MAX_MS=500 OF_TX_RETRIES=2

start_worker a
publish "$WORK/first.jsonl"
wait_idle || fail "first part not consumed"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "100" "first part stored"

log "stopping MariaDB and Redis"
kill -TERM "$(cat "$OF_STATE_DIR/run/mysqld.pid")"
redis_cli shutdown nosave >/dev/null 2>&1 || true
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$(sed -n 's/^OF_MYSQL_PORT=//p' "$OF_CONFIG")") 2>/dev/null || break; sleep 0.1; done
publish "$WORK/rest.jsonl"
sleep 4
kill -0 "$PID_a" 2>/dev/null || fail "worker died while the database was away"
grep -q 'msg="batch failed, will retry"' "$WORK/a.log" || fail "no retry logged while the database was away"
grep -q 'msg="transaction retry"\|msg="shop lookup failed"' "$WORK/a.log" || fail "the database error is not logged"

log "SIGTERM while the database is away: a clean exit within seconds, the batch left for redelivery"
t0=$SECONDS
stop_worker a
[[ $((SECONDS - t0)) -le 10 ]] || fail "SIGTERM took $((SECONDS - t0))s during the outage"
grep -q 'unfinished batch; it will be redelivered' "$WORK/a.log" || fail "the unfinished batch is not reported"

# waits_then_stops NAME PID FOR WHAT: the process logged its wait for a database (for="FOR", from attempt 1) and is
# alive; SIGTERM then ends it within 5 s with exit 0, the stop logged, no sanitizer report
waits_then_stops() {
  local name=$1 pid=$2 for=$3 what=$4 rc=0 t0
  for _ in $(seq 1 100); do grep -q 'msg="database unavailable at start; waiting for it"' "$WORK/$name.log" && break; sleep 0.1; done
  grep -q "msg=\"database unavailable at start; waiting for it\" for=\"$for\".*attempt=1" "$WORK/$name.log" ||
    { fail "$what: the wait is not logged"; tail -5 "$WORK/$name.log"; }
  kill -0 "$pid" 2>/dev/null || fail "$what: exited"
  t0=$SECONDS
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  assert_eq "$rc" "0" "$what: a stop while waiting: exit status"
  [[ $((SECONDS - t0)) -le 5 ]] || fail "$what: the stop while waiting took $((SECONDS - t0))s"
  grep -q "msg=\"stopped before the database answered\" for=\"$for\"" "$WORK/$name.log" || fail "$what: the stop is not logged"
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/$name.log"; then fail "$what: sanitizer report"; fi
}

log "D-RT-14: an instance started while the database is away waits for it (logged, alive); a stop then ends it at once"
start_worker c
waits_then_stops c "$PID_c" "lane 0" "trade-submit started without its database"

log "D-RT-14: of-order-sync started while a site's server is away waits for it too (logged, alive); a stop ends it"
OF_SITE_BUYER_PORT=1 "$BIN/of-order-sync" >"$WORK/sync.log" 2>&1 &
WORKERS+=("$!")
waits_then_stops sync "$!" "buyer site" "order-sync started without its buyer site"

log "a new instance started while the database is still away, then the stack started again: it connects and catches up"
start_worker b
for _ in $(seq 1 100); do grep -q 'msg="database unavailable at start; waiting for it"' "$WORK/b.log" && break; sleep 0.1; done
grep -q 'msg="database unavailable at start; waiting for it"' "$WORK/b.log" || fail "b's wait is not logged"
bash "$REPO/scripts/stack.sh" up >/dev/null
wait_idle trade.raw 180 || fail "did not catch up after the outage"
grep -q 'msg="database reachable"' "$WORK/b.log" || fail "b's connection after the wait is not logged"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$lines" "every trade stored after the outage"
assert_eq "$(sql 'SELECT COUNT(*) - COUNT(DISTINCT platform_id, tid) FROM api_trade')" "0" "none twice"
assert_eq "$(sql 'SELECT COUNT(*) FROM processed_event')" "$lines" "each event applied once"
stop_worker b
