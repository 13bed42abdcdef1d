#!/usr/bin/env bash
# it_stop_kafka_away.sh -- SIGTERM while the broker is unreachable (issue 10, item 4). trade-submit runs on a few
# thousand trades; Kafka (every node) is frozen with SIGSTOP (its sockets stay open and nothing answers: the
# worst case, worse than a refused connection) while the worker has outbox events waiting for their delivery
# reports; then the worker gets SIGTERM. It must exit 0 within STOP_BOUND_S (10 s: one 2 s grace for delivery
# reports, then the purge; 3 s for the group close, then the worker leaves without it; docs/operations.md
# "Running and scaling", D-T10-40) and leave the unsent outbox rows and uncommitted offsets for the next start.
# Then Kafka is thawed (SIGCONT) and a second worker starts: every trade stored once, every outbox row sent
# (outbox sweep), every order event on the topic, the stock check clean. A second round stops a worker that is
# idle (nothing to publish, the group coordinator frozen), a third one a worker whose producer queue is full (a
# send waiting for room), a fourth checks nothing was lost, and a fifth stops an idle of-delivery and
# of-retry-ladder (the retry ladder has its own loop and its own close).
source "$(dirname "$0")/lib.sh"
export OF_TOPIC_PREFIX=stop. OF_REDIS_PREFIX=it:stop: OF_KAFKA_GROUP=it.stop.trade-submit
[[ -f $OF_CONFIG ]] || die "no $OF_CONFIG: run through scripts/test.sh (it starts the test stack)"
ordctl topics create --quiet || die "ordctl topics create (prefix stop.) failed"
reset_db
redis_cli --scan --pattern 'it:stop:*' | while read -r k; do redis_cli del "$k" >/dev/null; done

N=${OF_IT_STOP_TRADES:-3000}
M=$((N / 3)) # published later, for the full-queue round
STOP_BOUND_S=${OF_IT_STOP_BOUND_S:-10}
TOPIC=${OF_TOPIC_PREFIX}trade.raw
export OF_BATCH_SIZE=50
export OF_OUTBOX_SWEEP_S=1

kafka() { bash "$REPO/scripts/kafka.sh" "$@" 2>>"$WORK/kafka-tools.err"; }
total() { kafka get-offsets --topic "${OF_TOPIC_PREFIX}$1" | awk -F: '{s += $NF} END {print s + 0}'; }
stored() { sql 'SELECT COUNT(*) FROM api_trade'; }
unsent() { sql 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL'; }
KPIDS=$(cat "$OF_STATE_DIR"/run/kafka-*.pid) # every node (one on the test stack, three with OF_KAFKA_BROKERS=3)
[[ -n $KPIDS ]] || die "no Kafka pid in $OF_STATE_DIR/run"
FROZEN=0
# shellcheck disable=SC2086
freeze() { kill -STOP $KPIDS; FROZEN=1; log "Kafka frozen (SIGSTOP to pid $(echo $KPIDS))"; }
# shellcheck disable=SC2086
thaw() { kill -CONT $KPIDS 2>/dev/null || true; FROZEN=0; log "Kafka thawed (SIGCONT)"; }
# never leave the stack's brokers stopped, whatever happens to this test
trap 'rc=$?; [[ $FROZEN == 1 ]] && kill -CONT $KPIDS 2>/dev/null; (exit $rc); finish' EXIT

# timed_stop NAME: SIGTERM, then wait at most 60 s; sets STOP_MS and STOP_RC (124 = still running at 60 s, killed)
timed_stop() {
  local name=$1 pid t0 i
  eval "pid=\$PID_$name"
  t0=$(date +%s%N)
  kill -TERM "$pid"
  STOP_RC=124
  for i in $(seq 1 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      STOP_RC=0
      wait "$pid" || STOP_RC=$?
      break
    fi
    sleep 0.1
  done
  STOP_MS=$((($(date +%s%N) - t0) / 1000000))
  if [[ $STOP_RC == 124 ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  log "$name: SIGTERM to exit $STOP_MS ms, exit code $STOP_RC$([[ $STOP_RC == 124 ]] && echo ' (still running after 60 s: killed)')"
}
check_stop() { # name what
  local name=$1 what=$2
  assert_eq "$STOP_RC" "0" "$what: exit code on SIGTERM"
  ((STOP_MS <= STOP_BOUND_S * 1000)) && log "ok: $what: stopped within ${STOP_BOUND_S} s" ||
    fail "$what: the stop took $STOP_MS ms, over the bound of ${STOP_BOUND_S} s"
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/$name.log"; then
    fail "sanitizer report in $name's log"
    grep -A15 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/$name.log" | head -40
  fi
  grep -q 'msg=stats why=exit' "$WORK/$name.log" || fail "$what: no exit stats logged"
}

python3 "$REPO/bench/gen_bench_trades.py" --trades "$((N + M))" --seed 4040 >"$WORK/all.jsonl" 2>/dev/null
head -n "$N" "$WORK/all.jsonl" >"$WORK/trades.jsonl"
tail -n +"$((N + 1))" "$WORK/all.jsonl" >"$WORK/more.jsonl"
sed -E 's/.*"tid":"([^"]+)".*/\1/' "$WORK/all.jsonl" | sort >"$WORK/tids.want"
assert_eq "$(sort -u "$WORK/tids.want" | wc -l)" "$((N + M))" "distinct tids generated"
# the group starts at the topic's end (the topics keep earlier runs' messages)
kafka consumer-groups --group "$OF_KAFKA_GROUP" --topic "$TOPIC" --reset-offsets --to-latest --execute >/dev/null ||
  die "resetting $OF_KAFKA_GROUP to the end of $TOPIC failed (a member still running?)"
events0=$(total order.events)
publish "$WORK/trades.jsonl"

# ---- 1. SIGTERM while outbox events wait for their delivery reports
start_worker a
for _ in $(seq 1 1200); do
  [[ $(stored) -ge $((N / 6)) ]] && break
  sleep 0.05
done
freeze
at_freeze=$(stored)
# the worker goes on with what it prefetched; its next batch's outbox events get no delivery report
for _ in $(seq 1 100); do
  [[ $(unsent) -gt 0 ]] && break
  sleep 0.1
done
sleep 1
unsent_at_term=$(unsent)
log "at SIGTERM: $(stored) of $N trades stored ($at_freeze at the freeze), $unsent_at_term outbox rows unsent"
[[ $at_freeze -gt 0 && $(stored) -lt $N ]] || fail "the freeze did not land mid-run ($at_freeze of $N stored)"
[[ $unsent_at_term -gt 0 ]] || fail "no outbox event was waiting for Kafka at SIGTERM: the test proves nothing"
timed_stop a
check_stop a "frozen broker, outbox events in flight"
grep -qE 'msg="stopping: purging undelivered messages"|msg="producer flush incomplete, purging"' "$WORK/a.log" &&
  log "ok: the worker purged what Kafka never confirmed" || fail "no purge logged by the worker"
assert_eq "$(($(unsent) > 0))" "1" "unsent outbox rows left for the next start"

# ---- 2. SIGTERM of an idle worker while the broker is frozen (group coordinator away)
thaw
start_worker b
wait_idle trade.raw 180 || fail "worker b did not catch up after the thaw"
for _ in $(seq 1 600); do
  [[ $(unsent) == 0 ]] && break
  sleep 0.2
done
assert_eq "$(unsent)" "0" "outbox rows unsent after the restart (the sweep published them)"
freeze
sleep 2
timed_stop b
check_stop b "frozen broker, idle worker"
thaw

# ---- 3. SIGTERM while a send waits for room in a full producer queue (10 messages; a batch has ~50 events)
publish "$WORK/more.jsonl"
OF_KAFKA_EXTRA=queue.buffering.max.messages=10 start_worker c
for _ in $(seq 1 1200); do
  [[ $(stored) -ge $((N + M / 6)) ]] && break
  sleep 0.05
done
freeze
sleep 2 # the next batch's outbox flush fills the queue and its 11th send waits for room
log "at SIGTERM: $(stored) of $((N + M)) trades stored, $(unsent) outbox rows unsent"
[[ $(stored) -lt $((N + M)) ]] || fail "worker c stored everything before the freeze: the test proves nothing"
timed_stop c
check_stop c "frozen broker, producer queue full"
grep -q 'msg="produce failed".*Queue full' "$WORK/c.log" && log "ok: sends on the full queue gave up within the grace" ||
  fail "worker c never gave up a send on the full queue"
thaw

# ---- 4. a fresh worker after the thaw: nothing lost, nothing twice
start_worker d
wait_idle trade.raw 180 || fail "worker d did not catch up"
for _ in $(seq 1 600); do
  [[ $(unsent) == 0 ]] && break
  sleep 0.2
done
assert_eq "$(unsent)" "0" "outbox rows unsent at the end (the sweep published them)"
stop_worker d
exactly_once "$((N + M))" "$WORK/tids.want" "after the stops with Kafka away"
outbox=$(sql "SELECT COUNT(*) FROM outbox WHERE topic = 'order.events'")
events=$(($(total order.events) - events0))
log "order events: $outbox in the outbox, $events messages on ${OF_TOPIC_PREFIX}order.events (resends allowed)"
[[ $outbox -gt 0 && $events -ge $outbox ]] || fail "order events lost: $events on the topic for $outbox in the outbox"
assert_eq "$(grep -c 'msg=dead-lettered' "$WORK"/[abcd].log | awk -F: '{s += $2} END {print s + 0}')" "0" \
  "messages dead-lettered"

# ---- 5. the other loops: of-delivery (the worker loop) and of-retry-ladder (its own loop), idle, Kafka frozen
start_other() { # name binary
  OF_KAFKA_GROUP="it.stop.$1" "$BIN/$2" >"$WORK/$1.log" 2>&1 &
  WORKERS+=("$!")
  eval "PID_$1=$!"
}
start_other delivery of-delivery
start_other ladder of-retry-ladder
for _ in $(seq 1 100); do
  grep -q 'msg="partitions assigned"' "$WORK/delivery.log" && grep -q 'msg="partitions assigned"' "$WORK/ladder.log" &&
    break
  sleep 0.1
done
freeze
sleep 2
for name in delivery ladder; do
  timed_stop "$name"
  check_stop "$name" "frozen broker, idle $name"
done
thaw
