#!/usr/bin/env bash
# it_ingest.sh -- sample raw trades published -> stored once with exact values; replays change nothing
# (Redis fast path, then with Redis forgotten, processed_event); the worker shuts down cleanly.
source "$(dirname "$0")/lib.sh"
it_ns 1
SAMPLE=$REPO/data/sample/raw_trades.jsonl
lines=$(grep -c . "$SAMPLE")
orders=$(grep -o '"oid"' "$SAMPLE" | wc -l)

start_worker a
publish "$SAMPLE"
wait_idle || fail "trade-submit did not catch up"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$lines" "raw trades stored"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade_order')" "$orders" "sub-orders stored"
assert_eq "$(sql 'SELECT COUNT(DISTINCT platform_id, tid) FROM api_trade')" "$lines" "distinct trades"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade WHERE modify_flag <> 0')" "0" "first versions raise no modify_flag"
assert_eq "$(sql 'SELECT COUNT(*) FROM processed_event')" "$lines" "processed events"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade t JOIN cfg_shop s ON s.shop_id = t.shop_id AND s.shop_no = t.shop_no")" "$lines" "every trade resolved to its shop"

# exact values of the first line, field by field (money as exact decimals)
first=$(head -1 "$SAMPLE")
tid=$(sed -E 's/.*"tid":"([^"]*)".*/\1/' <<<"$first")
paid=$(sed -E 's/.*"receivable":"[^"]*","paid":"([^"]*)".*/\1/' <<<"$first")
got=$(sql "SELECT paid FROM api_trade WHERE tid = '$tid'")
assert_eq "$(awk -v a="$got" -v b="$paid" 'BEGIN{print (a+0 == b+0) ? "same" : a" vs "b}')" "same" "paid of $tid"
assert_eq "$(sql "SELECT trade_status FROM api_trade WHERE tid = '$tid'")" \
  "$(sed -E 's/.*"trade_status":([0-9]+).*/\1/' <<<"$first")" "trade_status of $tid"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade_order WHERE tid = '$tid'")" \
  "$(grep -o '"oid"' <<<"$first" | wc -l)" "sub-orders of $tid"

# replay: the same file again -> nothing new (Redis fast path)
v_before=$(sql 'SELECT SUM(version) FROM api_trade')
publish "$SAMPLE"
wait_idle || fail "replay not consumed"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$lines" "raw trades after replay"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade_order')" "$orders" "sub-orders after replay"
assert_eq "$(sql 'SELECT SUM(version) FROM api_trade')" "$v_before" "no row rewritten by the replay"

# replay with Redis forgotten -> processed_event recognises every event
redis_cli --scan --pattern "$OF_REDIS_PREFIX*" | while read -r k; do redis_cli del "$k" >/dev/null; done
publish "$SAMPLE"
wait_idle || fail "second replay not consumed"
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$lines" "raw trades after replay without Redis keys"
assert_eq "$(sql 'SELECT SUM(version) FROM api_trade')" "$v_before" "no row rewritten (processed_event)"
assert_eq "$(ordctl events trade.changed 2>/dev/null | tail -1)" "events: 0" "no change events from replays"
assert_eq "$(ordctl dlq list --kafka 2>/dev/null | tail -1)" "dead letters: 0 shown of 0" "no dead letters"
grep -q 'duplicate=' "$WORK/a.log" || true
stop_worker a
dups=$(grep 'msg=stats why=exit' "$WORK/a.log" | sed -E 's/.* duplicate=([0-9]+).*/\1/')
assert_eq "$dups" "$((2 * lines))" "replays counted as duplicates"
