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
dl=$(ordctl dlq list 2>/dev/null)
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
