#!/usr/bin/env bash
# it_broker_loss3.sh -- a three-node Kafka cluster (replication 3, min.insync.replicas 2) of its own, with its
# own MariaDB and Redis, in a state folder of this test (stopped with down --purge even when the test fails).
# Node 2 is killed (SIGKILL) in the middle of a trade-submit run of a few thousand trades and is NOT started
# again: the rest of the trades are published on the two nodes left, and the run finishes within 60 s of the
# kill without waiting for the dead node, every trade stored exactly once, no dead letter, every order event
# published, the stock check clean. Then node 2 comes back (`stack.sh up`) and every partition is fully
# replicated again. Ports: OF_IT3_MYSQL_PORT, OF_IT3_REDIS_PORT, OF_IT3_KAFKA_PORT (the nodes use +0..+2 and their
# controllers +10..+12); by default the test stack's own ports + 70, + 70 and + 800 (33386, 36459, 29992 for the
# default test stack), so that two test stacks on one machine never share them.
source "$(dirname "$0")/lib.sh"
N=${OF_IT_BROKER_LOSS_TRADES:-3000}
FIRST=$((N * 2 / 3)) # published before the kill; the rest right after it, with node 2 dead
LIMIT=60             # seconds from the kill to the end of the run
VICTIM=2

export OF_STATE_DIR=$WORK/stack3 OF_CONFIG=$WORK/stack3/stack.env
export OF_MYSQL_PORT=${OF_IT3_MYSQL_PORT:-$((${OF_MYSQL_PORT:-33316} + 70))}
export OF_REDIS_PORT=${OF_IT3_REDIS_PORT:-$((${OF_REDIS_PORT:-36389} + 70))}
export OF_KAFKA_PORT=${OF_IT3_KAFKA_PORT:-$((${OF_KAFKA_PORT:-29192} + 800))} OF_KAFKA_BROKERS=3 OF_BUILD_DIR=${BIN%/bin}
export OF_TOPICS_ARGS="" # the plain topic table: this cluster is only this test's
unset OF_TOPIC_PREFIX
export OF_REDIS_PREFIX="it:b3:" OF_KAFKA_GROUP="it.b3.trade-submit" OF_BATCH_SIZE=50
stack() { bash "$REPO/scripts/stack.sh" "$@"; }
kafka() { bash "$REPO/scripts/kafka.sh" "$@" 2>>"$WORK/kafka-tools.err"; }

cleanup3() {
  local rc=$? p
  touch "$WORK/stop-sampler"
  for p in "${WORKERS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -d $OF_STATE_DIR ]]; then
    if [[ $FAILS -gt 0 || $rc -ne 0 ]]; then cp -r "$OF_STATE_DIR/logs" "$WORK/stack3-logs" 2>/dev/null || true; fi
    stack down --purge >"$WORK/down.out" 2>&1 || { cat "$WORK/down.out"; log "FAIL: stack.sh down --purge of $OF_STATE_DIR"; rc=1; }
  fi
  set +e # finish reads the status from $?
  (exit "$rc")
  finish
}
trap cleanup3 EXIT

total() { kafka get-offsets --topic "$1" | awk -F: '{s += $NF} END {print s + 0}'; } # messages ever written
stored() { sql 'SELECT COUNT(*) FROM api_trade'; }
leaders() { # topic: how many of its partitions each node leads ("1:6 2:5 3:5"; "none" = no leader)
  kafka topics --describe --topic "$1" | sed -n 's/.*Leader: \([0-9-]*\).*/\1/p' | sed 's/^-1$/none/' |
    sort | uniq -c | awk '{printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1} END {print ""}'
}

t0=$SECONDS
log "three-node stack in $OF_STATE_DIR (mysql :$OF_MYSQL_PORT, redis :$OF_REDIS_PORT, kafka :$OF_KAFKA_PORT..+2)"
stack up >"$WORK/up.out" 2>&1 || { cat "$WORK/up.out"; die "stack.sh up of the three-node stack failed"; }
grep -E 'kafka: (running|topics)' "$WORK/up.out" | sed 's/^/  /'
ordctl migrate >"$WORK/migrate.out" 2>&1 || { cat "$WORK/migrate.out"; die "ordctl migrate failed"; }
stack mysql <"$REPO/data/sample/catalogue.sql"
log "stack ready in $((SECONDS - t0)) s"
assert_eq "$(kafka topics --describe --topic trade.raw | grep -c 'Replicas: [0-9],[0-9],[0-9]')" "$(kafka get-offsets --topic trade.raw | wc -l)" \
  "trade.raw partitions with three replicas"

python3 "$REPO/bench/gen_bench_trades.py" --trades "$N" --seed 3030 >"$WORK/trades.jsonl" 2>/dev/null
head -n "$FIRST" "$WORK/trades.jsonl" >"$WORK/first.jsonl"
tail -n +"$((FIRST + 1))" "$WORK/trades.jsonl" >"$WORK/rest.jsonl"
sed -E 's/.*"tid":"([^"]+)".*/\1/' "$WORK/trades.jsonl" | sort >"$WORK/tids.want"
assert_eq "$(sort -u "$WORK/tids.want" | wc -l)" "$N" "distinct tids generated"
publish "$WORK/first.jsonl"
assert_eq "$(total trade.raw)" "$FIRST" "messages published before the kill"
lead=$(leaders trade.raw)
log "trade.raw partitions led per node: $lead"
[[ " $lead" == *" $VICTIM:"* ]] || fail "node $VICTIM leads no trade.raw partition: its loss would move no leader"

# stored trades once a second from now on (ends by itself: 120 samples at most)
sampler() {
  for _ in $(seq 1 120); do
    [[ -e $WORK/stop-sampler ]] && break
    printf '%s %s\n' "$SECONDS" "$(stored)"
    sleep 1
  done >"$WORK/progress"
}
start_worker a
sampler &
for _ in $(seq 1 1200); do
  [[ $(stored) -ge $((N / 6)) ]] && break
  sleep 0.05
done
vpid=$(cat "$OF_STATE_DIR/run/kafka-$VICTIM.pid")
kill -KILL "$vpid"
t_kill=$SECONDS
at_kill=$(stored)
log "killed Kafka node $VICTIM (pid $vpid, SIGKILL): $at_kill of $N trades stored"
# mid-run: some stored, and trades published before the kill still waiting (the rest is published after it)
[[ $at_kill -gt 0 && $at_kill -lt $FIRST ]] || fail "the kill did not land mid-run ($at_kill of the $FIRST published stored)"

# the rest of the trades, on the two nodes left (acks=all needs min.insync.replicas 2: still met)
publish "$WORK/rest.jsonl"
log "rest published $((SECONDS - t_kill)) s after the kill"
left=$((LIMIT - (SECONDS - t_kill)))
((left > 0)) || left=1
if wait_idle trade.raw "$left"; then
  log "run finished $((SECONDS - t_kill)) s after the kill (limit $LIMIT s)"
else
  fail "the run did not finish within $LIMIT s of the kill ($(stored) of $N stored)"
fi
touch "$WORK/stop-sampler"
log "stored trades per second from the worker's start (second:count; kill at $t_kill): $(awk '{printf "%s:%s ", $1, $2}' "$WORK/progress")"
kill -0 "$PID_a" 2>/dev/null || fail "the worker is not running after the loss of node $VICTIM"
! kill -0 "$vpid" 2>/dev/null || fail "node $VICTIM survived SIGKILL"
stack status >"$WORK/status.out" 2>&1 && fail "stack.sh status says all up while node $VICTIM is dead"
grep -q "kafka-$VICTIM: *stopped" "$WORK/status.out" || fail "stack.sh status does not show kafka-$VICTIM stopped: $(cat "$WORK/status.out")"
for _ in $(seq 1 100); do [[ $(sql 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL') == 0 ]] && break; sleep 0.2; done
assert_eq "$(sql 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL')" "0" "outbox events not yet confirmed by Kafka"
log "outbox drained $((SECONDS - t_kill)) s after the kill"
stop_worker a

assert_eq "$(total trade.raw)" "$N" "messages on trade.raw (none lost with the node)"
exactly_once "$N" "$WORK/tids.want" "after the loss of node $VICTIM"
assert_eq "$(total deadletter)" "0" "dead letters on the deadletter topic"
assert_eq "$(grep -c 'msg=dead-lettered' "$WORK/a.log" || true)" "0" "messages the worker dead-lettered"
outbox=$(sql "SELECT COUNT(*) FROM outbox WHERE topic = 'order.events'")
events=$(total order.events)
log "order events: $outbox in the outbox, $events messages on order.events (resends allowed)"
[[ $outbox -gt 0 && $events -ge $outbox ]] || fail "order events lost: $events on the topic for $outbox in the outbox"
lead=$(leaders trade.raw)
log "trade.raw partitions led per node with node $VICTIM dead: $lead"
[[ " $lead" != *" $VICTIM:"* && " $lead" != *" none:"* ]] || fail "trade.raw has partitions led by the dead node or by none: $lead"
log "worker: $(grep 'msg=stats why=exit' "$WORK/a.log" | grep -oE 'consumed=[0-9]+ processed=[0-9]+ duplicate=[0-9]+')"

log "node $VICTIM back (stack.sh up)"
t_up=$SECONDS
stack up >"$WORK/up2.out" 2>&1 || { cat "$WORK/up2.out"; die "stack.sh up (node $VICTIM again) failed"; }
grep -E 'kafka' "$WORK/up2.out" | sed 's/^/  /'
under=""
for _ in $(seq 1 30); do
  under=$(kafka topics --describe --under-replicated-partitions | grep -v '^$' || true)
  [[ -z $under ]] && break
  sleep 1
done
ours=$(grep -v 'Topic: __' <<<"$under" || true)
assert_eq "$(grep -c . <<<"$ours" || true)" "0" "under-replicated partitions of our topics after node $VICTIM is back"
[[ -z $under || -n $ours ]] || fail "internal topics still under-replicated: $(head -3 <<<"$under")"
[[ -z $ours ]] || head -5 <<<"$ours"
log "fully replicated $((SECONDS - t_up)) s after up"
lead=$(kafka topics --describe --topic trade.raw)
assert_eq "$(grep -c 'Isr: [0-9],[0-9],[0-9]' <<<"$lead")" "$(grep -c 'Leader:' <<<"$lead")" "trade.raw partitions with three in-sync replicas"
