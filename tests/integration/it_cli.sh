#!/usr/bin/env bash
# it_cli.sh -- every binary has --help; a bad configuration stops start-up naming the key; migrations are
# idempotent and refuse an applied file that was edited; docs tables match the code.
source "$(dirname "$0")/lib.sh"
for b in "$BIN"/of-* "$BIN/ordctl"; do
  "$b" --help >"$WORK/help" 2>&1 || fail "$(basename "$b") --help exits non-zero"
  grep -qi usage "$WORK/help" || fail "$(basename "$b") --help prints no usage"
done
log "ok: --help on $(ls "$BIN"/of-* "$BIN/ordctl" | wc -l) binaries"

rc=0; OF_MYSQL_PORT=notaport "$BIN/of-trade-submit" >"$WORK/o" 2>&1 || rc=$?
assert_eq "$rc" "78" "bad port: exit code"
grep -q 'OF_MYSQL_PORT=notaport: not an integer' "$WORK/o" || fail "bad port: message names the key ($(cat "$WORK/o"))"
rc=0; OF_KAFKA_BOOTSTRAP= OF_CONFIG= "$BIN/of-trade-submit" >"$WORK/o" 2>&1 || rc=$?
assert_eq "$rc" "78" "no bootstrap: exit code"
grep -q 'OF_KAFKA_BOOTSTRAP' "$WORK/o" || fail "no bootstrap: message names the key"
rc=0; OF_MYSQL_PASSWORD=wrong-password timeout 20 "$BIN/of-trade-submit" >"$WORK/o" 2>&1 || rc=$?
assert_eq "$rc" "1" "wrong database password: refuses to start"
grep -q 'database unavailable at start' "$WORK/o" || fail "wrong password: clear message"
if grep -q 'wrong-password' "$WORK/o"; then fail "the password appears in the log"; fi

out=$(ordctl migrate 2>&1)
assert_eq "$(grep -c '  0 applied' <<<"$out")" "3" "migrate twice: nothing applied"
cp -r "$REPO/schema" "$WORK/schema"
echo "-- edited" >>"$WORK/schema/main/001_raw_trade.sql"
rc=0; OF_SCHEMA_DIR=$WORK/schema ordctl migrate --db main >"$WORK/o" 2>&1 || rc=$?
assert_eq "$rc" "1" "edited applied migration: refused"
grep -q 'changed after it was applied' "$WORK/o" || fail "edited migration: reason"

ordctl topics >"$WORK/topics.md"
grep -qF -f "$WORK/topics.md" "$REPO/docs/topics.md" && diff <(grep '^|' "$REPO/docs/topics.md") "$WORK/topics.md" >/dev/null ||
  fail "docs/topics.md is out of date: run make docs"
ordctl config >"$WORK/config.md"
diff <(grep '^|' "$REPO/docs/config.md") "$WORK/config.md" >/dev/null || fail "docs/config.md is out of date: run make docs"
