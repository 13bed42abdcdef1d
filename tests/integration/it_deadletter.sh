#!/usr/bin/env bash
# it_deadletter.sh -- garbage bytes, invalid trades and an unknown shop become dead letters with the
# reason (original bytes kept), while the good messages around them keep flowing.
source "$(dirname "$0")/lib.sh"
it_ns 3
good() { # good TID BUYER
  printf '{"platform_id":2,"shop_no":"jd-store","tid":"%s","trade_status":30,"pay_status":2,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","buyer_nick":"%s","orders":[{"oid":"%s-1","status":30,"num":1,"price":"9.90","spec_no":"SKU-TEA-001"}]}\n' "$1" "$2" "$1"
}
start_worker a
# all on one buyer key = one partition, so the bad ones sit between the good ones
good IT-DL-1 dl-buyer >"$WORK/a.jsonl"
publish "$WORK/a.jsonl"
ordctl produce-raw --topic trade.raw --key "2:dl-buyer" --hex "deadbeef00ff17" 2>/dev/null || fail "produce garbage"
ordctl produce-raw --topic trade.raw --key "2:dl-buyer" --text '{"tid":"not protobuf"}' 2>/dev/null || fail "produce json"
sed 's/"num":1/"num":-3/; s/IT-DL-1/IT-DL-BAD/g' "$WORK/a.jsonl" >"$WORK/neg.jsonl"
publish --no-validate "$WORK/neg.jsonl"
sed 's/jd-store/no-such-shop/; s/IT-DL-1/IT-DL-SHOP/g' "$WORK/a.jsonl" >"$WORK/shop.jsonl"
publish "$WORK/shop.jsonl"
good IT-DL-2 dl-buyer >"$WORK/b.jsonl"
publish "$WORK/b.jsonl"
wait_idle || fail "not consumed"

assert_eq "$(sql "SELECT GROUP_CONCAT(tid ORDER BY tid) FROM api_trade")" "IT-DL-1,IT-DL-2" "good trades stored around the bad ones"
dl=$(ordctl dlq list --kafka 2>/dev/null)
echo "$dl"
assert_eq "$(tail -1 <<<"$dl")" "dead letters: 4 shown of 4" "dead letters"
# both the garbage bytes and the JSON text are "not a RawTrade protobuf message"
assert_eq "$(grep -c 'class=decode.*bytes=7 reason="value is not a RawTrade protobuf message"' <<<"$dl")" "1" "garbage bytes: decode, original 7 bytes kept"
assert_eq "$(grep -c 'class=decode.*bytes=22 ' <<<"$dl")" "1" "JSON instead of protobuf: decode, original 22 bytes kept"
assert_eq "$(grep -cE 'class=(decode|validation)' <<<"$dl")" "3" "decode/validation letters"
assert_eq "$(grep -c 'reason="orders\[0\].num: -3 is negative"' <<<"$dl")" "1" "negative quantity: validation with reason"
assert_eq "$(grep -c 'class=unknown_ref.*unknown shop: platform_id=2 shop_no=no-such-shop' <<<"$dl")" "1" "unknown shop"
kill -0 "$PID_a" 2>/dev/null || fail "worker died on bad input"
stop_worker a
grep -q 'deadlettered=4' "$WORK/a.log" || fail "deadlettered counter"
# the worker's dead-letter lines name what they could read: the trade (event id, tid) or nothing
assert_eq "$(grep -c 'msg=dead-lettered.*event_id=[^-][^ ]* tid=IT-DL-BAD class=validation' "$WORK/a.log")" "1" \
  "negative quantity: its log line names the event id and the tid"
assert_eq "$(grep -c 'msg=dead-lettered.*event_id=[^-][^ ]* tid=IT-DL-SHOP class=unknown_ref' "$WORK/a.log")" "1" \
  "unknown shop: its log line names the event id and the tid"
assert_eq "$(grep -c 'msg=dead-lettered.*event_id=- ref=- class=decode' "$WORK/a.log")" "2" \
  "undecodable: nothing to name (event_id=- ref=-)"
# D-DLQ-3: the dead letters carry it too
dl=$(ordctl dlq list --kafka --about tid:IT-DL-SHOP 2>/dev/null)
assert_eq "$(tail -1 <<<"$dl")" "dead letters: 1 shown of 4" "dlq list --kafka --about tid:IT-DL-SHOP: one of the four"
assert_eq "$(grep -c 'about=tid:IT-DL-SHOP event_id=[^-].* class=unknown_ref' <<<"$dl")" "1" \
  "dlq list --kafka --about tid:IT-DL-SHOP: the unknown shop's dead letter"
assert_eq "$(ordctl dlq list --kafka --about TID:it-dl-shop 2>/dev/null | tail -1)" "dead letters: 1 shown of 4" \
  "--about ignores letter case, as the schema compares tids (D-T10-56)"
assert_eq "$(ordctl dlq list --kafka 2>/dev/null | grep -c 'about=- event_id=- class=decode')" "2" "undecodable: about=- event_id=-"

# A trade the database refuses, in the middle of one batch: only it is dead-lettered (class permanent),
# the trades before and after it in the same transaction are stored (regression: the ones applied before
# it were once skipped by the one-by-one fallback and lost).
sql "ALTER TABLE api_trade ADD CONSTRAINT it_poison CHECK (tid <> 'IT-POISON')"
: >"$WORK/batch.jsonl"
for i in 1 2 3; do good "IT-B-$i" dl2-buyer >>"$WORK/batch.jsonl"; done
good IT-POISON dl2-buyer >>"$WORK/batch.jsonl"
for i in 4 5; do good "IT-B-$i" dl2-buyer >>"$WORK/batch.jsonl"; done
publish "$WORK/batch.jsonl" # worker stopped: the six arrive in one batch
# and a message near the broker's size limit: its dead letter keeps the first 900 KiB
head -c 972800 /dev/urandom >"$WORK/big.bin"
ordctl produce-raw --topic trade.raw --key "2:dl3-buyer" --file "$WORK/big.bin" 2>/dev/null || fail "produce big"
OF_BATCH_WAIT_MS=200 start_worker b # one batch even if the fetch comes in parts
wait_idle || fail "batch not consumed"
sql "ALTER TABLE api_trade DROP CONSTRAINT it_poison"
assert_eq "$(sql "SELECT GROUP_CONCAT(tid ORDER BY tid) FROM api_trade WHERE tid LIKE 'IT-B-%'")" \
  "IT-B-1,IT-B-2,IT-B-3,IT-B-4,IT-B-5" "the poison's batch-mates stored"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade WHERE tid = 'IT-POISON'")" "0" "the refused trade not stored"
assert_eq "$(sql "SELECT COUNT(*) FROM processed_event WHERE event_id IN (SELECT last_event_id FROM api_trade WHERE tid LIKE 'IT-B-%')")" \
  "5" "batch-mates recorded as processed"
dl=$(ordctl dlq list --kafka 2>/dev/null)
assert_eq "$(grep -c 'class=permanent.*reason="database refused the trade: .*it_poison' <<<"$dl")" "1" "refused trade: permanent, with the database's reason"
assert_eq "$(grep -c 'class=decode.*bytes=921600 reason=".*original truncated: 921600 of 972800 bytes kept' <<<"$dl")" "1" \
  "oversized message: dead letter with the original cut to 900 KiB"
stop_worker b
