#!/usr/bin/env bash
# it_poison.sh -- issue 10 items 2 and 3: poison raw trades between good ones. A quantity or an amount past the
# documented limits (docs/raw-trade-format.md "Limits"), a trade without sub-orders, a NUL inside a protobuf
# string, invalid UTF-8, an encoded surrogate and a string longer than its column each become one dead letter
# naming the field; the sanitizer-built worker neither aborts nor loops on them, the good trades around them
# are stored and submitted, no amount is wrapped, the stock check is clean. The JSON adapter
# (ordctl publish-trades) refuses the same trades with the same reasons.
source "$(dirname "$0")/lib.sh"
# Namespaces ns1..ns17 belong to other tests: this test has its own topic set, group and Redis prefix.
export OF_TOPIC_PREFIX=poison. OF_REDIS_PREFIX=it:poison: OF_KAFKA_GROUP=it.poison.trade-submit
export OF_PLATFORM_NOW="2026-11-23 00:00:00"
[[ -f $OF_CONFIG ]] || die "no $OF_CONFIG: run through scripts/test.sh (it starts the test stack)"
ordctl topics create --quiet >/dev/null || die "ordctl topics create (prefix $OF_TOPIC_PREFIX)"
# the topics outlive a run: start the group at the end of its topic, so only this run's messages count
bash "$REPO/scripts/kafka.sh" consumer-groups --group "$OF_KAFKA_GROUP" --topic "${OF_TOPIC_PREFIX}trade.raw" \
  --reset-offsets --to-latest --execute >"$WORK/reset.out" 2>&1 || { cat "$WORK/reset.out"; die "group reset"; }
reset_db
redis_cli --scan --pattern 'it:poison:*' | while read -r k; do redis_cli del "$k" >/dev/null; done
RUN=$(date +%s%N | cut -c1-13)
BOUND=100000000000 # yuan: the amount limit; 10^15 in ten-thousandths

# ---------------------------------------------------------------- protobuf by hand (proto/trade.proto)
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
varint() {
  local n=$1 out=""
  while ((n >= 128)); do
    out+=$(printf '%02x' $(((n & 127) | 128)))
    n=$((n >> 7))
  done
  printf '%s%02x' "$out" "$n"
}
fv() { varint $(($1 << 3)); varint "$2"; }                          # fv FIELD VALUE: varint field
fb() { varint $((($1 << 3) | 2)); varint $((${#2} / 2)); printf '%s' "$2"; } # fb FIELD HEX: length-delimited
fs() { fb "$1" "$(hex "$2")"; }                                       # fs FIELD TEXT: string field
# pz_trade EVENT_ID TID SHOP_HEX RECEIVER_NAME_HEX GOODS_NAME_HEX: a good trade but for the three byte strings
pz_trade() {
  local o
  o=$(fs 1 "$2-1")$(fv 2 30)$(fs 4 JD-G2003)$(fs 5 JD-S2003-1)$(fs 6 G-TEA-003)$(fs 7 SKU-TEA-004)$(fb 8 "$5")
  o+=$(fs 9 357g茶饼)$(fv 11 2)$(fv 12 1580000)$(fv 16 3160000)$(fv 17 3160000)$(fv 20 2)$(fv 21 1580000)$(fv 22 3160000)
  printf '%s' "$(fb 1 "$(fs 1 "$1")")$(fv 2 2)$(fb 3 "$3")$(fs 4 "$2")$(fv 5 30)$(fv 6 2)$(fv 8 1)"
  printf '%s' "$(fs 9 '2026-11-20 10:00:00')$(fs 10 '2026-11-20 10:01:00')$(fs 11 '2026-11-20 10:01:00')$(fs 12 pz-buyer)"
  printf '%s' "$(fb 13 "$4")$(fs 14 18673752670)$(fs 16 上海)$(fs 17 上海市)$(fs 18 浦东新区)$(fs 19 世纪大道39号)"
  printf '%s' "$(fs 20 200120)$(fv 27 2)$(fv 28 1)$(fv 31 3160000)$(fv 32 3160000)$(fb 38 "$o")"
}
produce_hex() { ordctl produce-raw --topic trade.raw --key "2:pz-buyer" --hex "$1" >/dev/null 2>&1 || fail "produce-raw $2"; }

# ---------------------------------------------------------------- JSON lines
good() { # good TID [GOODS_ID SPEC_ID SPEC_NO NUM PRICE GOODS_COUNT]: one paid JD trade
  local tid=$1 gid=${2:-JD-G2003} sid=${3:-JD-S2003-1} sno=${4:-SKU-TEA-004} num=${5:-2} price=${6:-158.00}
  local count=${7:-${5:-2}}
  printf '{"platform_id":2,"shop_no":"jd-store","tid":"%s","trade_status":30,"pay_status":2,"refund_status":0,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","pay_time":"2026-11-20 10:01:00","modified":"2026-11-20 10:01:00","buyer_nick":"pz-buyer","receiver_name":"周刚","receiver_mobile":"18673752670","receiver_province":"上海","receiver_city":"上海市","receiver_district":"浦东新区","receiver_address":"世纪大道39号","receiver_zip":"200120","goods_count":%s,"goods_type_count":1,"receivable":"316.00","paid":"316.00","orders":[{"oid":"%s-1","status":30,"goods_id":"%s","spec_id":"%s","spec_no":"%s","goods_name":"云南普洱熟茶饼","spec_name":"357g茶饼","num":%s,"price":"%s","total_amount":"316.00","paid":"316.00","guarantee_mode":2}]}\n' \
    "$tid" "$count" "$tid" "$gid" "$sid" "$sno" "$num" "$price"
}
T=PZ$RUN
long=$(printf 'a%.0s' $(seq 1 256))
# the poison trades, expected reason (a fixed part naming the field) per trade
declare -A WANT=(
  [$T-QTY]='orders[0].num: 1200000000 is more than 1000000'
  [$T-AMT]="orders[0].price: 200000000000.0000 is more than $BOUND.0000"
  [$T-NOORD]='orders: at least one sub-order'
  [$T-LONG]='receiver_address: 256 characters, more than 255'
  [$T-NUL]='shop_no: contains a NUL byte at byte 8'
  [$T-UTF8]='orders[0].goods_name: not valid UTF-8 at byte 3'
  [$T-SURR]='receiver_name: not valid UTF-8 at byte 3'
)
{
  good "$T-QTY" JD-G2101 JD-S2101-1 SUITE-TEA-GIFT 1200000000 0.01 2 # suite: 1.2e9 × 2 components > INT_MAX
  good "$T-AMT" JD-G2101 JD-S2101-1 SUITE-TEA-GIFT 5000 200000000000.00 # price × num = 1e19 > INT64_MAX
  good "$T-NOORD" | sed 's/"orders":\[.*\]}$/"orders":[]}/'
  good "$T-LONG" | sed "s/世纪大道39号/$long/"
} >"$WORK/poison.jsonl"
# the same byte strings the protobuf messages below carry, as JSON (for the adapter)
{
  good "$T-NUL" | sed 's/"shop_no":"jd-store"/"shop_no":"jd-store\\u0000evil"/'
  good "$T-UTF8" | sed $'s/云南普洱熟茶饼/茶\xc0\xaf/'
  good "$T-SURR" | sed $'s/"receiver_name":"周刚"/"receiver_name":"周\xed\xa0\x80"/'
} >"$WORK/poison_bytes.jsonl"

# ---------------------------------------------------------------- the worker's side
start_worker a
good "$T-G1" >"$WORK/before.jsonl"
good "$T-G2" >>"$WORK/before.jsonl"
good "$T-G3" >"$WORK/after.jsonl"
good "$T-G4" >>"$WORK/after.jsonl"
ordctl dlq list --kafka --limit 1000000 2>/dev/null | grep '^dlq ' | sort >"$WORK/dl0" || true
publish "$WORK/before.jsonl"
produce_hex "$(pz_trade "pz-nul-$RUN" "$T-NUL" "$(hex jd-store)00$(hex evil)" "$(hex 周刚)" "$(hex 云南普洱熟茶饼)")" "NUL in shop_no"
produce_hex "$(pz_trade "pz-utf8-$RUN" "$T-UTF8" "$(hex jd-store)" "$(hex 周刚)" "$(hex 茶)c0af")" "overlong C0 AF"
produce_hex "$(pz_trade "pz-surr-$RUN" "$T-SURR" "$(hex jd-store)" "$(hex 周)eda080" "$(hex 云南普洱熟茶饼)")" "surrogate"
publish --no-validate "$WORK/poison.jsonl"
publish "$WORK/after.jsonl"
idle=1
for _ in $(seq 1 24); do # up to 2 minutes, but stop waiting at once when the worker is gone
  if wait_idle trade.raw 5; then idle=0; break; fi
  kill -0 "$PID_a" 2>/dev/null || break
done
if kill -0 "$PID_a" 2>/dev/null; then log "ok: worker alive after the poison"; else
  fail "worker died on the poison"
  grep -m3 -E 'runtime error|ERROR: AddressSanitizer' "$WORK/a.log" || tail -5 "$WORK/a.log"
fi
assert_eq "$idle" "0" "every message consumed (wait-idle exit)"

assert_eq "$(sql "SELECT GROUP_CONCAT(tid ORDER BY tid) FROM api_trade")" "$T-G1,$T-G2,$T-G3,$T-G4" \
  "only the good trades stored"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade a JOIN sales_trade s ON s.raw_trade_id = a.rec_id WHERE a.tid LIKE '$T-G%'")" \
  "4" "the good trades submitted"
ordctl dlq list --kafka --limit 1000000 2>/dev/null | grep '^dlq ' | sort >"$WORK/dl1" || true
comm -13 "$WORK/dl0" "$WORK/dl1" >"$WORK/dl"
cat "$WORK/dl"
assert_eq "$(wc -l <"$WORK/dl")" "${#WANT[@]}" "dead letters of this run"
for tid in "${!WANT[@]}"; do
  assert_eq "$(grep -F "reason=\"${WANT[$tid]}" "$WORK/dl" | grep -cF "class=validation attempts=1" || true)" "1" \
    "$tid: dead letter '${WANT[$tid]}'"
done
m=$((BOUND * 10000))
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade WHERE LEAST(goods_amount, post_amount, paid, cod_amount) < 0
                  OR GREATEST(goods_amount, post_amount, paid, cod_amount, ABS(discount)) > $BOUND")" "0" \
  "no order with a negative or wrapped amount"
assert_eq "$(sql "SELECT COUNT(*) FROM sales_trade_order WHERE LEAST(price, order_price, share_amount, paid, share_post) < 0
                  OR GREATEST(price, order_price, share_amount, paid, share_post, ABS(discount)) > $BOUND OR num > 1000000")" \
  "0" "no order line with a negative or wrapped amount"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade_order WHERE num > 1000000 OR price * num > $BOUND")" "0" \
  "no raw line past the limits ($m ten-thousandths)"
stock_check "after the poison"
stop_worker a
grep -q "deadlettered=${#WANT[@]}" "$WORK/a.log" || fail "deadlettered counter (want ${#WANT[@]})"

# ---------------------------------------------------------------- the adapter's side: same trades, same reasons
rc=0
ordctl publish-trades --quiet "$WORK/poison.jsonl" "$WORK/poison_bytes.jsonl" >"$WORK/adapter.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "ordctl publish-trades refuses (exit 1)"
grep -q Sanitizer "$WORK/adapter.out" && fail "sanitizer report from ordctl publish-trades"
assert_eq "$(grep -c ': refused: ' "$WORK/adapter.out" || true)" "${#WANT[@]}" "adapter: every poison line refused"
for tid in "${!WANT[@]}"; do
  # the dead letter's reason, in full, is the adapter's reason
  reason=$(grep -F "reason=\"${WANT[$tid]}" "$WORK/dl" | sed 's/.* reason="\(.*\)"$/\1/' | head -1) || true
  [[ -n $reason ]] || reason=${WANT[$tid]}
  assert_eq "$(grep -cF ": refused: $reason" "$WORK/adapter.out" || true)" "1" "adapter: $tid refused as '$reason'"
done
