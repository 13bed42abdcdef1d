#!/usr/bin/env bash
# it_cli.sh -- every binary has --help; a bad configuration stops start-up naming the key; migrations are
# idempotent and refuse an applied file that was edited; docs tables match the code; the friendly edges: an unknown
# OF_* name warns with the nearest key, publish-trades reads - and refuses a directory or a missing path, progress
# shows on a terminal only, summary names the statuses.
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

# an unknown OF_* name warns at start-up, naming its source and the nearest key, in a worker and in ordctl; the
# scripts' own OF_* variables do not
# (an unknown database ends the start at once: a configuration error; a closed port is waited for, D-RT-14)
rc=0; OF_SWEEP_BATCHH=3 OF_MYSQL_DB=it_no_such_db timeout 20 "$BIN/of-sweep" >"$WORK/o" 2>&1 || rc=$?
assert_eq "$rc" "1" "of-sweep with an unknown database: exit code"
grep -q 'msg="unknown configuration key, ignored" key=OF_SWEEP_BATCHH source=environment nearest=OF_SWEEP_BATCH' \
  "$WORK/o" || fail "worker: no warning with the nearest key ($(head -3 "$WORK/o"))"
printf 'OF_REDIS_PROT=1\n' >"$WORK/typo.env"
cat "$OF_CONFIG" >>"$WORK/typo.env"
OF_CONFIG=$WORK/typo.env OF_TEST_FAILPOINT= OF_FLEET_SWEEP=2 OF_MERCHANT_9_SECRET=x ordctl topics check >"$WORK/o" 2>&1 ||
  fail "ordctl topics check with an unknown key in the file"
grep -q "key=OF_REDIS_PROT source=$WORK/typo.env:1 nearest=OF_REDIS_PORT" "$WORK/o" ||
  fail "ordctl: no warning for the file's unknown key ($(head -3 "$WORK/o"))"
assert_eq "$(grep -c 'unknown configuration key' "$WORK/o")" "1" "warnings (the non-key OF_* variables stay quiet)"

# publish-trades: - is standard input; a directory or a missing path is an error naming it, nothing published
it_ns 13
published() { ordctl summary 2>/dev/null | sed -n 's/^trades published (messages on ns13.trade.raw): //p'; }
before=$(published)
rc=0; ordctl publish-trades "$REPO/data/sample" >"$WORK/o" 2>&1 || rc=$?
assert_eq "$rc" "2" "publish-trades DIRECTORY: exit code"
grep -q "$REPO/data/sample: is a directory" "$WORK/o" || fail "publish-trades DIRECTORY: message ($(cat "$WORK/o"))"
if grep -q 'published=' "$WORK/o"; then fail "publish-trades DIRECTORY printed a result"; fi
rc=0; ordctl publish-trades "$REPO/data/sample/raw_trades.jsonl" "$WORK/nothing.jsonl" >"$WORK/o" 2>&1 || rc=$?
assert_eq "$rc" "2" "publish-trades MISSING: exit code"
grep -q "$WORK/nothing.jsonl: No such file or directory" "$WORK/o" || fail "publish-trades MISSING: message"
assert_eq "$(published)" "$before" "trades on ns13.trade.raw after the refused paths"
if [[ $(id -u) != 0 ]]; then # root reads anything
  cp "$REPO/data/sample/raw_trades.jsonl" "$WORK/locked.jsonl" && chmod 000 "$WORK/locked.jsonl"
  rc=0; ordctl publish-trades "$WORK/locked.jsonl" >"$WORK/o" 2>&1 || rc=$?
  assert_eq "$rc" "2" "publish-trades UNREADABLE: exit code"
  grep -q "$WORK/locked.jsonl: Permission denied" "$WORK/o" || fail "publish-trades UNREADABLE: message"
fi
head -5 "$REPO/data/sample/raw_trades.jsonl" | ordctl publish-trades - >"$WORK/o" 2>"$WORK/e" ||
  fail "publish-trades - exited non-zero ($(cat "$WORK/e"))"
grep -q '^published=5 refused=0 lines=5 ' "$WORK/o" || fail "publish-trades -: $(cat "$WORK/o")"
# progress: none when stderr is a pipe or a file, a line redrawn in place (\r) on a terminal (script(1) gives one)
if [[ -s $WORK/e ]]; then fail "publish-trades printed to a piped stderr: $(cat -A "$WORK/e" | head -3)"; fi
script -qec "$BIN/ordctl publish-trades $REPO/data/sample/raw_trades.jsonl >$WORK/tty.out" /dev/null >"$WORK/tty" 2>&1 ||
  fail "publish-trades under a terminal"
grep -q $'\rordctl publish-trades: .*raw_trades.jsonl: [0-9]* published' "$WORK/tty" ||
  fail "publish-trades shows no progress on a terminal ($(cat -A "$WORK/tty" | head -3))"
grep -q '^published=' "$WORK/tty.out" || fail "publish-trades under a terminal: no result on stdout"
ordctl replay --topic trade.raw --group it.ns13.none --from-beginning >"$WORK/o" 2>"$WORK/e" || fail "replay dry run"
if [[ -s $WORK/e ]]; then fail "replay printed to a piped stderr: $(head -3 "$WORK/e")"; fi
script -qec "$BIN/ordctl replay --topic trade.raw --group it.ns13.none --from-beginning >/dev/null" /dev/null \
  >"$WORK/tty" 2>&1 || fail "replay under a terminal"
grep -q $'\rordctl replay: reading the watermarks of ns13.trade.raw' "$WORK/tty" ||
  fail "replay shows no progress on a terminal ($(cat -A "$WORK/tty" | head -3))"

# summary names the statuses: the sample's trades, submitted, are counted under their code and name
start_worker cli
wait_idle trade.raw 120 || fail "trade-submit did not take the sample"
stop_worker cli
ordctl summary >"$WORK/summary.out" 2>&1 || true
grep -qE '^ +10 unpaid: [0-9]+$' "$WORK/summary.out" || fail "summary: no named status 10 ($(grep -A6 'system orders' "$WORK/summary.out"))"
grep -qE '^ +20 pre-audit processing: [0-9]+$' "$WORK/summary.out" || fail "summary: no named status 20"

# the systemd units (deploy/systemd) pass systemd-analyze verify, one instance of every worker type
if command -v systemd-analyze >/dev/null; then
  bash "$REPO/deploy/systemd/install.sh" --unit-dir "$WORK/units" --bindir "$BIN" >/dev/null || fail "deploy/systemd/install.sh"
  for u in "$WORK"/units/of-*@.service; do cp "$u" "${u%@.service}@1.service"; done
  systemd-analyze verify --man=no "$WORK"/units/of-*@1.service "$WORK/units/orderfleet.target" >"$WORK/verify" 2>&1 ||
    fail "systemd-analyze verify failed"
  assert_eq "$(ls "$WORK"/units/of-*@1.service | wc -l)" "11" "unit templates installed (every worker type, console included)"
  if [[ -s $WORK/verify ]]; then fail "systemd-analyze verify: $(head -5 "$WORK/verify")"; fi
else
  log "systemd-analyze not installed: unit files not verified"
fi
