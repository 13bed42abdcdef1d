#!/usr/bin/env bash
# it_replay.sh -- ordctl replay on the real stack: it refuses while the group has a live member, a dry run
# changes no offset, --from-offsets moves one partition, --from-time before the run equals --from-beginning,
# and a replay of trade.raw (and of deadletter) from the beginning re-reads every message while nothing
# changes in MySQL (processed_event ledger) and no dead letter is recorded twice, in MySQL or the text log.
source "$(dirname "$0")/lib.sh"
it_ns 8
source "$REPO/data/sample/expected_submit.sh" # fixes OF_PLATFORM_NOW before the worker starts
export OF_DEADLETTER_LOG=$WORK/deadletter.log
SAMPLE=$REPO/data/sample/raw_trades.jsonl
INVALID=$REPO/data/sample/raw_trades_invalid.jsonl
G=$OF_KAFKA_GROUP # it.ns8.trade-submit
RG=it.ns8.dlq-recorder

# replay ARGS...: ordctl replay, stdout in $WORK/replay.out, stderr in $WORK/replay.err; sets RC
replay() {
  RC=0
  ordctl replay "$@" >"$WORK/replay.out" 2>"$WORK/replay.err" || RC=$?
  if grep -qE 'Sanitizer|runtime error:' "$WORK/replay.err"; then
    fail "sanitizer report from ordctl replay $*"
    head -30 "$WORK/replay.err"
  fi
}
# column N (2 committed, 3 new, 4 high) of the plan's partition rows in $WORK/replay.out, space-separated
col() { awk -v c="$1" '$1 ~ /^[0-9]+$/ && NF >= 5 { printf "%s%s", sep, $c; sep = " " }' "$WORK/replay.out"; }
total_line() { grep '^total:' "$WORK/replay.out" || true; }
# start_recorder NAME: of-dlq-recorder in group $RG, log $WORK/NAME.log (stop with stop_worker NAME)
start_recorder() {
  OF_KAFKA_GROUP=$RG "$BIN/of-dlq-recorder" >"$WORK/$1.log" 2>&1 &
  WORKERS+=("$!")
  eval "PID_$1=$!"
  log "started dlq-recorder $1 (pid $!)"
}
# exit_stat NAME COUNTER: the counter from the worker's exit stats line
exit_stat() { grep 'msg=stats why=exit' "$WORK/$1.log" | tail -1 | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }
published() { sed -n 's/^published=\([0-9]*\) .*/\1/p' "$WORK/publish.out"; }
dl_lines() { if [[ -f $OF_DEADLETTER_LOG ]]; then wc -l <"$OF_DEADLETTER_LOG"; else echo 0; fi; }
snap() {
  sql "SELECT CONCAT_WS('/', (SELECT COUNT(*) FROM api_trade), (SELECT COUNT(*) FROM api_trade_order),
       (SELECT MD5(GROUP_CONCAT(CONCAT_WS(',', rec_id, tid, process_status, modify_flag, deliver_trade_id) ORDER BY rec_id)) FROM api_trade),
       (SELECT COUNT(*) FROM sales_trade), (SELECT COUNT(*) FROM sales_trade_order), (SELECT COUNT(*) FROM sales_trade_log),
       (SELECT COUNT(*) FROM crm_customer), (SELECT COUNT(*) FROM processed_event), (SELECT COUNT(*) FROM outbox),
       (SELECT MD5(GROUP_CONCAT(CONCAT_WS(',', warehouse_id, spec_id, unpay_num, order_num, subscribe_num) ORDER BY rec_id)) FROM stock_spec))"
}
dl_snap() { sql "SELECT CONCAT(COUNT(*), '/', IFNULL(MD5(GROUP_CONCAT(CONCAT_WS(',', id, consumer_group, topic, kafka_partition, kafka_offset) ORDER BY id)), '-')) FROM dead_letter"; }

# A re-run on the same stack finds this namespace's messages of the last run: drop them (Kafka's delete-records),
# so that "the beginning" is this run's first message.
for t in trade.raw deadletter; do
  replay --topic "$t" --group it.ns8.probe --from-beginning
  [[ $RC == 0 ]] || die "ordctl replay (probe of ns8.$t) exited $RC: $(cat "$WORK/replay.err")"
  if [[ $(col 3) != "$(col 4)" ]]; then
    log "ns8.$t holds messages of an earlier run: deleting them"
    np=$(col 1 | wc -w)
    { printf '{"version":1,"partitions":['
      for ((p = 0; p < np; p++)); do printf '%s{"topic":"ns8.%s","partition":%d,"offset":-1}' "$([[ $p -gt 0 ]] && echo ,)" "$t" "$p"; done
      printf ']}\n'; } >"$WORK/delete.json"
    bash "$REPO/scripts/kafka.sh" delete-records --offset-json-file "$WORK/delete.json" >"$WORK/delete.out" 2>&1 ||
      die "delete-records failed: $(tail -5 "$WORK/delete.out")"
  fi
done

T0=$(date -u -d "@$(($(date +%s) - 2))" '+%Y-%m-%d %H:%M:%S') # a time before the run (UTC)
sleep 2

# ---- the first run: trade-submit and the dead-letter recorder over the sample, valid and invalid trades
start_worker a
start_recorder r1
publish "$SAMPLE"
n_valid=$(published)
publish --no-validate "$INVALID"
n_invalid=$(published)
N=$((n_valid + n_invalid))
log "published $n_valid + $n_invalid = $N raw trades"
[[ $n_valid -gt 0 && $n_invalid -gt 0 ]] || fail "nothing published"
wait_idle || fail "trade-submit did not catch up"
ordctl wait-idle --topic deadletter --group "$RG" --timeout 60 >/dev/null 2>&1 || fail "dlq-recorder did not catch up"
before=$(snap)
dl_before=$(dl_snap)
lines_before=$(dl_lines)
md5_before=$(md5sum <"$OF_DEADLETTER_LOG" 2>/dev/null || true)
log "before: $before; dead letters $dl_before; text log lines $lines_before"
[[ ${dl_before%%/*} -gt 0 ]] || fail "no dead letter recorded in the first run"
assert_eq "$lines_before" "${dl_before%%/*}" "one text log line per dead letter"
stock_check "before the replay"
stop_worker a
stop_worker r1

# ---- refused while the group has a live member
start_worker b
for _ in $(seq 1 100); do grep -q 'msg="partitions assigned"' "$WORK/b.log" && break; sleep 0.2; done
for _ in $(seq 1 50); do # a dry run until the group shows the member (never --yes before it has joined)
  replay --topic trade.raw --group "$G" --from-beginning
  [[ $RC == 3 ]] && break
  sleep 0.2
done
assert_eq "$RC" "3" "dry run while a worker is running: exit code"
replay --topic trade.raw --group "$G" --from-beginning --yes
assert_eq "$RC" "3" "replay --yes while a worker is running: exit code"
# e.g. "group it.ns8.trade-submit is Stable with 1 live member: host:pid on host /127.0.0.1 (2 partitions); stop ..."
grep -qE "group $G is [A-Za-z]+ with 1 live member: [^ ]*:$PID_b on host [^ ]*127\.0\.0\.1 .*stop the workers" "$WORK/replay.err" ||
  fail "the refusal does not name the live member and its host: $(cat "$WORK/replay.err")"
log "refusal: $(cat "$WORK/replay.err")"
assert_eq "$(wc -l <"$WORK/replay.err")" "1" "the refusal is one line"
grep -q '^reset:' "$WORK/replay.out" && fail "replay reset offsets while a worker was running"
stop_worker b
assert_eq "$(exit_stat b consumed)" "0" "the worker running during the refused replay read nothing"

# ---- dry run: the plan, and no offset moves
replay --topic trade.raw --group "$G" --from-beginning
assert_eq "$RC" "0" "dry run: exit code"
cat "$WORK/replay.out"
cp "$WORK/replay.out" "$WORK/dry1.out"
grep -q '^dry run: add --yes to reset$' "$WORK/replay.out" || fail "dry run does not say so"
assert_eq "$(col 2)" "$(col 4)" "dry run: every partition committed up to its high watermark"
assert_eq "$(total_line)" "total: $N messages to re-read, 0 skipped, $(col 1 | wc -w) of $(col 1 | wc -w) partitions reset" \
  "dry run: total"
FROM_BEGINNING_NEW=$(col 3)
HIGHS=$(col 4)
wait_idle trade.raw 5 >/dev/null || fail "after the dry run the group is no longer caught up (offsets moved)"
replay --topic trade.raw --group "$G" --from-beginning
cmp -s "$WORK/replay.out" "$WORK/dry1.out" || fail "a second dry run prints another plan (offsets moved)"

# ---- bad arguments: one clear line, nothing changed
replay --topic trade.raw --group "$G" --from-offsets 99:0
assert_eq "$RC:$(grep -c 'has no partition 99' "$WORK/replay.err")" "2:1" "--from-offsets on a partition that does not exist"
replay --topic trade.raw --group "$G" --from-offsets 0:999999
assert_eq "$RC:$(grep -c 'outside ns8.trade.raw\[0\]' "$WORK/replay.err")" "2:1" "--from-offsets past the log end"
replay --topic trade.raw --group "$G" --from-offsets 0-1
assert_eq "$RC:$(grep -c 'is not PARTITION:OFFSET' "$WORK/replay.err")" "2:1" "--from-offsets not P:O"
replay --topic trade.raw --group "$G" --from-time yesterday
assert_eq "$RC:$(grep -c 'is not a time' "$WORK/replay.err")" "2:1" "--from-time not a time"
replay --topic trade.raw --group "$G" --from-beginning --from-time "$T0"
assert_eq "$RC" "2" "two starting points"
replay --topic no.such.topic --group "$G" --from-beginning
assert_eq "$RC:$(grep -c 'topic ns8.no.such.topic not found' "$WORK/replay.err")" "1:1" "unknown topic"
wait_idle trade.raw 5 >/dev/null || fail "a refused replay moved offsets"

# ---- --from-offsets on one partition: the busiest one, back by 2 (others untouched)
read -r -a highs <<<"$HIGHS"
P=0
for i in "${!highs[@]}"; do ((highs[i] > highs[P])) && P=$i; done
O=$((highs[P] - 2))
replay --topic trade.raw --group "$G" --from-offsets "$P:$O" --yes
assert_eq "$RC" "0" "--from-offsets $P:$O --yes: exit code"
cat "$WORK/replay.out"
assert_eq "$(grep -c "^reset: group $G, topic ns8.trade.raw, committed offsets now (partition:offset): $P:$O\$" "$WORK/replay.out")" "1" \
  "--from-offsets: read back"
assert_eq "$(total_line)" "total: 2 messages to re-read, 0 skipped, 1 of $(col 1 | wc -w) partitions reset" "--from-offsets: total"
replay --topic trade.raw --group "$G" --from-beginning
want=$(for i in "${!highs[@]}"; do if ((i == P)); then echo -n "$O "; else echo -n "${highs[i]} "; fi; done)
assert_eq "$(col 2)" "${want% }" "--from-offsets: committed offsets afterwards (only partition $P moved)"

# ---- --from-time before the run = --from-beginning (both spellings of the time)
replay --topic trade.raw --group "$G" --from-time "$T0"
assert_eq "$RC" "0" "--from-time '$T0': exit code"
assert_eq "$(col 3)" "$FROM_BEGINNING_NEW" "--from-time before the run: the new offsets are the log start"
replay --topic trade.raw --group "$G" --from-time "${T0/ /T}Z"
assert_eq "$(col 3)" "$FROM_BEGINNING_NEW" "--from-time ${T0/ /T}Z: the same"
replay --topic trade.raw --group "$G" --from-time "$(date -u -d '+1 day' '+%Y-%m-%dT%H:%M:%SZ')"
assert_eq "$(col 3)" "$HIGHS" "--from-time tomorrow: the new offsets are the log end"
assert_eq "$(total_line)" "total: 0 messages to re-read, 2 skipped, $(col 1 | wc -w) of $(col 1 | wc -w) partitions reset" \
  "--from-time tomorrow: moving forward skips"

# ---- the replay: trade.raw from the beginning for trade-submit, deadletter from the beginning for the recorder
replay --topic trade.raw --group "$G" --from-beginning --yes
assert_eq "$RC" "0" "--from-beginning --yes: exit code"
cat "$WORK/replay.out"
grep -q "^reset: group $G, topic ns8.trade.raw" "$WORK/replay.out" || fail "no reset line"
replay --topic trade.raw --group "$G" --from-beginning
assert_eq "$(col 2)" "$FROM_BEGINNING_NEW" "read back: every partition at its log start"
# Kafka's own tool sees the same: the group's lag on the topic is every message
lag=$(bash "$REPO/scripts/kafka.sh" consumer-groups --describe --group "$G" 2>/dev/null |
  awk '$2 == "ns8.trade.raw" { s += $6 } END { print s + 0 }')
assert_eq "$lag" "$N" "kafka-consumer-groups: the group's lag after the reset"
dlt=$(ordctl replay --topic deadletter --group "$RG" --from-beginning 2>/dev/null | sed -n 's/^total: \([0-9]*\) .*/\1/p')
replay --topic deadletter --group "$RG" --from-beginning --yes
assert_eq "$RC" "0" "recorder group --from-beginning --yes: exit code"
grep -q "^total: $dlt messages to re-read" "$WORK/replay.out" || fail "recorder replay: $(total_line), want $dlt"

# ---- the second run re-reads everything and changes nothing
redis_cli --scan --pattern "it:ns8:*" | while read -r k; do redis_cli del "$k" >/dev/null; done # no fast path
start_worker c
start_recorder r2
wait_idle || fail "trade-submit did not catch up after the replay"
ordctl wait-idle --topic deadletter --group "$RG" --timeout 60 >/dev/null 2>&1 || fail "dlq-recorder did not catch up after the replay"
stop_worker c
stop_worker r2
consumed=$(exit_stat c consumed)
consumed=${consumed:-0}
r2c=$(exit_stat r2 consumed)
r2c=${r2c:-0}
log "trade-submit after the replay: $(grep 'msg=stats why=exit' "$WORK/c.log" | tail -1)"
log "dlq-recorder after the replay: $(grep 'msg=stats why=exit' "$WORK/r2.log" | tail -1)"
((consumed >= N)) || fail "trade-submit re-read $consumed messages, want >= $N"
assert_eq "$(exit_stat c processed)" "0" "trade-submit after the replay: nothing processed anew"
((consumed >= N)) && log "ok: trade-submit re-read $consumed messages (>= $N published)"
((${dlt:-0} > 0 && r2c >= dlt)) || fail "dlq-recorder re-read $r2c dead letters, want >= $dlt (> 0)"
assert_eq "$(exit_stat r2 processed)" "0" "dlq-recorder after the replay: no dead letter recorded anew"
assert_eq "$(snap)" "$before" "MySQL after the replay (raw trades, orders, lines, logs, customers, ledger, outbox, stock)"
assert_eq "$(dl_snap)" "$dl_before" "dead_letter rows after the replay"
assert_eq "$(dl_lines)" "$lines_before" "dead-letter text log lines after the replay"
assert_eq "$(md5sum <"$OF_DEADLETTER_LOG" 2>/dev/null || true)" "$md5_before" "dead-letter text log unchanged"
stock_check "after the replay"
