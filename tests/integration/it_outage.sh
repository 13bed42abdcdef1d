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

log "D-RT-14: an instance started while the database is away waits for it (logged, alive); a stop then ends it at once"
start_worker c
for _ in $(seq 1 100); do grep -q 'msg="database unavailable at start; waiting for it"' "$WORK/c.log" && break; sleep 0.1; done
grep -q 'msg="database unavailable at start; waiting for it".*attempt=1' "$WORK/c.log" ||
  { fail "the wait for the database is not logged"; tail -5 "$WORK/c.log"; }
kill -0 "$PID_c" 2>/dev/null || fail "an instance started without its database exited"
t0=$SECONDS
kill -TERM "$PID_c"
rc=0
wait "$PID_c" || rc=$?
assert_eq "$rc" "0" "a stop while waiting for the database: exit status"
[[ $((SECONDS - t0)) -le 5 ]] || fail "the stop while waiting for the database took $((SECONDS - t0))s"
grep -q 'msg="stopped before the database answered"' "$WORK/c.log" || fail "the stop before the database is not logged"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/c.log"; then fail "sanitizer report in c's log"; fi

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
