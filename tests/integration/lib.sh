# lib.sh -- helpers for the integration tests (sourced). They run against the test stack that
# scripts/test.sh starts; each test takes its own topic namespace (nsN.) on the stack's Kafka, its own
# consumer group and Redis prefix, and starts from empty raw-trade tables (tests run one at a time).
set -euo pipefail
REPO=${OF_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${OF_BUILD_DIR:-$REPO/build-test}/bin
export OF_STATE_DIR=${OF_STATE_DIR:-$REPO/.state-test}
export OF_CONFIG=${OF_CONFIG:-$OF_STATE_DIR/stack.env}
export OF_STATS_INTERVAL_S=${OF_STATS_INTERVAL_S:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/of-it.XXXXXX")
WORKERS=()
FAILS=0

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
die() { log "FATAL: $*"; exit 1; }

# it_ns N: isolate this test in topic namespace nsN.
it_ns() {
  export OF_TOPIC_PREFIX="ns$1."
  export OF_REDIS_PREFIX="it:ns$1:"
  export OF_KAFKA_GROUP="it.ns$1.trade-submit"
  [[ -f $OF_CONFIG ]] || die "no $OF_CONFIG: run through scripts/test.sh (it starts the test stack)"
  reset_db
  redis_cli --scan --pattern "it:ns$1:*" | while read -r k; do redis_cli del "$k" >/dev/null; done
}

sql() { bash "$REPO/scripts/stack.sh" mysql -N -B -e "$1"; }
# admin SQL: as the database's root (socket authentication), for what the application's account may not do
admin() { mariadb --no-defaults --socket="$OF_STATE_DIR/mysql/mysqld.sock" -u "$(id -un)" -N -B orderfleet -e "$1"; }
redis_cli() {
  local port
  port=$(sed -n 's/^OF_REDIS_PORT=//p' "$OF_CONFIG")
  redis-cli -p "$port" "$@"
}
# reset_db: every table of the main database emptied (schema_migrations kept), then the sample catalogue
# loaded again: raw trades, orders, customers, refunds and stock counters start from the sample state.
reset_db() {
  local tables
  tables=$(sql "SELECT GROUP_CONCAT(CONCAT('TRUNCATE TABLE ', table_name) SEPARATOR '; ') FROM information_schema.tables
                WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'")
  sql "$tables"
  bash "$REPO/scripts/stack.sh" mysql <"$REPO/data/sample/catalogue.sql"
}
# stock_check: ordctl stock-check must pass (the reserved counters equal the open orders' lines)
stock_check() {
  if ordctl stock-check >"$WORK/stock-check.out" 2>&1; then
    log "ok: stock check ($1): $(tail -1 "$WORK/stock-check.out")"
  else
    fail "stock check ($1)"
    head -20 "$WORK/stock-check.out"
  fi
}
ordctl() { "$BIN/ordctl" "$@"; }

# start_worker NAME: of-trade-submit in the background, log in $WORK/NAME.log
start_worker() {
  local name=$1
  "$BIN/of-trade-submit" >"$WORK/$name.log" 2>&1 &
  WORKERS+=("$!")
  eval "PID_$name=$!"
  log "started trade-submit $name (pid $!)"
}

# start_modify NAME: of-trade-modify in the background (group <test group>-modify), log in $WORK/NAME.log;
# stop it with stop_worker NAME
start_modify() {
  local name=$1
  OF_KAFKA_GROUP="$OF_KAFKA_GROUP-modify" "$BIN/of-trade-modify" >"$WORK/$name.log" 2>&1 &
  WORKERS+=("$!")
  eval "PID_$name=$!"
  log "started trade-modify $name (pid $!)"
}
# start_sweep NAME: of-sweep in the background, log in $WORK/NAME.log; stop it with stop_worker NAME
start_sweep() {
  local name=$1
  "$BIN/of-sweep" >"$WORK/$name.log" 2>&1 &
  WORKERS+=("$!")
  eval "PID_$name=$!"
  log "started sweep $name (pid $!)"
}
wait_modified() { ordctl wait-idle --topic trade.changed --group "$OF_KAFKA_GROUP-modify" --timeout "${1:-120}" 2>/dev/null; }
# wait_for SQL WANT SECONDS [RUN]: until the query answers WANT (0), or SECONDS have passed (1); RUN runs it (sql)
wait_for() {
  local i run=${4:-sql}
  for ((i = 0; i < $3 * 10; i++)); do
    [[ "$("$run" "$1")" == "$2" ]] && return 0
    sleep 0.1
  done
  return 1
}
# send_version JSON: publish one version of a raw trade and wait until trade-submit and trade-modify consumed it
send_version() {
  printf '%s\n' "$1" >"$WORK/v.jsonl"
  publish "$WORK/v.jsonl"
  wait_idle || fail "trade.raw not consumed"
  wait_modified || fail "trade.changed not consumed"
}

# stop_worker NAME: SIGTERM, wait; a clean exit (0) with no sanitizer report is required
stop_worker() {
  local name=$1 pid rc=0
  eval "pid=\$PID_$name"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  if [[ $rc -ne 0 ]]; then fail "worker $name exited $rc on SIGTERM"; tail -20 "$WORK/$name.log"; fi
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/$name.log"; then
    fail "sanitizer report in $name's log"
    grep -A15 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/$name.log" | head -40
  fi
  grep -q 'msg=stats why=exit' "$WORK/$name.log" || fail "worker $name did not log its exit stats"
  # the tests' environment holds only configuration keys and the known non-key OF_* variables (of_config.c)
  if grep -q 'unknown configuration key' "$WORK/$name.log"; then
    fail "worker $name warned about an unknown key: $(grep -m1 'unknown configuration key' "$WORK/$name.log")"
  fi
}

kill9_worker() {
  local name=$1 pid
  eval "pid=\$PID_$name"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  log "killed $name with SIGKILL"
}

wait_idle() { ordctl wait-idle --topic "${1:-trade.raw}" --group "$OF_KAFKA_GROUP" --timeout "${2:-120}" 2>/dev/null; }
# publish FILE: exit 1 (some lines refused) is expected by some tests; anything else (a crash, a
# sanitizer report) fails the test
publish() {
  local rc=0
  ordctl publish-trades --quiet "$@" >"$WORK/publish.out" 2>&1 || rc=$?
  grep -v CONFWARN "$WORK/publish.out" || true
  [[ $rc -le 1 ]] || fail "ordctl publish-trades $* exited $rc"
  if grep -q Sanitizer "$WORK/publish.out"; then fail "sanitizer report from ordctl publish-trades"; fi
}

assert_eq() { # actual expected what
  if [[ "$1" == "$2" ]]; then log "ok: $3 = $1"; else fail "$3: got '$1', want '$2'"; fi
}

finish() {
  local rc=$?
  for p in "${WORKERS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $FAILS -gt 0 || $rc -ne 0 ]]; then
    log "logs kept in $WORK"
    exit 1
  fi
  rm -rf "$WORK"
  log "PASS"
}
trap finish EXIT

# exactly_once N TIDS WHAT: the N trades whose tids are in the file TIDS are each stored once and applied once
# (processed_event), no raw trade has two orders, every submitted raw trade has its order, one stock log row per
# reserved line, and the stock check passes (broker-loss tests).
exactly_once() {
  local n=$1 want=$2 what=$3
  assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade')" "$n" "raw trades stored"
  sql 'SELECT tid FROM api_trade' | sort >"$WORK/tids.got"
  assert_eq "$(comm -23 "$want" "$WORK/tids.got" | wc -l)" "0" "tids missing"
  assert_eq "$(uniq -d "$WORK/tids.got" | wc -l)" "0" "tids stored twice"
  assert_eq "$(sql 'SELECT COUNT(*) FROM processed_event')" "$n" "events applied (each once)"
  assert_eq "$(sql 'SELECT COUNT(*) FROM (SELECT raw_trade_id FROM sales_trade GROUP BY raw_trade_id HAVING COUNT(*) > 1) x')" \
    "0" "raw trades with two orders"
  assert_eq "$(sql 'SELECT COUNT(*) FROM api_trade WHERE process_status = 20 AND deliver_trade_id = 0')" "0" \
    "submitted raw trades without their order"
  assert_eq "$(sql 'SELECT COUNT(*) FROM stock_change_log')" \
    "$(sql 'SELECT COUNT(*) FROM sales_trade_order WHERE stock_reserved > 0')" "stock log rows (one per reserved line)"
  stock_check "$what"
}
