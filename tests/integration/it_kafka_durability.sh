#!/usr/bin/env bash
# it_kafka_durability.sh -- the whole stack (MariaDB, Redis, Kafka) stopped with `stack.sh down` and started
# again with `up` while a consumer group is half way through trade.raw: Kafka keeps every message (same log
# start and end offsets, same records) and the group's committed offsets exactly; Redis comes back empty, so
# only MySQL guards against doubles. The worker started again resumes at the committed offsets (no replay)
# and every trade is processed exactly once, with the outcome of a clean run.
source "$(dirname "$0")/lib.sh"
it_ns 9
source "$REPO/data/sample/expected_submit.sh" # OF_PLATFORM_NOW fixed; EXPECTED_OUTCOME
SAMPLE=$REPO/data/sample/raw_trades.jsonl
lines=$(grep -c . "$SAMPLE")
TOPIC=${OF_TOPIC_PREFIX}trade.raw
# A group of its own, started at the topic's end: messages left on the topic by earlier runs on the same stack
# (data survives down/up) are not part of this run.
export OF_KAFKA_GROUP="it.ns9.durability.$(date +%s).$$"
export OF_BATCH_SIZE=10 # small transactions, so the stop lands between them

kafka() { bash "$REPO/scripts/kafka.sh" "$@" 2>>"$WORK/kafka-tools.err"; }
# "topic:partition:offset ..." on one line, by partition; $1 = -2: the log start offsets (default: the end)
offsets() { kafka get-offsets --topic "$TOPIC" ${1:+--time "$1"} | sort -t: -k2n | paste -sd' '; }
sum3() { tr ' ' '\n' | awk -F: 'NF {s += $NF} END {print s + 0}'; }
# committed offsets of our group on TOPIC, "partition:offset" per line (from Kafka's own tool)
committed() {
  kafka consumer-groups --describe --group "$OF_KAFKA_GROUP" | awk -v t="$TOPIC" '$2 == t {print $3 ":" $4}' | sort -n | paste -sd' '
}
# every record of the topic from the beginning (partition, offset, key, value), as a count and a checksum;
# it stops after the number of records the offsets promise (or 10 s without one)
records() {
  local total=$(($(sum3 <<<"$(offsets)") - $(sum3 <<<"$(offsets -2)")))
  kafka console-consumer --topic "$TOPIC" --from-beginning --max-messages "$total" --timeout-ms 10000 \
    --group "it.ns9.reader.$RANDOM$$" \
    --property print.partition=true --property print.offset=true --property print.key=true >"$WORK/records.$1" || true
  printf '%s %s\n' "$(grep -c '^Partition:' "$WORK/records.$1")" "$(LC_ALL=C sort "$WORK/records.$1" | md5sum | cut -c1-32)"
}
pids() { printf '%s %s %s' "$(cat "$OF_STATE_DIR/run/mysqld.pid")" "$(cat "$OF_STATE_DIR/run/redis.pid")" "$(cat "$OF_STATE_DIR/run/kafka-1.pid")"; }

kafka consumer-groups --group "$OF_KAFKA_GROUP" --topic "$TOPIC" --reset-offsets --to-latest --execute >/dev/null
base=$(offsets)
publish "$SAMPLE"
ends=$(offsets)
assert_eq "$(($(sum3 <<<"$ends") - $(sum3 <<<"$base")))" "$lines" "messages published to $TOPIC"

start_worker a
for _ in $(seq 1 600); do
  [[ $(sql 'SELECT COUNT(*) FROM api_trade') -ge 100 ]] && break
  sleep 0.05
done
stop_worker a # SIGTERM: the batch in hand is finished, its offsets committed, the group left
stored=$(sql 'SELECT COUNT(*) FROM api_trade')
log "stored when the worker stopped: $stored of $lines"
[[ $stored -gt 0 && $stored -lt $lines ]] || fail "the stop did not land mid-run ($stored of $lines stored)"

before=$(committed)
log "committed before the restart: $before"
[[ $(wc -w <<<"$before") -eq $(wc -w <<<"$ends") && $before != *-* ]] || fail "not every partition has a committed offset: $before"
# what the group committed is exactly what was applied: committed - start of this run = processed events
assert_eq "$(($(sum3 <<<"$before") - $(sum3 <<<"$base")))" "$(sql 'SELECT COUNT(*) FROM processed_event')" \
  "messages committed by the group (= events applied)"
starts=$(offsets -2)
rec_before=$(records before)
log "records on the topic before the restart: ${rec_before% *}"
db_before=$(sql 'SELECT CONCAT_WS(" ", (SELECT COUNT(*) FROM api_trade), (SELECT COUNT(*) FROM processed_event), (SELECT COUNT(*) FROM sales_trade))')

log "stack down, then up"
pids_before=$(pids)
# up starts each component on the given port (the recorded ones go with down): keep this stack's ports
mport=$(cat "$OF_STATE_DIR/run/mysql.port") rport=$(cat "$OF_STATE_DIR/run/redis.port") kport=$(cat "$OF_STATE_DIR/run/kafka.port")
bash "$REPO/scripts/stack.sh" down >"$WORK/down.out" 2>&1 || { cat "$WORK/down.out"; die "stack.sh down failed"; }
sed 's/^/  /' "$WORK/down.out"
grep -q 'kafka: node 1 stopped (SIGTERM' "$WORK/down.out" || fail "Kafka did not stop cleanly"
OF_MYSQL_PORT=$mport OF_REDIS_PORT=$rport OF_KAFKA_PORT=$kport OF_BUILD_DIR=${BIN%/bin} \
  bash "$REPO/scripts/stack.sh" up >"$WORK/up.out" 2>&1 || { cat "$WORK/up.out"; die "stack.sh up failed"; }
grep -E 'started|running \(' "$WORK/up.out" | sed 's/^/  /'
pids_after=$(pids)
read -r m1 r1 k1 <<<"$pids_before"
read -r m2 r2 k2 <<<"$pids_after"
[[ $m1 != "$m2" && $r1 != "$r2" && $k1 != "$k2" ]] || fail "not every component was restarted (pids $pids_before -> $pids_after)"
assert_eq "$(redis_cli dbsize)" "0" "Redis keys after the restart (no persistence: the dedupe keys are gone)"

assert_eq "$(offsets)" "$ends" "log end offsets after the restart"
assert_eq "$(offsets -2)" "$starts" "log start offsets after the restart"
assert_eq "$(records after)" "$rec_before" "records on the topic after the restart (count, checksum)"
assert_eq "$(committed)" "$before" "committed offsets after the restart"
assert_eq "$(sql 'SELECT CONCAT_WS(" ", (SELECT COUNT(*) FROM api_trade), (SELECT COUNT(*) FROM processed_event), (SELECT COUNT(*) FROM sales_trade))')" \
  "$db_before" "raw trades, events applied, orders after the restart"

start_worker b
wait_idle || fail "the worker did not catch up after the restart"
stop_worker b
consumed=$(grep 'msg=stats why=exit' "$WORK/b.log" | sed -E 's/.* consumed=([0-9]+).*/\1/')
assert_eq "$consumed" "$((lines - ($(sum3 <<<"$before") - $(sum3 <<<"$base"))))" \
  "messages consumed after the restart (from the committed offsets, no replay)"
assert_eq "$(($(sum3 <<<"$(committed)") - $(sum3 <<<"$base")))" "$lines" "messages committed at the end"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$lines" "raw trades stored"
assert_eq "$(sql 'SELECT COUNT(DISTINCT platform_id, tid) FROM api_trade')" "$lines" "distinct raw trades stored"
assert_eq "$(sql 'SELECT COUNT(*) FROM processed_event')" "$lines" "each event applied once"
assert_eq "$(sql 'SELECT COUNT(*) FROM (SELECT raw_trade_id FROM sales_trade GROUP BY raw_trade_id HAVING COUNT(*) > 1) x')" \
  "0" "no raw trade with two orders"
assert_eq "$(sql 'SELECT COUNT(*) FROM stock_change_log')" "$(sql 'SELECT COUNT(*) FROM sales_trade_order WHERE stock_reserved > 0')" \
  "one stock log row per reserved line"
outcome=$(sql "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM sales_trade), (SELECT COUNT(*) FROM sales_trade_order),
        (SELECT GROUP_CONCAT(CONCAT(trade_status, ':', n) ORDER BY trade_status) FROM (SELECT trade_status, COUNT(*) n FROM sales_trade GROUP BY trade_status) x),
        (SELECT CONCAT_WS(',', SUM(unpay_num), SUM(order_num), SUM(subscribe_num)) FROM stock_spec))")
assert_eq "$outcome" "$EXPECTED_OUTCOME" "outcome (orders, lines, statuses, reserved stock) = a clean run's"
stock_check "after the restart"
