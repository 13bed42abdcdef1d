#!/usr/bin/env bash
# it_offset_gap.sh -- never silently behind (issue 9): when a topic's log start jumps past the group's committed
# offset (retention or delete-records removed messages nobody processed), `ordctl wait-idle` and `ordctl summary`
# exit non-zero naming the gap instead of answering "idle", and the worker logs an error and counts the reset
# (offset_resets) instead of skipping quietly. Also: wait-idle answers 4, not "idle", while Kafka is down.
source "$(dirname "$0")/lib.sh"
it_ns 11
# a group of this run only, and nothing left in the topic from an earlier run on the same stack
export OF_KAFKA_GROUP="it.ns11.$$.trade-submit"
SAMPLE=$REPO/data/sample/raw_trades.jsonl
head -100 "$SAMPLE" >"$WORK/first.jsonl"
sed -n '101,200p' "$SAMPLE" >"$WORK/second.jsonl"
TOPIC=ns11.trade.raw
kafka() { bash "$REPO/scripts/kafka.sh" "$@"; }
truncate_topic() { # every partition's log start moves to its end (delete-records)
  kafka get-offsets --topic "$TOPIC" --time -1 2>/dev/null | awk -F: -v t="$TOPIC" '
    BEGIN { printf "{\"version\":1,\"partitions\":[" }
    $1 == t { printf "%s{\"topic\":\"%s\",\"partition\":%d,\"offset\":%d}", n++ ? "," : "", t, $2, $3 }
    END { print "]}" }' >"$WORK/delete.json"
  grep -q '"partition"' "$WORK/delete.json" || fail "no partitions found for $TOPIC"
  kafka delete-records --offset-json-file "$WORK/delete.json" >"$WORK/delete.out" 2>&1 ||
    { cat "$WORK/delete.out"; fail "delete-records failed"; }
}
# wait-idle until it answers 0; exit 3 (a gap) or 4 (Kafka away) are retried for up to $1 seconds
idle_within() {
  local end=$((SECONDS + $1)) rc
  while ((SECONDS < end)); do
    rc=0
    ordctl wait-idle --topic trade.raw --group "$OF_KAFKA_GROUP" --timeout 20 >"$WORK/idle-retry.out" 2>&1 || rc=$?
    [[ $rc == 0 ]] && return 0
    sleep 0.5
  done
  log "wait-idle: $(tail -1 "$WORK/idle-retry.out")"
  return 1
}
truncate_topic

publish "$WORK/first.jsonl"
start_worker a
wait_idle || fail "first part not consumed"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "100" "first part stored"
stop_worker a

log "second part published while the worker is stopped, then deleted from the log unread (delete-records)"
publish "$WORK/second.jsonl"
lag_before=$(ordctl wait-idle --topic trade.raw --group "$OF_KAFKA_GROUP" --timeout 1 2>&1 | grep -o 'lag=[0-9]*' | head -1 || true)
assert_eq "$lag_before" "lag=100" "the group is 100 behind before the deletion"
# every partition's log start moves to its end: what the group had not read is gone
truncate_topic

rc=0
ordctl wait-idle --topic trade.raw --group "$OF_KAFKA_GROUP" --timeout 10 >"$WORK/idle.out" 2>&1 || rc=$?
assert_eq "$rc" "3" "wait-idle exit code over a gap (not 0 = idle)"
grep -q 'below the log start' "$WORK/idle.out" || fail "wait-idle does not name the gap: $(cat "$WORK/idle.out")"
rc=0
ordctl summary >"$WORK/summary.out" 2>&1 || rc=$?
assert_eq "$rc" "3" "summary exit code over a gap"
grep -q 'ERROR: group '"$OF_KAFKA_GROUP"'.*below the log start' "$WORK/summary.out" || fail "summary does not name the gap"

log "the worker starts on the gap: an error logged and counted, then it goes on from the log start"
start_worker b
for _ in $(seq 1 100); do grep -q 'msg="kafka offset reset' "$WORK/b.log" && break; sleep 0.1; done
grep -q 'level=error.*msg="kafka offset reset' "$WORK/b.log" || fail "the worker did not log the offset reset as an error"
sed -n '201,210p' "$SAMPLE" >"$WORK/third.jsonl"
publish "$WORK/third.jsonl"
# exit 3 (the gap) until the worker has committed past it, then 0
ok=0
idle_within 60 && ok=1
assert_eq "$ok" "1" "the group caught up after the reset (wait-idle 0)"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "110" "first part and the 10 trades published after the gap stored"
stop_worker b
grep -q 'msg=stats why=exit.*offset_resets=[1-9]' "$WORK/b.log" || fail "the exit stats do not count the reset"

log "wait-idle while Kafka is down: exit 4 within OF_KAFKA_UNREACHABLE_ALERT_S, never 'idle'"
kill -STOP "$(cat "$OF_STATE_DIR/run/kafka-1.pid")"
rc=0
t0=$SECONDS
OF_KAFKA_UNREACHABLE_ALERT_S=3 timeout 60 "$BIN/ordctl" wait-idle --topic trade.raw --group "$OF_KAFKA_GROUP" \
  --timeout 50 >"$WORK/down.out" 2>&1 || rc=$?
kill -CONT "$(cat "$OF_STATE_DIR/run/kafka-1.pid")"
[[ $rc -ne 0 ]] || fail "wait-idle answered idle with Kafka frozen"
[[ $rc -eq 4 ]] || fail "wait-idle exit $rc with Kafka frozen (want 4: Kafka not answering)"
log "wait-idle with Kafka frozen: exit $rc after $((SECONDS - t0))s: $(tail -1 "$WORK/down.out")"
idle_within 60 || fail "Kafka did not come back"
