#!/usr/bin/env bash
# it_broker_loss.sh -- the only Kafka node is killed (SIGKILL) in the middle of a trade-submit run of a few
# thousand trades, stays away a few seconds and is started again (`stack.sh up`); the rest of the trades are
# published after it is back. The worker survives the outage (it keeps running, exits 0 on SIGTERM), every
# trade is stored exactly once (no tid missing, none twice), no dead letter comes of the outage, every order
# event of the outbox reaches Kafka, and the stock check passes.
source "$(dirname "$0")/lib.sh"
it_ns 10
N=${OF_IT_BROKER_LOSS_TRADES:-3000}
FIRST=$((N * 2 / 3)) # published before the kill; the rest once the node is back
TOPIC=${OF_TOPIC_PREFIX}trade.raw
# A group of its own, started at the topic's end (the topics keep earlier runs' messages across down/up).
export OF_KAFKA_GROUP="it.ns10.broker-loss.$(date +%s).$$"
export OF_BATCH_SIZE=50

kafka() { bash "$REPO/scripts/kafka.sh" "$@" 2>>"$WORK/kafka-tools.err"; }
total() { kafka get-offsets --topic "${OF_TOPIC_PREFIX}$1" | awk -F: '{s += $NF} END {print s + 0}'; } # messages ever written
stored() { sql 'SELECT COUNT(*) FROM api_trade'; }
kafka_pid() { cat "$OF_STATE_DIR/run/kafka-1.pid"; }

python3 "$REPO/bench/gen_bench_trades.py" --trades "$N" --seed 1010 >"$WORK/trades.jsonl" 2>/dev/null
head -n "$FIRST" "$WORK/trades.jsonl" >"$WORK/first.jsonl"
tail -n +"$((FIRST + 1))" "$WORK/trades.jsonl" >"$WORK/rest.jsonl"
sed -E 's/.*"tid":"([^"]+)".*/\1/' "$WORK/trades.jsonl" | sort >"$WORK/tids.want"
assert_eq "$(sort -u "$WORK/tids.want" | wc -l)" "$N" "distinct tids generated"

kafka consumer-groups --group "$OF_KAFKA_GROUP" --topic "$TOPIC" --reset-offsets --to-latest --execute >/dev/null
dead0=$(total deadletter)
events0=$(total order.events)
raw0=$(total trade.raw)
publish "$WORK/first.jsonl"
assert_eq "$(($(total trade.raw) - raw0))" "$FIRST" "messages published before the kill"

start_worker a
for _ in $(seq 1 1200); do
  [[ $(stored) -ge $((N / 6)) ]] && break
  sleep 0.05
done
kpid=$(kafka_pid)
kill -KILL "$kpid"
at_kill=$(stored)
t_kill=$SECONDS
log "killed Kafka node 1 (pid $kpid, SIGKILL): $at_kill of $N trades stored"
# mid-run: some stored, and trades published before the kill still waiting (the rest is published after it)
[[ $at_kill -gt 0 && $at_kill -lt $FIRST ]] || fail "the kill did not land mid-run ($at_kill of the $FIRST published stored)"
for _ in $(seq 1 50); do kill -0 "$kpid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$kpid" 2>/dev/null || fail "Kafka node 1 survived SIGKILL"

sleep 5
kill -0 "$PID_a" 2>/dev/null || fail "the worker died while Kafka was away"
log "after 5 s without Kafka: $(stored) of $N trades stored"
bash "$REPO/scripts/stack.sh" status >"$WORK/status.out" 2>&1 && fail "stack.sh status says all up while the node is dead"
grep -q 'kafka-1: *stopped' "$WORK/status.out" || fail "stack.sh status does not show kafka-1 stopped: $(cat "$WORK/status.out")"

log "starting the node again"
OF_MYSQL_PORT=$(cat "$OF_STATE_DIR/run/mysql.port") OF_REDIS_PORT=$(cat "$OF_STATE_DIR/run/redis.port") \
  OF_BUILD_DIR=${BIN%/bin} bash "$REPO/scripts/stack.sh" up >"$WORK/up.out" 2>&1 || { cat "$WORK/up.out"; die "stack.sh up failed"; }
grep -E 'kafka' "$WORK/up.out" | sed 's/^/  /'
log "Kafka back $((SECONDS - t_kill)) s after the kill; $(stored) of $N trades stored"
publish "$WORK/rest.jsonl"
assert_eq "$(($(total trade.raw) - raw0))" "$N" "messages on $TOPIC from this run (none lost with the node)"

wait_idle trade.raw 120 || fail "the worker did not catch up after the outage"
log "idle $((SECONDS - t_kill)) s after the kill"
kill -0 "$PID_a" 2>/dev/null || fail "the worker is not running after the outage"
for _ in $(seq 1 100); do [[ $(sql 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL') == 0 ]] && break; sleep 0.2; done
assert_eq "$(sql 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL')" "0" "outbox events not yet confirmed by Kafka"
stop_worker a

exactly_once "$N" "$WORK/tids.want" "after the broker loss"
assert_eq "$(($(total deadletter) - dead0))" "0" "dead letters on ${OF_TOPIC_PREFIX}deadletter from this run"
assert_eq "$(sql 'SELECT COUNT(*) FROM dead_letter')" "0" "dead_letter rows"
assert_eq "$(grep -c 'msg=dead-lettered' "$WORK/a.log" || true)" "0" "messages the worker dead-lettered"
outbox=$(sql "SELECT COUNT(*) FROM outbox WHERE topic = 'order.events'")
events=$(($(total order.events) - events0))
log "order events: $outbox in the outbox, $events messages on ${OF_TOPIC_PREFIX}order.events (resends allowed)"
[[ $outbox -gt 0 && $events -ge $outbox ]] || fail "order events lost: $events on the topic for $outbox in the outbox"
log "worker: $(grep -c 'msg="kafka error"' "$WORK/a.log" || true) kafka errors logged;" \
  "$(grep 'msg=stats why=exit' "$WORK/a.log" | grep -oE 'consumed=[0-9]+ processed=[0-9]+ duplicate=[0-9]+')"
