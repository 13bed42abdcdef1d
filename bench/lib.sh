# bench/lib.sh -- helpers the benchmark scripts share (sourced from the repository root, OF_STATE_DIR set).

# admin SQL: run SQL on the bench stack's main database as the unix-socket admin account (no password).
admin() { mariadb --no-defaults --socket="$OF_STATE_DIR/mysql/mysqld.sock" --user="$(id -un)" orderfleet -N -B -e "$1"; }

# reset_db: every table of the main database emptied (schema_migrations kept), then the sample catalogue loaded.
reset_db() {
  local tables
  tables=$(admin "SELECT GROUP_CONCAT(CONCAT('TRUNCATE TABLE ', table_name) SEPARATOR '; ') FROM information_schema.tables
                  WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'")
  admin "$tables"
  bash scripts/stack.sh mysql <data/sample/catalogue.sql
}

# figures: peak RSS of a pid (kB), wall time, elapsed seconds, a rate, a ratio (n/a without a base)
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else printf "n/a" }'; }

# stock_check NAME: ordctl stock-check must pass (output in $WORK/stock-check.NAME.out; the check reads every order
# line in one query, longer than the default read timeout on large runs); needs ordctl, say, die and WORK
stock_check() {
  if OF_MYSQL_CONNECT_TIMEOUT_S=300 ordctl stock-check >"$WORK/stock-check.$1.out" 2>&1; then
    say "    stock check ($1): $(tail -1 "$WORK/stock-check.$1.out")"
  else
    head -20 "$WORK/stock-check.$1.out" >&2
    die "stock check failed after $1"
  fi
}

# Background processes of a bench run: PIDS holds them; bench_cleanup (the EXIT trap) stops them and purges the
# bench stack unless KEEP=1 or the run did not finish (DONE=0: left up for inspection); bench_stop_all stops them
# now and fails the run if one did not exit 0. BENCH_NAME names the script in messages.
PIDS=()
DONE=0
KEEP=${KEEP:-0}
bench_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if ((KEEP == 0 && DONE == 1)); then bash scripts/stack.sh down --purge >/dev/null 2>&1 || true; fi
  ((DONE == 1)) || echo "$BENCH_NAME: stack left up for inspection ($OF_STATE_DIR; scripts/stack.sh down --purge)" >&2
}
bench_stop_all() {
  local p rc
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    rc=0
    wait "$p" || rc=$?
    ((rc == 0)) || die "process $p exited with $rc (see $WORK/*.log)"
  done
  PIDS=()
}
# bench_build TARGET...: a Release build of the targets into $BUILD
bench_build() {
  say "build (Release) into $BUILD"
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DOF_SANITIZE=OFF -DOF_TESTS=OFF -DOF_WERROR=OFF >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target "$@" -- --no-print-directory >/dev/null || die "build failed"
}

# settle: wait (at most 60 s) until InnoDB has purged the history a load left and flushed its dirty pages, so that
# the next measured phase does not share the server with that background work (a restore of a dump before a
# phase moved its figures by up to 50 % from run to run). MariaDB ≥ 10.5: SET innodb_max_purge_lag_wait = 0 returns
# once the history list is empty.
settle() {
  local pct i dirty
  admin "SET GLOBAL innodb_max_purge_lag_wait = 0" >/dev/null 2>&1 || true
  pct=$(admin "SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
  admin "SET GLOBAL innodb_max_dirty_pages_pct = 0"
  for ((i = 0; i < 600; i++)); do
    dirty=$(admin "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'")
    ((dirty < 16)) && break
    sleep 0.1
  done
  admin "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
}
