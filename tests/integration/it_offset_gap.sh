#!/usr/bin/env bash
# it_offset_gap.sh -- never silently behind (issue 9, D-KAF-4): when a topic's log start jumps past the group's
# committed offset (retention or delete-records removed messages nobody processed), `ordctl wait-idle` and
# `ordctl summary` exit 3 naming the gap instead of answering "idle"; a worker starting there logs one error per
# partition (topic, partition, committed offset, log start) and counts it (offset_resets), and holds the partition:
# what is published after the gap is not processed and nothing is committed, so wait-idle and summary keep exiting 3,
# while the group's other partitions are consumed. `ordctl replay --from-beginning --yes` (workers stopped) moves
# the group to the log start, and the next worker processes what came after the gap. A group without committed
# offsets starts at the log start. Also: wait-idle answers 4, not "idle", while Kafka is down.
source "$(dirname "$0")/lib.sh"
it_ns 11
# a group of this run only, and nothing left in the topic from an earlier run on the same stack
export OF_KAFKA_GROUP="it.ns11.$$.trade-submit"
SAMPLE=$REPO/data/sample/raw_trades.jsonl
head -100 "$SAMPLE" >"$WORK/first.jsonl"
sed -n '101,200p' "$SAMPLE" >"$WORK/second.jsonl"
sed -n '201,210p' "$SAMPLE" >"$WORK/third.jsonl"
TOPIC=ns11.trade.raw
kafka() { bash "$REPO/scripts/kafka.sh" "$@"; }
truncate_topic() { # [TOPIC]: every partition's log start moves to its end (delete-records)
  local TOPIC=${1:-$TOPIC}
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
# plan: the dry run of a replay to the log start, one line per partition: "partition committed log_start high"
# (committed -1 when the group has none)
plan() {
  ordctl replay --topic trade.raw --group "$OF_KAFKA_GROUP" --from-beginning >"$WORK/plan.out" 2>&1 ||
    die "ordctl replay (dry run) failed: $(cat "$WORK/plan.out")"
  awk '$1 ~ /^[0-9]+$/ && NF >= 5 { print $1, ($2 == "none" ? -1 : $2), $3, $4 }' "$WORK/plan.out" >"$WORK/plan.txt"
  [[ -s $WORK/plan.txt ]] || die "no partitions in the replay plan: $(cat "$WORK/plan.out")"
}
# gap_errors LOG: the partitions named by the worker's gap errors, one line each, sorted
gap_errors() { grep 'level=error.*msg="kafka offset gap' "$1" | grep -o ' partition=[0-9]*' | sort || true; }
# gap_named WHEN: wait-idle and summary both exit 3 (not 0 = idle) naming the group's gap
gap_named() {
  local rc=0
  ordctl wait-idle --topic trade.raw --group "$OF_KAFKA_GROUP" --timeout 10 >"$WORK/idle.out" 2>&1 || rc=$?
  assert_eq "$rc" "3" "wait-idle exit code over a gap $1"
  grep -q 'below the log start' "$WORK/idle.out" || fail "wait-idle does not name the gap $1: $(cat "$WORK/idle.out")"
  rc=0
  ordctl summary >"$WORK/summary.out" 2>&1 || rc=$?
  assert_eq "$rc" "3" "summary exit code over a gap $1"
  grep -q 'ERROR: group '"$OF_KAFKA_GROUP"'.*below the log start' "$WORK/summary.out" ||
    fail "summary does not name the gap $1"
}
exit_stat() { grep 'msg=stats why=exit' "$WORK/$1.log" | tail -1 | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }
truncate_topic

publish "$WORK/first.jsonl"
start_worker a
wait_idle || fail "first part not consumed"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "100" "first part stored"
stop_worker a
grep -q 'msg="no committed offset: starting at the log start"' "$WORK/a.log" ||
  fail "a new group's partitions were not started at the log start"
grep -q 'msg="kafka offset gap' "$WORK/a.log" && fail "a new group's start was taken for a gap"

log "second part published while the worker is stopped, then deleted from the log unread (delete-records)"
publish "$WORK/second.jsonl"
lag_before=$(ordctl wait-idle --topic trade.raw --group "$OF_KAFKA_GROUP" --timeout 1 2>&1 | grep -o 'lag=[0-9]*' | head -1 || true)
assert_eq "$lag_before" "lag=100" "the group is 100 behind before the deletion"
# every partition's log start moves to its end: what the group had not read is gone
truncate_topic

gap_named "with the worker stopped"

log "third part published after the gap; one partition moved to its log start, the others stay behind the gap"
publish "$WORK/third.jsonl"
plan
# the partitions behind the gap (committed below the log start) that hold third-part messages
mapfile -t held_new < <(awk '$2 >= 0 && $2 < $3 && $4 > $3 { print $1 }' "$WORK/plan.txt")
((${#held_new[@]} >= 2)) || die "the third part reaches ${#held_new[@]} gap partition(s), the test needs 2: $(cat "$WORK/plan.txt")"
P=${held_new[0]}
P_LO=$(awk -v p="$P" '$1 == p { print $3 }' "$WORK/plan.txt")
rc=0
ordctl replay --topic trade.raw --group "$OF_KAFKA_GROUP" --from-offsets "$P:$P_LO" --yes >"$WORK/replay-p.out" 2>&1 || rc=$?
assert_eq "$rc" "0" "replay of partition $P alone to its log start"
plan
# held: committed below the log start; K: third-part messages on the other partitions (consumed despite the gap)
HELD=$(awk '$2 >= 0 && $2 < $3 { n++ } END { print n + 0 }' "$WORK/plan.txt")
K=$(awk '!($2 >= 0 && $2 < $3) { k += $4 - ($2 < 0 ? $3 : $2) } END { print k + 0 }' "$WORK/plan.txt")
H=$(awk '$2 >= 0 && $2 < $3 { h += $4 - $3 } END { print h + 0 }' "$WORK/plan.txt")
log "partitions behind the gap: $HELD (holding $H third-part trades); trades on the others: $K"
assert_eq "$((K + H))" "10" "third-part trades on the log"
[[ $K -gt 0 && $H -gt 0 ]] || die "the test needs trades on held and on free partitions (K=$K H=$H)"

log "the worker starts on the gap: one error per partition, counted; held partitions are not processed"
start_worker b
for _ in $(seq 1 150); do [[ $(gap_errors "$WORK/b.log" | wc -l) -ge $HELD ]] && break; sleep 0.1; done
assert_eq "$(gap_errors "$WORK/b.log" | wc -l)" "$HELD" "gap errors logged (one per partition behind the gap)"
# e.g. level=error ... msg="kafka offset gap: ..." topic=ns11.trade.raw partition=3 group=... committed=12 log_start=25
line=$(grep 'level=error.*msg="kafka offset gap' "$WORK/b.log" | head -1 || true)
log "gap error: $line"
c=$(sed -n 's/.* committed=\([0-9]*\) .*/\1/p' <<<"$line")
lo=$(sed -n 's/.* log_start=\([0-9]*\) .*/\1/p' <<<"$line")
grep -q " topic=$TOPIC partition=[0-9]* group=$OF_KAFKA_GROUP " <<<"$line" || fail "the gap error does not name topic, partition and group"
[[ -n $c && -n $lo && $c -lt $lo ]] || fail "the gap error does not give committed < log_start (committed='$c' log_start='$lo')"
grep -q "ordctl replay --topic trade.raw --group $OF_KAFKA_GROUP --from-beginning --yes" <<<"$line" ||
  fail "the gap error does not say how to move the group on"
want=$((100 + K))
for _ in $(seq 1 150); do [[ $(sql 'SELECT COUNT(*) FROM api_trade') -ge $want ]] && break; sleep 0.1; done
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$want" "the partitions without a gap are consumed"
sleep 3 # the held partitions' trades are on the log: a worker that skipped the gap would have them by now
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$want" "nothing processed from the held partitions"
gap_named "while the worker holds the gap"
rc=0
ordctl replay --topic trade.raw --group "$OF_KAFKA_GROUP" --from-beginning --yes >"$WORK/replay-live.out" 2>&1 || rc=$?
assert_eq "$rc" "3" "replay refused while the worker is a member of the group"
stop_worker b
assert_eq "$(exit_stat b offset_resets)" "$HELD" "offset_resets at exit (one per partition behind the gap)"
assert_eq "$(gap_errors "$WORK/b.log" | uniq -d | wc -l)" "0" "partitions whose gap error was repeated (no hot loop)"

log "the operator moves the group to the log start (workers stopped); the next worker goes on"
rc=0
ordctl replay --topic trade.raw --group "$OF_KAFKA_GROUP" --from-beginning --yes >"$WORK/replay.out" 2>&1 || rc=$?
assert_eq "$rc" "0" "replay to the log start"
grep -q '^reset:' "$WORK/replay.out" || fail "replay did not reset: $(cat "$WORK/replay.out")"
start_worker c
ok=0
idle_within 60 && ok=1
assert_eq "$ok" "1" "the group caught up after the replay (wait-idle 0)"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "110" "first part and the 10 trades published after the gap stored"
rc=0
ordctl summary >"$WORK/summary3.out" 2>&1 || rc=$?
assert_eq "$rc" "0" "summary after the replay"
stop_worker c
grep -q 'msg="kafka offset gap' "$WORK/c.log" && fail "the worker after the replay still saw a gap"
assert_eq "$(exit_stat c offset_resets)" "0" "offset_resets after the replay"

log "the retry ladder holds a gap the same way (of_retrier.c: the same consumer conf, rebalance and error steps)"
RG="it.ns11.$$.retry-ladder"
RTOPIC=ns11.retry.30s
junk() { # N: N values that are no RetryEnvelope (the ladder dead-letters them: class decode), all with one key, so
  # on one partition: the group's committed offset there is what the deletion leaves behind
  seq 1 "$1" | sed 's/^/gap:not-an-envelope-/' |
    kafka console-producer --topic "$RTOPIC" --property parse.key=true --property key.separator=: \
      >"$WORK/produce.out" 2>&1 || die "console-producer failed: $(tail -5 "$WORK/produce.out")"
}
start_ladder() {
  OF_KAFKA_GROUP=$RG OF_RETRY_LADDER=30 "$BIN/of-retry-ladder" >"$WORK/$1.log" 2>&1 &
  WORKERS+=("$!")
  eval "PID_$1=$!"
  log "started retry-ladder $1 (pid $!)"
}
ladder_idle() { ordctl wait-idle --topic retry.30s --group "$RG" --timeout "$1" >"$WORK/ladder-idle.out" 2>&1; }
truncate_topic "$RTOPIC"
junk 3
start_ladder l1
rc=0
ladder_idle 30 || rc=$?
assert_eq "$rc" "0" "a new ladder group starts at the log start and commits"
stop_worker l1
junk 3
truncate_topic "$RTOPIC"
rc=0
ladder_idle 10 || rc=$?
assert_eq "$rc" "3" "wait-idle on the ladder's gap"
start_ladder l2
for _ in $(seq 1 150); do grep -q 'msg="kafka offset gap' "$WORK/l2.log" && break; sleep 0.1; done
grep -q "level=error.*msg=\"kafka offset gap.* topic=$RTOPIC partition=[0-9]* group=$RG committed=[0-9]* log_start=" \
  "$WORK/l2.log" || fail "the retry ladder did not log its gap"
sleep 2
rc=0
ladder_idle 5 || rc=$?
assert_eq "$rc" "3" "wait-idle while the retry ladder holds its gap"
stop_worker l2
[[ $(exit_stat l2 offset_resets) -ge 1 ]] || fail "the retry ladder did not count its gap"

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
