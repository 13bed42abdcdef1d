#!/usr/bin/env bash
# it_outage.sh -- MariaDB and Redis go away in the middle of a run and come back: trade-submit retries
# (logging why), keeps running, stops promptly on SIGTERM, and in the end every trade is stored exactly once.
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

log "starting them again, and a new instance"
bash "$REPO/scripts/stack.sh" up >/dev/null
start_worker b
wait_idle trade.raw 180 || fail "did not catch up after the outage"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$lines" "every trade stored after the outage"
assert_eq "$(sql 'SELECT COUNT(*) - COUNT(DISTINCT platform_id, tid) FROM api_trade')" "0" "none twice"
assert_eq "$(sql 'SELECT COUNT(*) FROM processed_event')" "$lines" "each event applied once"
stop_worker b
