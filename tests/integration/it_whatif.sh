#!/usr/bin/env bash
# it_whatif.sh -- ordctl what-if on the sample (issue 15, part 5): a no-op change changes nothing; raising SH-01 above
# BJ-01 among jd-store's warehouses moves exactly the jd-store trades the priority decides (derived below from the
# rules and the sample, not from the tool's output) and nothing else; changes outside the configuration and settings
# of other rules are refused; every table of the database is byte-for-byte the same afterwards (CHECKSUM TABLE) and
# no throw-away database is left.
source "$(dirname "$0")/lib.sh"
it_ns 26
source "$REPO/data/sample/expected_submit.sh" # fixes OF_PLATFORM_NOW (what-if decides at the same platform time)
publish "$REPO/data/sample/raw_trades.jsonl"
start_worker a
wait_idle || fail "trade-submit did not catch up"
stop_worker a
assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "300" "sample raw trades stored"

checksums() {
  local t
  for t in $(sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name"); do
    sql "CHECKSUM TABLE \`$t\` EXTENDED"
  done
}
whatif() { ordctl what-if --since 2026-11-01 "$@"; }

# 1. no-op changes: the same configuration on both sides decides the same; "before" is what trade-submit stored
whatif --set CFG_CHECK_STOCK=1 >"$WORK/noop.out" 2>&1 || fail "what-if --set (no-op) exited non-zero: $(tail -3 "$WORK/noop.out")"
grep -q '^orders whose decision would change: 0 of 300$' "$WORK/noop.out" || fail "a no-op --set changed decisions: $(grep changed -A8 "$WORK/noop.out")"
# "before" is what trade-submit stored, except where buyers raced for a stock tier (SUB-WH-06: trades of different
# buyers on different partitions; the replay takes arrival order): at most those orders, and only their warehouse
whatif --set CFG_CHECK_STOCK=1 --json >"$WORK/noop1.json" 2>"$WORK/noop1.err" || fail "what-if --set --json exited non-zero"
tiers=$(sql "SELECT COUNT(*) FROM sales_trade_trace WHERE JSON_SEARCH(decision_trace, 'one', 'SUB-WH-06') IS NOT NULL")
assert_eq "$(jq -r '.drift.stored' "$WORK/noop1.json")" "300" "stored decisions compared"
assert_eq "$(jq -r --argjson t "$tiers" '.drift.differ <= $t' "$WORK/noop1.json")" "true" "drift at most the stock-tier orders ($tiers)"
assert_eq "$(jq -r '[.drift.moves[].field] | unique | map(select(. != "warehouse")) | length' "$WORK/noop1.json")" "0" \
  "drift only in the warehouse: $(jq -c '.drift.moves' "$WORK/noop1.json")"
printf -- '-- same values again\nUPDATE cfg_shop_warehouse SET priority = priority;\nUPDATE cfg_warehouse SET name = name WHERE warehouse_id > 0;\n' >"$WORK/noop.sql"
whatif --sql "$WORK/noop.sql" --json >"$WORK/noop.json" 2>"$WORK/noop.err" || fail "what-if --sql (no-op) exited non-zero: $(cat "$WORK/noop.err")"
assert_eq "$(jq -r '[.trades, .changed] | join(" ")' "$WORK/noop.json")" "300 0" "no-op --sql: trades, changed"

# 2. the strategy change. With CFG_CHECK_STOCK off (set here, in the test's own database, before the checksums) the
# shop strategy takes the highest designation priority (SUB-WH-08), so stock cannot make the outcome depend on
# arrival order. jd-store (shop 2) designates BJ-01 (priority 20) and SH-01 (10); the change makes SH-01 30. It moves
# a jd-store trade exactly when the shop strategy decides between the two: no platform warehouse (SUB-WH-01), no
# CS-remark warehouse (北京仓, SUB-WH-12), jd-store has no goods designation (SUB-WH-02 off for the shop), and neither
# warehouse covers the receiver (SUB-WH-04 would take the one covering); stops come before the warehouse, so the
# trade is one trade-submit submitted. Logistics and fee stay: jd-store's shop logistics is SF whatever the warehouse,
# COD trades take EMS either way (SH-01's COD logistics, or CFG_COD_LOGISTICS_ID for BJ-01), and the fee depends on the
# logistics and the receiver, not the warehouse.
sql "UPDATE cfg_setting SET setting_value = '0' WHERE setting_key = 'CFG_CHECK_STOCK'"
sql "SELECT a.tid FROM api_trade a WHERE a.shop_id = 2 AND a.process_status = 20 AND a.warehouse_no = ''
       AND a.cs_remark NOT LIKE '%北京仓%'
       AND NOT EXISTS (SELECT 1 FROM cfg_shop_warehouse sw JOIN cfg_warehouse_area wa ON wa.warehouse_id = sw.warehouse_id
                       WHERE sw.shop_id = 2 AND wa.province = a.receiver_province AND (wa.city = '' OR wa.city = a.receiver_city))
     ORDER BY a.tid" >"$WORK/expected.tids"
n=$(wc -l <"$WORK/expected.tids")
log "jd-store trades the shop priority decides: $n"
[[ $n -gt 5 ]] || fail "the sample has too few such trades ($n) for the test to mean anything"

before=$(checksums)
printf 'UPDATE cfg_shop_warehouse SET priority = 30 WHERE shop_id = 2 AND warehouse_id = 1; -- SH-01 first\n' >"$WORK/change.sql"
whatif --sql "$WORK/change.sql" --per-order --json >"$WORK/change.json" 2>"$WORK/change.err" ||
  fail "what-if --sql exited non-zero: $(cat "$WORK/change.err")"
assert_eq "$(jq -r '.changed' "$WORK/change.json")" "$n" "orders whose decision changes"
assert_eq "$(jq -r '[.fields | to_entries[] | "\(.key)=\(.value)"] | join(",")' "$WORK/change.json")" \
  "stop=0,warehouse=$n,logistics=0,package=0,fee=0,status=0,preorder=0" "changed orders per field"
assert_eq "$(jq -r '[.moves[] | "\(.field) \(.from) -> \(.to): \(.count)"] | join(";")' "$WORK/change.json")" \
  "warehouse BJ-01 -> SH-01: $n" "the one transition"
jq -r '.orders[].tid' "$WORK/change.json" | sort >"$WORK/got.tids"
assert_eq "$(diff "$WORK/expected.tids" "$WORK/got.tids" >/dev/null && echo same || echo differ)" "same" "the changed tids are the expected ones"
assert_eq "$(jq -r '[.orders[] | "\(.changed | join(","))|\(.before.warehouse)|\(.after.warehouse)"] | unique | join(" ")' "$WORK/change.json")" \
  "warehouse|BJ-01|SH-01" "every changed order: warehouse BJ-01 -> SH-01 and nothing else"

# the text report and the explain of one moved trade (before: BJ-01 by SUB-WH-08; after: SH-01)
tid=$(head -1 "$WORK/expected.tids")
whatif --sql "$WORK/change.sql" --per-order --explain "$tid" >"$WORK/change.out" 2>&1 || fail "what-if (text) exited non-zero"
grep -q "^  warehouse BJ-01 -> SH-01: $n\$" "$WORK/change.out" || fail "the text report does not count the transition: $(grep -A3 '^changes' "$WORK/change.out")"
grep -q "^  $tid: warehouse BJ-01 -> SH-01\$" "$WORK/change.out" || fail "the text report does not list $tid"
sed -n "/^explain $tid, before/,/^explain $tid, after/p" "$WORK/change.out" | grep 'SUB-WH-08 .*decision .*warehouse 3 ' >/dev/null ||
  fail "the before trace does not show SUB-WH-08 choosing BJ-01"
sed -n "/^explain $tid, after/,\$p" "$WORK/change.out" | grep 'SUB-WH-08 .*decision .*warehouse 1 ' >/dev/null ||
  fail "the after trace does not show SUB-WH-08 choosing SH-01"
log "text report:"; sed -n '/^orders whose/,/^changes/p' "$WORK/change.out"

# a goods mapping: pdd-outlet's platform goods PDD-G3099 (SKU-PRE-099, unmatched in the sample) mapped by hand to
# spec 1. The trades SUB-MAP-09 stopped for it and for nothing else become submitted (a spec for a spec keeps the
# goods count of SUB-CNT-01); nothing else changes.
sql "SELECT a.tid FROM api_trade a WHERE a.submit_rule = 'SUB-MAP-09'
       AND EXISTS (SELECT 1 FROM api_trade_order o WHERE o.api_trade_id = a.rec_id AND o.is_invalid_goods = 1 AND o.goods_id = 'PDD-G3099')
       AND NOT EXISTS (SELECT 1 FROM api_trade_order o WHERE o.api_trade_id = a.rec_id AND o.is_invalid_goods = 1 AND o.goods_id <> 'PDD-G3099')
     ORDER BY a.tid" >"$WORK/mapped.tids"
m=$(wc -l <"$WORK/mapped.tids")
[[ $m -gt 0 ]] || fail "the sample has no trade stopped for PDD-G3099"
printf "UPDATE api_goods_spec SET match_target_type = 1, match_target_id = 1, is_manual_match = 1\n WHERE shop_id = 3 AND goods_id = 'PDD-G3099' AND spec_id = 'PDD-S3099-1';\n" >"$WORK/map.sql"
whatif --sql "$WORK/map.sql" --per-order --json >"$WORK/map.json" 2>"$WORK/map.err" || fail "what-if (mapping) exited non-zero: $(cat "$WORK/map.err")"
assert_eq "$(jq -r '[.changed, .fields.stop] | join(" ")' "$WORK/map.json")" "$m $m" "goods mapped: orders changed, of which stops"
assert_eq "$(jq -r '[.moves[] | "\(.field) \(.from) -> \(.to): \(.count)"] | join(";")' "$WORK/map.json")" \
  "stop stopped SUB-MAP-09 -> submitted: $m" "goods mapped: the transition"
jq -r '.orders[].tid' "$WORK/map.json" | sort >"$WORK/map-got.tids"
assert_eq "$(diff "$WORK/mapped.tids" "$WORK/map-got.tids" >/dev/null && echo same || echo differ)" "same" "goods mapped: the tids"

# 3. --set of a submission setting moves decisions too; keys of other rules are refused
whatif --set CFG_CHECK_STOCK=1 --json >"$WORK/set.json" 2>"$WORK/set.err" || fail "what-if --set exited non-zero: $(cat "$WORK/set.err")"
assert_eq "$(jq -r '.fields.stop' "$WORK/set.json")" "0" "stock check back on: no trade stops"
rc=0; whatif --set CFG_SPLIT_BY_WH=1 >"$WORK/refuse1.out" 2>&1 || rc=$?
assert_eq "$rc" "2" "--set of a sweep setting: exit"
grep -q 'not a setting the submission reads' "$WORK/refuse1.out" || fail "no reason for the refused --set: $(cat "$WORK/refuse1.out")"

# 4. statements that are not configuration changes are refused: before running (not DML), or by the server
printf 'UPDATE cfg_warehouse SET priority = 1;\nDROP TABLE cfg_shop;\n' >"$WORK/ddl.sql"
rc=0; whatif --sql "$WORK/ddl.sql" >"$WORK/refuse2.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "--sql with DROP TABLE: exit"
grep -q 'statement 2 is not INSERT, UPDATE, DELETE or REPLACE' "$WORK/refuse2.out" || fail "no reason for the refused DDL: $(cat "$WORK/refuse2.out")"
printf 'UPDATE cfg_warehouse SET priority = 1;\nUPDATE stock_spec SET stock_num = 0;\n' >"$WORK/stock.sql"
rc=0; whatif --sql "$WORK/stock.sql" >"$WORK/refuse3.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "--sql writing stock_spec: exit"
grep -q 'statement 2 writes a table that is not part of the configuration' "$WORK/refuse3.out" || fail "no reason for the refused write: $(cat "$WORK/refuse3.out")"

# 5. nothing real changed, nothing left behind
after=$(checksums)
assert_eq "$(diff <(echo "$before") <(echo "$after") >/dev/null && echo same || echo differ)" "same" "CHECKSUM TABLE of every table before and after"
assert_eq "$(sql "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name LIKE 'of\\_whatif%'")" "0" "throw-away databases left"
assert_eq "$(sql "SELECT setting_value FROM cfg_setting WHERE setting_key = 'CFG_CHECK_STOCK'")" "0" "the real setting kept"
# the pipe is quiet (no progress line), the help is there
grep -q 'decided 300 raw trades twice' "$WORK/change.out" || fail "no closing line in the text report"
if grep -q -e 'raw trades decided twice' -e $'\r' "$WORK/change.out"; then fail "progress written to a pipe"; fi
ordctl what-if --help | grep 'usage: ordctl what-if' >/dev/null || fail "ordctl what-if --help"
if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK"/*.out "$WORK"/*.err 2>/dev/null; then
  fail "sanitizer report from ordctl what-if"
fi
