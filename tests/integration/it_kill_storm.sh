#!/usr/bin/env bash
# it_kill_storm.sh -- static group membership (issue 10, item 7; D-T10-41..43). (1) Two running processes with one
# OF_INSTANCE_ID: Kafka fences the older one, which stops with a clear error and exit code 78; OF_KAFKA_STATIC_MEMBER=on
# without OF_INSTANCE_ID refuses to start (78). (2) A short kill storm: two static instances of trade-submit under a
# stream of trades, a random one SIGKILLed every 2-4 s and restarted at once with the same id, KILLS times. Every trade
# is stored exactly once, the stock check is clean, and no partition of trade.raw goes without a live owner for more
# than GAP_BOUND_MS (5 s; a dynamic member's partitions wait for its session timeout, 10 s, then a rebalance:
# bench/kill_storm.sh measures both). Ownership comes from the workers' "partitions assigned/revoked" log lines
# (bench/kill_storm.sh --analyse).
source "$(dirname "$0")/lib.sh"
export OF_TOPIC_PREFIX=storm. OF_REDIS_PREFIX=it:storm:
[[ -f $OF_CONFIG ]] || die "no $OF_CONFIG: run through scripts/test.sh (it starts the test stack)"
ordctl topics create --quiet || die "ordctl topics create (prefix storm.) failed"
reset_db
redis_cli --scan --pattern 'it:storm:*' | while read -r k; do redis_cli del "$k" >/dev/null; done
KILLS=${OF_IT_STORM_KILLS:-6}
GAP_BOUND_MS=${OF_IT_STORM_GAP_BOUND_MS:-5000}
RATE=40
N=$((RATE * (KILLS * 3 + 15)))
TOPIC=${OF_TOPIC_PREFIX}trade.raw
RUN=$(date +%s)
kafka() { bash "$REPO/scripts/kafka.sh" "$@" 2>>"$WORK/kafka-tools.err"; }
sanitizer_check() { # log
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1"; then
    fail "sanitizer report in $1"
    grep -A15 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1" | head -40
  fi
}

# to_end GROUP: the group starts at the topic's end (the topic keeps earlier runs' messages)
to_end() {
  kafka consumer-groups --group "$1" --topic "$TOPIC" --reset-offsets --to-latest --execute >/dev/null ||
    die "resetting $1 to the end of $TOPIC failed"
}

# ---- 1. fencing: a second process with the same id
export OF_KAFKA_GROUP="it.storm.fence.$RUN"
to_end "$OF_KAFKA_GROUP"
OF_INSTANCE_ID=it-storm-dup "$BIN/of-trade-submit" >"$WORK/dup1.log" 2>&1 &
dup1=$!
WORKERS+=("$dup1")
for _ in $(seq 1 100); do grep -q 'msg="partitions assigned"' "$WORK/dup1.log" && break; sleep 0.1; done
grep -q 'membership=static' "$WORK/dup1.log" || fail "OF_INSTANCE_ID set: the instance did not join as a static member"
OF_INSTANCE_ID=it-storm-dup "$BIN/of-trade-submit" >"$WORK/dup2.log" 2>&1 &
dup2=$!
WORKERS+=("$dup2")
rc=running
for _ in $(seq 1 300); do
  if ! kill -0 "$dup1" 2>/dev/null; then
    rc=0
    wait "$dup1" || rc=$?
    break
  fi
  sleep 0.1
done
assert_eq "$rc" "78" "exit code of the older process with the same group.instance.id (fenced)"
grep -q 'level=error .*msg="kafka fenced this instance: another process joined the consumer group with the same group.instance.id; stopping" instance=it-storm-dup' \
  "$WORK/dup1.log" && log "ok: the fenced process said why" || fail "no clear fencing error in dup1's log"
grep -q 'msg=stats why=exit' "$WORK/dup1.log" || fail "the fenced process did not log its exit stats"
sanitizer_check "$WORK/dup1.log"
kill -0 "$dup2" 2>/dev/null && log "ok: the newer process keeps running" || fail "the newer process stopped too"
kill -TERM "$dup2"
rc=0
wait "$dup2" || rc=$?
assert_eq "$rc" "0" "exit code of the newer process on SIGTERM"
sanitizer_check "$WORK/dup2.log"
rc=0
OF_KAFKA_STATIC_MEMBER=on "$BIN/of-trade-submit" >"$WORK/on.log" 2>&1 || rc=$?
assert_eq "$rc" "78" "exit code of OF_KAFKA_STATIC_MEMBER=on without OF_INSTANCE_ID"
grep -q 'OF_KAFKA_STATIC_MEMBER=on: OF_INSTANCE_ID must be set' "$WORK/on.log" && log "ok: it names the keys" ||
  fail "no configuration error naming OF_INSTANCE_ID: $(cat "$WORK/on.log")"

# ---- 2. the storm
export OF_KAFKA_GROUP="it.storm.$RUN.trade-submit"
to_end "$OF_KAFKA_GROUP"
reset_db
S=$WORK/storm
mkdir -p "$S"
: >"$S/events"
now_ms() { date +%s%3N; }
declare -A SP SG
storm_start() { # name
  SG[$1]=$((${SG[$1]:-0} + 1))
  local logf="$1.${SG[$1]}.log"
  OF_INSTANCE_ID=$1 OF_KAFKA_STATIC_MEMBER=on "$BIN/of-trade-submit" >"$S/$logf" 2>&1 &
  SP[$1]=$!
  WORKERS+=("$!")
  echo "start $(now_ms) $1 $logf" >>"$S/events"
}
python3 "$REPO/bench/gen_bench_trades.py" --trades "$N" --seed 5151 >"$WORK/trades.jsonl" 2>/dev/null
sed -E 's/.*"tid":"([^"]+)".*/\1/' "$WORK/trades.jsonl" | sort >"$WORK/tids.want"
# owned LOG: the partitions LOG's instance holds now (its assigned minus its revoked; a value is quoted only when it
# holds a space: one partition comes as partitions=topic:3)
owned() {
  awk '/msg="partitions (assigned|revoked)"/ { add = /msg="partitions assigned"/; match($0, / partitions=("[^"]*"|[^ ]*)/)
         v = substr($0, RSTART + 12, RLENGTH - 12); gsub(/"/, "", v)
         n = split(v, a, " "); for (i = 1; i <= n; i++) if (add) o[a[i]] = 1; else delete o[a[i]] }
       END { for (p in o) print p }' "$1"
}
storm_start it-storm-1
storm_start it-storm-2
# settled: both own partitions and together all 16 (a cooperative move takes two rebalances)
for _ in $(seq 1 300); do
  a=$(owned "$S/it-storm-1.1.log" | wc -l) b=$(owned "$S/it-storm-2.1.log" | wc -l)
  [[ $a -gt 0 && $b -gt 0 && $(cat <(owned "$S/it-storm-1.1.log") <(owned "$S/it-storm-2.1.log") | sort -u | wc -l) == 16 ]] && break
  sleep 0.1
done
log "settled: it-storm-1 owns $a partitions, it-storm-2 $b"
ordctl publish-trades --quiet --rate "$RATE" --times "$S/times" "$WORK/trades.jsonl" >"$WORK/publish.out" 2>&1 &
pub=$!
sleep 3
echo "storm $(now_ms)" >>"$S/events"
for ((k = 1; k <= KILLS; k++)); do
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 2 + (r % 2001) / 1000 }')"
  name="it-storm-$((1 + RANDOM % 2))"
  kill -KILL "${SP[$name]}" 2>/dev/null || true
  wait "${SP[$name]}" 2>/dev/null || true
  echo "kill $(now_ms) $name" >>"$S/events"
  storm_start "$name"
done
log "$KILLS kills done, $(sql 'SELECT COUNT(*) FROM api_trade') of $N trades stored so far"
wait "$pub" || fail "ordctl publish-trades failed: $(tail -3 "$WORK/publish.out")"
wait_idle trade.raw 240 || fail "the group did not catch up after the storm"
echo "end $(now_ms)" >>"$S/events"
for name in it-storm-1 it-storm-2; do
  echo "stop $(now_ms) $name" >>"$S/events"
  kill -TERM "${SP[$name]}"
  rc=0
  wait "${SP[$name]}" || rc=$?
  assert_eq "$rc" "0" "$name: exit code on SIGTERM after the storm"
done
for f in "$S"/*.log; do sanitizer_check "$f"; done
sql 'SELECT tid, ROUND(UNIX_TIMESTAMP(created_at) * 1000) FROM api_trade' >"$S/stored"
exactly_once "$N" "$WORK/tids.want" "after $KILLS kills"
figures=$(bash "$REPO/bench/kill_storm.sh" --analyse "$S")
log "storm: $figures"
gap=$(sed -n 's/.*longest_gap_ms=\([0-9]*\).*/\1/p' <<<"$figures")
[[ -n $gap && $(sed -n 's/.* kills=\([0-9]*\).*/\1/p' <<<"$figures") == "$KILLS" ]] || fail "no storm figures"
((${gap:-999999} <= GAP_BOUND_MS)) && log "ok: longest time a partition had no live owner: $gap ms (bound $GAP_BOUND_MS)" ||
  fail "a partition had no live owner for $gap ms (bound $GAP_BOUND_MS)"
