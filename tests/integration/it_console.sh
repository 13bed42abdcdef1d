#!/usr/bin/env bash
# it_console.sh -- the ops console (of-console) in headless Chromium (Debian's chromium driven by playwright-core,
# tests/browser/console.mjs): without the token 401 and the login form; with it the page shows the sample's numbers
# (orders by status equal to what SQL says, lag, ladder, flash jobs, sync conflicts, stock check, an explain search);
# a re-drive click re-drives exactly that dead letter (marked re-driven, the message back on trade.raw and
# processed); a screenshot is kept as a test artifact.
source "$(dirname "$0")/lib.sh"
it_ns 24

# the browser: Debian's chromium (scripts/setup.sh --with-browser) and playwright-core (tests/browser, npm ci)
if [[ ! -x /usr/bin/chromium ]]; then
  log "Debian's chromium is not installed: the console's browser test needs it; installing it now" \
    "(scripts/setup.sh --with-browser)"
  bash "$REPO/scripts/setup.sh" --with-browser >"$WORK/setup.out" 2>&1 || { cat "$WORK/setup.out"; die "chromium could not be installed"; }
fi
if [[ ! -f $REPO/tests/browser/node_modules/playwright-core/package.json ]]; then
  log "installing playwright-core into tests/browser (npm ci, package-lock.json)"
  (cd "$REPO/tests/browser" && npm ci --no-audit --no-fund >"$WORK/npm.out" 2>&1) || { cat "$WORK/npm.out"; die "npm ci in tests/browser failed"; }
fi

# the sample: catalogue (it_ns), the sample raw trades through of-trade-submit, one dead letter recorded in MySQL
start_worker a
OF_KAFKA_GROUP="$OF_KAFKA_GROUP-dlq" OF_DEADLETTER_LOG="$WORK/deadletter.log" "$BIN/of-dlq-recorder" >"$WORK/dlq.log" 2>&1 &
WORKERS+=("$!")
PID_dlq=$!
publish "$REPO/data/sample/raw_trades.jsonl"
# a trade for a shop not configured yet: a dead letter (unknown_ref) until the shop is added and it is re-driven
printf '{"platform_id":2,"shop_no":"console-shop","tid":"IT-CON-DL","trade_status":30,"pay_status":2,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","buyer_nick":"con-buyer","orders":[{"oid":"IT-CON-DL-1","status":30,"num":1,"price":"9.90","spec_no":"SKU-TEA-001"}]}\n' >"$WORK/dl.jsonl"
publish "$WORK/dl.jsonl"
wait_idle || fail "trade.raw not consumed"
for _ in $(seq 1 100); do [[ $(sql "SELECT COUNT(*) FROM dead_letter") == 1 ]] && break; sleep 0.1; done
assert_eq "$(sql "SELECT COUNT(*) FROM dead_letter WHERE reason = 'unknown_ref'")" "1" "one dead letter recorded"
dl=$(sql "SELECT id FROM dead_letter LIMIT 1")
sql "INSERT INTO cfg_shop (platform_id, shop_no, shop_name) VALUES (2, 'console-shop', 'console test shop')"
raw_before=$(ordctl events trade.raw 2>/dev/null | tail -1)
assert_eq "$raw_before" "events: 301" "messages on trade.raw before the re-drive"

# of-console on a free port, with a token from the environment
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token="it-console-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
OF_CONSOLE_TOKEN=$token OF_CONSOLE_PORT=$port OF_CONSOLE_REFRESH_S=5 "$BIN/of-console" >"$WORK/console.log" 2>&1 &
WORKERS+=("$!")
PID_console=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" "401" "no token: 401"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/")" \
  "200" "bearer token: 200"
"$BIN/of-console" --help >"$WORK/help.out" 2>&1 || fail "of-console --help exited non-zero"
grep -q 'The ops console' "$WORK/help.out" || fail "of-console --help does not describe it"

expect=$(sql "SELECT CONCAT('{', GROUP_CONCAT(CONCAT('\"', trade_status, '\":', n) ORDER BY trade_status), '}') FROM
              (SELECT trade_status, COUNT(*) n FROM sales_trade GROUP BY trade_status) x")
log "orders by status (SQL): $expect"
mkdir -p "$OF_STATE_DIR/artifacts"
shot="$OF_STATE_DIR/artifacts/console.png"
rm -f "$shot"
if ! (cd "$REPO/tests/browser" && CONSOLE_URL="http://127.0.0.1:$port" CONSOLE_TOKEN=$token SHOT=$shot \
  EXPECT_STATUS=$expect DL_ID=$dl SEARCH=TB2026112000001 timeout 180 node console.mjs) >"$WORK/browser.out" 2>&1; then
  fail "the browser checks"
fi
sed 's/^/  browser: /' "$WORK/browser.out"
[[ -s $shot ]] && log "screenshot kept: $shot" || fail "no screenshot at $shot"

# the re-drive did what the page said: exactly that dead letter, marked, its message back on trade.raw and processed
assert_eq "$(sql "SELECT CONCAT(redrive_count, ':', redriven_at IS NOT NULL) FROM dead_letter WHERE id = $dl")" "1:1" \
  "the dead letter is marked re-driven once"
assert_eq "$(ordctl events trade.raw 2>/dev/null | tail -1)" "events: 302" "the message is back on trade.raw"
wait_idle || fail "the re-driven message was not consumed"
assert_eq "$(sql "SELECT COUNT(*) FROM dead_letter")" "1" "no new dead letter (the shop is known now)"
assert_eq "$(sql "SELECT COUNT(*) FROM api_trade WHERE tid = 'IT-CON-DL'")" "1" "the re-driven trade is stored"
# processed: its submission ran (the new shop's goods are not mapped, so a rule stops it, with its reason)
assert_eq "$(sql "SELECT submit_rule FROM api_trade WHERE tid = 'IT-CON-DL'")" "SUB-MAP-09" \
  "the re-driven trade went through submission"
grep -q "msg=\"console re-drive\" id=$dl" "$WORK/console.log" || fail "the console logged the re-drive"
if grep -qF "$token" "$WORK/console.log"; then fail "the token appears in the console's log"; fi
stop_worker console
stop_worker dlq
stop_worker a
