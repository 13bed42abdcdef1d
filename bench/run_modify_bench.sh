#!/usr/bin/env bash
# run_modify_bench.sh -- the trade-modify benchmark of issue 11 (docs/benchmarks.md, section "trade-modify").
#
# Usage: bench/run_modify_bench.sh [--trades N] [--latency-changes M] [--rate-percent P] [--rounds R] [--statements]
#                                  [--warmup-runs W] [--steal-max P] [--keep-stack]
#   --trades N           trades submitted unpaid, then changed once each (default 4000)
#   --latency-changes M  changes published at a paced rate for the latency run (default N)
#   --rate-percent P     pace of the latency run, % of the measured maximum rate (default 50): the lower of
#                        trade-modify's steady drain rate (the median of the drains, every pair's) and the pipeline's
#                        (trade-submit + trade-modify, c0)
#   --rounds R           drains by the worker and runs of the ceiling, alternating (default 5): (a) and (b) once with
#                        every figure, then more pairs timed only until R pairs are quiet (at most 3R pairs in all);
#                        the ratio of record is the median of the quiet pairs (one pair's ratio moves with the
#                        machine: the ceiling moved 1,197-3,903 changes/s in the runs of 2026-12-02, and quiet
#                        drains of one binary 1,600-2,343 on 2026-12-03)
#   --steal-max P        a pair is quiet when on each side the hypervisor took at most P% of the machine's CPU time
#                        from the timed part (steal, /proc/stat; default 3): D-MOD-44
#   --warmup-runs W      the latency run done W times first, each reported on its own line and not the figure
#                        (default 3): the broker's JVM uses about twice the CPU until its JIT has compiled what a
#                        paced run takes (docs/benchmarks.md), on the two cores MariaDB and the workers share
#   --statements         also log every statement of the worker run (MariaDB general log) and print them by kind
#   --keep-stack         leave the bench stack up at the end (default: down --purge)
# Own stack (never the developer's, nor trade-submit's bench): OF_STATE_DIR (default <repo>/.state-modbench),
# OF_MYSQL_PORT (33356), OF_REDIS_PORT (36429), OF_KAFKA_PORT (29692). Build: Release into <repo>/build-modbench
# (OF_BENCH_BUILD to change), warnings not fatal. Output: <repo>/.bench-out/modify (OF_BENCH_OUT).
#
# Runs (one change per trade, the mix of bench/gen_modify_trades.py: 40% paid, 20% one sub-order refunded, 10% whole
# trade refunded, 30% CS remark / client remark / address):
#   (0) prepare: N unpaid trades published and submitted by of-trade-submit (dump P = "before the changes"); then the
#       later versions published and stored by of-trade-submit while of-trade-modify is NOT running: every
#       TradeChange waits on trade.changed (dump S = "changes stored, not applied");
#   (a) worker: restore S, start one of-trade-modify, time until `ordctl wait-idle` on its group returns;
#   (b) ceiling: copy the database as the worker left it, restore S, run bin/of-bench-modceiling: the same rows
#       (diffed by primary key, stock counters as per-transaction upserts), multi-row (OF_MYSQL_BULK=0: issue 11's
#       ceiling, "as for trade-submit"), N/OF_BATCH_SIZE transactions, no Kafka, no rules, no reads; it checks that
#       the result equals the worker's; then restore S and the same with MariaDB's bulk executions (OF_MYSQL_BULK=1,
#       D-RT-16: an INSERT's rows in one execution of its one-row statement, as the worker writes them), the
#       "bulk ceiling", reported beside it;
#   (r) more pairs of (a) and (b), timed only, until R are quiet (--rounds, --steal-max), each pair's ratio and the
#       hypervisor's steal on each side, the median of the quiet pairs (and each pair's ratio to its bulk ceiling);
#       A B B A: the first of them runs the ceilings first, the next the worker first, and so on;
#   (a2) the same drain by one of-trade-modify with two lanes (OF_WORKER_LANES=2): restore S, a fresh group; then
#       its like-for-like ceiling: the same rows on two connections at once (of-bench-modceiling --connections 2);
#   (c0) the pipeline's rate: restore P, fresh topics and groups, trade-submit and trade-modify running, the later
#       versions (the latency run's) published at once: first publish → last change applied;
#   (w) warm-up: W times the latency run (c) at its rate, each reported apart;
#   (c) latency: restore P, fresh topics and groups, trade-submit and trade-modify running, the later versions
#       published at P% of the lower of the drains' median steady rate ((a), (r)) and (c0)'s; latency per change = publish -> the change's ledger row written in
#       trade-modify's transaction (processed_event.processed_at), also -> sales_trade.modified_at;
#   `ordctl stock-check` after (a), (b), (a2) and its ceiling, (c0) and (c).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

TRADES=4000 LAT=0 RATE_PCT=50 KEEP=0 STMTS=0 ROUNDS=5 WARMUP=3 STEAL_MAX=3
while (($#)); do
  case "$1" in
    --trades) TRADES=$2; shift 2 ;;
    --latency-changes) LAT=$2; shift 2 ;;
    --rate-percent) RATE_PCT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --warmup-runs) WARMUP=$2; shift 2 ;;
    --steal-max) STEAL_MAX=$2; shift 2 ;;
    --statements) STMTS=1; shift ;;
    --keep-stack) KEEP=1; shift ;;
    -h | --help) sed -n '2,46p' "$0"; exit 0 ;;
    *) echo "run_modify_bench: unknown option $1" >&2; exit 2 ;;
  esac
done
((LAT > 0 && LAT <= TRADES)) || LAT=$TRADES
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "run_modify_bench: --rounds: 1 to 99" >&2; exit 2; }
[[ $WARMUP =~ ^[0-9]$ ]] || { echo "run_modify_bench: --warmup-runs: 0 to 9" >&2; exit 2; }
[[ $STEAL_MAX =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "run_modify_bench: --steal-max: a percentage" >&2; exit 2; }

export OF_STATE_DIR=${OF_STATE_DIR:-$REPO/.state-modbench}
export OF_MYSQL_PORT=${OF_MYSQL_PORT:-33356}
export OF_REDIS_PORT=${OF_REDIS_PORT:-36429}
export OF_KAFKA_PORT=${OF_KAFKA_PORT:-29692}
BUILD=${OF_BENCH_BUILD:-$REPO/build-modbench}
export OF_BUILD_DIR=$BUILD
BIN=$BUILD/bin
WORK=${OF_BENCH_OUT:-$REPO/.bench-out}/modify
RUN_ID=$(date +%s)
LOG_LEVEL=warn
AFTER_DB=orderfleet_modafter

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'run_modify_bench: error: %s\n' "$*" >&2; exit 1; }
ordctl() { "$BIN/ordctl" "$@" 2> >(grep -v CONFWARN >&2); }
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh" # admin, reset_db
SOCK=$OF_STATE_DIR/mysql/mysqld.sock
root_sql() { mariadb --no-defaults --socket="$SOCK" --user="$(id -un)" "$@"; }
ceiling() { # bulk(0|1) [args] -> the ceiling's output: the rows of the worker run, on the restored state
  local b=$1
  shift
  OF_MYSQL_BULK=$b "$BIN/of-bench-modceiling" --after "$AFTER_DB" --changes "$TRADES" --batch "$BATCH" \
    --mysqld-pid "$(cat "$OF_STATE_DIR/run/mysqld.pid")" "$@"
}
dump() { mariadb-dump --no-defaults --socket="$SOCK" --user="$(id -un)" --single-transaction --quick orderfleet >"$1"; }
restore() { root_sql orderfleet <"$1" && settle; } # the dump drops and creates every table; settle: bench/lib.sh

PIDS=()
DONE=0
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if ((KEEP == 0 && DONE == 1)); then bash scripts/stack.sh down --purge >/dev/null 2>&1 || true; fi
  ((DONE == 1)) || echo "run_modify_bench: stack left up for inspection ($OF_STATE_DIR; scripts/stack.sh down --purge)" >&2
}
trap cleanup EXIT

start() { # submit|modify name -> pid in LAST
  OF_LOG_LEVEL=$LOG_LEVEL OF_INSTANCE_ID="mbench-$2" OF_KAFKA_GROUP="$GROUP.trade-$1" "$BIN/of-trade-$1" \
    >"$WORK/$2.log" 2>&1 &
  LAST=$!
  PIDS+=("$LAST")
}
stop() { # pid
  local rc=0 p keep=()
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" || rc=$?
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
  ((rc == 0)) || die "worker $1 exited with $rc (see $WORK/*.log)"
}
use_topics() { # run name: a fresh topic set and fresh group names
  export OF_TOPIC_PREFIX="m$RUN_ID.$1."
  ordctl topics create --quiet >/dev/null || die "cannot create the topics of run $1"
  GROUP="mbench.$RUN_ID.$1"
}
idle() { # topic worker
  ordctl wait-idle --topic "$1" --group "$GROUP.trade-$2" --timeout 1800 >/dev/null 2>>"$WORK/wait-idle.err" ||
    die "wait-idle $1 timed out (see $WORK/wait-idle.err)"
}
outbox_sent() { # every outbox row published (trade-submit marks them after Kafka acknowledged them)
  local i
  for ((i = 0; i < 600; i++)); do
    [[ $(admin "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0 ]] && return 0
    sleep 0.1
  done
  die "outbox rows still unsent after 60 s"
}
publish() { # file [args]
  local f=$1 out
  shift
  out=$(ordctl publish-trades --quiet "$@" "$f" 2>&1 || true)
  grep -q "published=$(wc -l <"$f") refused=0" <<<"$out" || die "publish $f: $out"
  say "    published: $(tail -1 <<<"$out")"
}
counters() { admin "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_commit','Com_stmt_execute','Questions')" | awk '{printf "%s ", $2} END {print ""}'; }
broker_ticks() { # CPU of the stack's Kafka brokers, 1/100 s; empty when a broker's process cannot be read
  local f p t=0
  for f in "$OF_STATE_DIR"/run/kafka-*.pid; do
    p=$(cat "$f" 2>/dev/null) && [[ -r /proc/$p/stat ]] || return 0
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
broker_cpu_since() { # ticks -> seconds since then, or n/a
  local now
  now=$(broker_ticks)
  if [[ -n $1 && -n $now ]]; then awk -v t=$((now - $1)) 'BEGIN { printf "%.1f", t / 100 }'; else echo n/a; fi
}
# D-MOD-44: the hypervisor's steal, all CPUs summed (1/100 s), and what share of a window's CPU time it took
steal_ticks() { awk '/^cpu / { print $9; exit }' /proc/stat; }
NCPU=$(grep -c '^cpu[0-9]' /proc/stat) # the CPUs /proc/stat's steal sums (nproc follows the affinity mask)
steal_pct() {                         # wall steal (s) -> %; a side that could not read it counts as not quiet
  [[ -n $2 ]] || { echo 100.0; return; }
  awk -v w="$1" -v s="$2" -v n="$NCPU" 'BEGIN { printf "%.1f", (w > 0 ? 100 * s / (w * n) : 0) }'
}
quiet() { awk -v a="$1" -v b="$2" -v m="$STEAL_MAX" 'BEGIN { exit !(a <= m && b <= m) }'; } # worker% ceiling%
mysqld_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$OF_STATE_DIR/run/mysqld.pid")/stat"; } # CPU, 1/100 s
per_change() { # before after n -> "x stmt/change (c commits)"
  awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.2f statements/change, %.2f round trips/change (%d commits)", (y[2]-x[2])/n, (y[3]-x[3])/n, y[1]-x[1] }'
}
# every change of group $1's drain applied (else die, naming $2), when its last ledger row was written -> LAST_S, and
# its steady rate (the changes after the first batch / first → last ledger row) -> STEADY
all_applied() {
  local applied span
  read -r applied LAST_S span < <(admin "SELECT IFNULL(SUM(outcome = 'applied'), 0), UNIX_TIMESTAMP(MAX(processed_at)),
    TIMESTAMPDIFF(MICROSECOND, MIN(processed_at), MAX(processed_at)) / 1e6
    FROM processed_event WHERE consumer = '$1.trade-modify'")
  ((applied == TRADES)) || die "$2: $applied of $TRADES changes applied (see $WORK/$2.log)"
  STEADY=$(steady_rate "$span")
}
steady_rate() { awk -v n="$TRADES" -v b="$BATCH" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? (n - b) / s : 0) }'; } # span
cpu_ratio() { ratio "$(awk -v a="$3" -v b="$4" 'BEGIN { print (a + b) * 100 }')" $(($1 + $2)); } # my wk (ticks) cmy cpg (s)
median() { tr ' ' '\n' <<<"$1" | awk 'NF' | LC_ALL=C sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : sprintf("%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
field() { sed -n "1s/.* $1=\([0-9a-zA-Z.]*\).*/\1/p" <<<"$2"; } # name out -> a value of the ceiling's first line
declare -A R
cpu_us() { awk -v t="$1" -v n="$TRADES" 'BEGIN { printf "%.0f", t * 10000 / n }'; } # ticks -> µs per change
sec_us() { awk -v t="$1" -v n="$TRADES" 'BEGIN { printf "%.0f", t * 1e6 / n }'; }   # seconds -> µs per change

# ------------------------------------------------------------------ setup
say "build (Release, $BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DOF_SANITIZE=OFF -DOF_TESTS=OFF -DOF_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target of-trade-submit of-trade-modify ordctl of-bench-modceiling -- \
  --no-print-directory >/dev/null || die "build failed"
mkdir -p "$OF_STATE_DIR" "$WORK"
say "fresh stack ($OF_STATE_DIR, mysql :$OF_MYSQL_PORT, redis :$OF_REDIS_PORT, kafka :$OF_KAFKA_PORT)"
bash scripts/stack.sh down --purge >/dev/null 2>&1 || true
bash scripts/stack.sh up >/dev/null
export OF_CONFIG=$OF_STATE_DIR/stack.env
say "generate $TRADES trades and their later versions"
python3 bench/gen_modify_trades.py --trades "$TRADES" "$WORK"
head -n "$LAT" "$WORK/changes.jsonl" >"$WORK/latency.jsonl"
ordctl migrate >/dev/null
reset_db >/dev/null
BATCH=$(awk -F= '$1 == "OF_BATCH_SIZE" {print $2}' "$OF_CONFIG")
BATCH=${OF_BATCH_SIZE:-${BATCH:-200}}

# ------------------------------------------------------------------ (0) prepare
use_topics prep
say "(0) $TRADES unpaid trades through trade-submit"
start submit prep-submit
SUB=$LAST
publish "$WORK/unpaid.jsonl"
idle trade.raw submit
outbox_sent
n=$(admin "SELECT COUNT(*) FROM sales_trade WHERE trade_status = 10")
((n == TRADES)) || die "$n unpaid orders of $TRADES trades"
say "    $n unpaid orders"
dump "$WORK/before-changes.sql"
say "(0) their later versions, stored by trade-submit (trade-modify not running)"
publish "$WORK/changes.jsonl"
idle trade.raw submit
outbox_sent
stop "$SUB"
n=$(admin "SELECT COUNT(*) FROM api_trade a WHERE a.modify_flag <> 0 OR EXISTS (SELECT 1 FROM api_trade_order o WHERE o.api_trade_id = a.rec_id AND o.modify_flag <> 0)")
c=$(admin "SELECT COUNT(*) FROM outbox WHERE topic = 'trade.changed'")
((n == TRADES && c == TRADES)) || die "$n raw trades with pending bits, $c TradeChange events, want $TRADES"
say "    $c TradeChange events on trade.changed; bits: $(admin "SELECT GROUP_CONCAT(CONCAT(f, 'x', n) ORDER BY f) FROM (SELECT modify_flag f, COUNT(*) n FROM api_trade GROUP BY 1) x")"
dump "$WORK/changes-stored.sql"

# ------------------------------------------------------------------ (a) worker
say "(a) trade-modify drains trade.changed ($TRADES changes)"
restore "$WORK/changes-stored.sql"
rm -f "$WORK/general.log"
((STMTS)) && root_sql -e "SET GLOBAL log_output = 'FILE', general_log_file = '$WORK/general.log', general_log = 1"
before=$(counters)
m0=$(mysqld_ticks)
s0=$(steal_ticks)
t0=$(now)
start modify drain
MOD=$LAST
idle trade.changed modify
t1=$(now)
R[steal_w]=$(steal_pct "$(elapsed "$t0" "$t1")" "$(awk -v t=$(($(steal_ticks) - s0)) 'BEGIN { print t / 100 }')")
R[hwm]=$(hwm_kb "$MOD")
# CPU of the drain (load-robust where wall time is not): MariaDB's whole process, the worker's own
R[cpu_my]=$(($(mysqld_ticks) - m0))
R[cpu_wk]=$(awk '{print $14 + $15}' "/proc/$MOD/stat")
stop "$MOD"
after=$(counters)
((STMTS)) && root_sql -e "SET GLOBAL general_log = 0"
R[idle_secs]=$(elapsed "$t0" "$t1")
R[stmts]=$(per_change "$before" "$after" "$TRADES")
read -r applied span first_s last_s < <(admin "SELECT IFNULL(SUM(outcome = 'applied'), 0), TIMESTAMPDIFF(MICROSECOND, MIN(processed_at), MAX(processed_at)) / 1e6,
  UNIX_TIMESTAMP(MIN(processed_at)), UNIX_TIMESTAMP(MAX(processed_at)) FROM processed_event WHERE consumer = '$GROUP.trade-modify'")
((applied == TRADES)) || die "$applied of $TRADES changes applied (see $WORK/drain.log)"
left=$(admin "SELECT COUNT(*) FROM api_trade WHERE modify_flag <> 0")
((left == 0)) || die "$left raw trades still have bits set"
# steady: the changes after the first batch / (last - first ledger row); the first batch's own time is not in the span
R[steady]=$(steady_rate "$span")
R[join]=$(awk -v a="$t0" -v f="$first_s" 'BEGIN { printf "%.2f", f - a }')
# from the worker's start to the last change applied (its ledger row, written in the batch's transaction); wait-idle
# returns up to auto.commit.interval.ms (1 s) + its 0.2 s poll later, which is not the worker's throughput
R[secs]=$(elapsed "$t0" "$last_s")
R[cps]=$(rate "$TRADES" "${R[secs]}")
R[idle_cps]=$(rate "$TRADES" "${R[idle_secs]}")
say "    $TRADES changes applied ${R[secs]} s after the worker's start = ${R[cps]} changes/s (first batch after ${R[join]} s); steady (first → last ledger row) ${R[steady]}/s; wait-idle returned after ${R[idle_secs]} s (${R[idle_cps]}/s, offsets auto-committed every 1 s); VmHWM ${R[hwm]} kB; steal ${R[steal_w]}%"
say "    server: ${R[stmts]}"
say "    rules: $(admin "SELECT GROUP_CONCAT(CONCAT(rule_id, ' ', n) ORDER BY n DESC SEPARATOR ', ') FROM (SELECT rule_id, COUNT(*) n FROM sales_trade_log WHERE rule_id LIKE 'MOD-%' GROUP BY rule_id) x")"
stock_check worker
if ((STMTS)); then
  say "    statements of the worker run, per change (general log, $WORK/general.log):"
  awk -F'\t' '$0 ~ /(Execute|Query)\t/ { s = $NF; sub(/^[ \t]+/, "", s); gsub(/[ \t\n]+/, " ", s); sub(/^SET STATEMENT [^ ]+ = [0-9]+ FOR /, "", s); k = substr(s, 1, 48); c[k]++ } END { for (k in c) printf "%8d  %s\n", c[k], k }' "$WORK/general.log" |
    sort -rn | awk 'NR <= 25' | awk -v n="$TRADES" '{ printf "      %6.2f  %s\n", $1 / n, substr($0, 11) }'
fi

# ------------------------------------------------------------------ (b) ceiling
say "(b) raw-SQL ceiling: the same rows, multi-row, $(((TRADES + BATCH - 1) / BATCH)) transactions"
dump "$WORK/after-worker.sql"
root_sql -e "DROP DATABASE IF EXISTS $AFTER_DB; CREATE DATABASE $AFTER_DB;
  GRANT SELECT ON $AFTER_DB.* TO 'orderfleet'@'127.0.0.1'; GRANT SELECT ON $AFTER_DB.* TO 'orderfleet'@'localhost'"
root_sql "$AFTER_DB" <"$WORK/after-worker.sql"
restore "$WORK/changes-stored.sql"
before=$(counters)
out=$(ceiling 0) || {
  echo "$out" >&2
  die "ceiling failed"
}
after=$(counters)
# CPU of its timed part (MariaDB's process, the program's own), seconds
R[cpu_cmy]=$(field cpu_mysqld "$out")
R[cpu_cpg]=$(field cpu_self "$out")
echo "$out" >"$WORK/ceiling.out"
R[ceil]=$(field cps "$out")
R[ceil_secs]=$(field seconds "$out")
R[ceil_verify]=$(field verify "$out")
R[ceil_rows]=$(field rows "$out")
R[steal_c]=$(steal_pct "${R[ceil_secs]}" "$(field steal "$out")")
# statements only: its untimed diff and check queries are plain queries (Questions), not prepared executes
R[ceil_stmts]=$(per_change "$before" "$after" "$TRADES" | sed 's/, [0-9.]* round trips\/change//')
say "    $(head -1 <<<"$out")"
sed 1d <<<"$out" | sed 's/^/      /'
say "    server: ${R[ceil_stmts]}"
[[ ${R[ceil_verify]} == ok ]] || die "the ceiling's rows differ from the worker's"
stock_check ceiling
say "(b) the bulk ceiling: the same rows, an INSERT's rows in one bulk execution (OF_MYSQL_BULK=1, D-RT-16)"
restore "$WORK/changes-stored.sql"
before=$(counters)
bout=$(ceiling 1) || {
  echo "$bout" >&2
  die "bulk ceiling failed"
}
after=$(counters)
R[ceilb]=$(field cps "$bout")
R[ceilb_secs]=$(field seconds "$bout")
R[ceilb_stmts]=$(per_change "$before" "$after" "$TRADES" | sed 's/, [0-9.]* round trips\/change//')
say "    $(head -1 <<<"$bout")"
say "    server: ${R[ceilb_stmts]}"
[[ $(field verify "$bout") == ok ]] || die "the bulk ceiling's rows differ from the worker's"
stock_check ceiling-bulk

# ------------------------------------------------------------------ (r) more pairs, alternating
# The same drain (restore S, a fresh group, one worker, from its start to its last ledger row) and the same ceiling
# (restore S, its diff untimed), timed only: each pair close in time, the median of the quiet pairs' ratios is the
# figure (D-MOD-44: a pair is quiet when the hypervisor took at most STEAL_MAX% of the CPU time from either side's
# timed part; a pair that is not is printed with its steal and not counted, and another pair is run, 3R pairs at most).
pair_mark() { # ratio worker% ceiling% -> the ratio, starred when not quiet
  if quiet "$2" "$3"; then echo "$1"; else echo "$1*"; fi
}
PAIRS="$(pair_mark "$(ratio "${R[cps]}" "${R[ceil]}")" "${R[steal_w]}" "${R[steal_c]}")"
BPAIRS="$(ratio "${R[cps]}" "${R[ceilb]}")" # the ratios to the bulk ceiling, every pair
QPAIRS="" NQ=0
quiet "${R[steal_w]}" "${R[steal_c]}" && QPAIRS="$(ratio "${R[cps]}" "${R[ceil]}")" && NQ=1
STEALS="${R[steal_w]}/${R[steal_c]}"
CPAIRS="$(cpu_ratio "${R[cpu_my]}" "${R[cpu_wk]}" "${R[cpu_cmy]}" "${R[cpu_cpg]}")"
R[cps_all]=${R[cps]} R[ceil_all]=${R[ceil]} R[ceilb_all]=${R[ceilb]} R[steady_all]=${R[steady]}
NPAIRS=1
pair_drain() { # the worker's side of pair $round: wcps sw wmy wwk
  restore "$WORK/changes-stored.sql"
  MAIN_GROUP=$GROUP
  GROUP="$MAIN_GROUP.r$round"
  m0=$(mysqld_ticks)
  s0=$(steal_ticks)
  t0=$(now)
  start modify "drain-r$round"
  RM=$LAST
  idle trade.changed modify
  t1=$(now)
  sw=$(steal_pct "$(elapsed "$t0" "$t1")" "$(awk -v t=$(($(steal_ticks) - s0)) 'BEGIN { print t / 100 }')")
  wmy=$(($(mysqld_ticks) - m0))
  wwk=$(awk '{print $14 + $15}' "/proc/$RM/stat")
  stop "$RM"
  all_applied "$GROUP" "drain-r$round"
  GROUP=$MAIN_GROUP
  wcps=$(rate "$TRADES" "$(elapsed "$t0" "$LAST_S")")
  R[steady_all]="${R[steady_all]} $STEADY"
}
pair_ceiling() { # the ceilings' side of pair $round: out ccps sc (multi-row), bccps (bulk)
  restore "$WORK/changes-stored.sql"
  out=$(ceiling 0) || {
    echo "$out" >&2
    die "round $round: ceiling failed"
  }
  ccps=$(field cps "$out")
  sc=$(steal_pct "$(field seconds "$out")" "$(field steal "$out")")
  [[ $(field verify "$out") == ok ]] || die "round $round: the ceiling's rows differ"
  restore "$WORK/changes-stored.sql"
  local bout
  bout=$(ceiling 1) || {
    echo "$bout" >&2
    die "round $round: bulk ceiling failed"
  }
  bccps=$(field cps "$bout")
  [[ $(field verify "$bout") == ok ]] || die "round $round: the bulk ceiling's rows differ"
}
# A B B A: the first pair runs the worker first, the next the ceiling first, and so on, so that a machine getting
# faster or slower over the minutes of the runs favours neither side (2026-12-03: ceilings from 3,086 down to 2,465
# changes/s over five consecutive pairs, all quiet)
for ((round = 2; NQ < ROUNDS && round <= 3 * ROUNDS; round++)); do
  if ((round % 2)); then
    pair_drain
    pair_ceiling
    order="worker first"
  else
    pair_ceiling
    pair_drain
    order="ceiling first"
  fi
  r=$(ratio "$wcps" "$ccps")
  PAIRS="$PAIRS $(pair_mark "$r" "$sw" "$sc")"
  BPAIRS="$BPAIRS $(ratio "$wcps" "$bccps")"
  STEALS="$STEALS $sw/$sc"
  if quiet "$sw" "$sc"; then
    QPAIRS="${QPAIRS:+$QPAIRS }$r"
    NQ=$((NQ + 1))
    q="quiet"
  else
    q="not counted: steal above $STEAL_MAX%"
  fi
  NPAIRS=$round
  cr=$(cpu_ratio "$wmy" "$wwk" "$(field cpu_mysqld "$out")" "$(field cpu_self "$out")")
  CPAIRS="$CPAIRS $cr"
  R[cps_all]="${R[cps_all]} $wcps" R[ceil_all]="${R[ceil_all]} $ccps" R[ceilb_all]="${R[ceilb_all]} $bccps"
  say "(r) pair $round ($order; $NQ of $ROUNDS quiet so far): trade-modify $wcps changes/s from its start, ceiling $ccps changes/s: ratio $r; steal worker $sw%, ceiling $sc% ($q); CPU ratio ceiling / worker $cr; bulk ceiling $bccps changes/s: ratio $(ratio "$wcps" "$bccps")"
done
if ((NQ)); then
  R[ratio_median]=$(median "$QPAIRS")
  R[ratio_note]="median of the $NQ quiet pairs of $NPAIRS"
  ((NQ >= ROUNDS)) || R[ratio_note]="${R[ratio_note]}; FEWER THAN $ROUNDS QUIET PAIRS: the host was busy"
else
  R[ratio_median]=$(median "$(tr -d '*' <<<"$PAIRS")")
  R[ratio_note]="NO QUIET PAIR in $NPAIRS (steal above $STEAL_MAX% in each): the median of all, the machine's figure more than the worker's"
fi
R[ratio_all]=$(median "$(tr -d '*' <<<"$PAIRS")")
R[ratiob_all]=$(median "$BPAIRS")
R[cpu_median]=$(median "$CPAIRS")
R[steady_med]=$(median "${R[steady_all]}" | awk '{ printf "%.0f", $1 }') # the pace's base: one drain moves with the machine

# ------------------------------------------------------------------ (a2) one instance, two lanes (D-T10-63)
say "(a2) trade-modify with OF_WORKER_LANES=2 drains the same changes (restore S, a fresh group)"
restore "$WORK/changes-stored.sql"
MAIN_GROUP=$GROUP
GROUP="$MAIN_GROUP.lanes2"
m0=$(mysqld_ticks)
t0=$(now)
OF_WORKER_LANES=2 start modify drain-lanes2
L2=$LAST
idle trade.changed modify
R[l2_hwm]=$(hwm_kb "$L2")
R[l2_cpu_my]=$(($(mysqld_ticks) - m0))
R[l2_cpu_wk]=$(awk '{print $14 + $15}' "/proc/$L2/stat")
stop "$L2"
all_applied "$GROUP" drain-lanes2
left=$(admin "SELECT COUNT(*) FROM api_trade WHERE modify_flag <> 0")
((left == 0)) || die "two lanes: $left raw trades still have bits set"
R[l2_secs]=$(elapsed "$t0" "$LAST_S")
R[l2_cps]=$(rate "$TRADES" "${R[l2_secs]}")
say "    $TRADES changes applied ${R[l2_secs]} s after the worker's start = ${R[l2_cps]} changes/s; VmHWM ${R[l2_hwm]} kB"
stock_check lanes2
GROUP=$MAIN_GROUP
# Two lanes are two connections: their like-for-like ceiling writes the same rows on two connections at once
# (transaction k on connection k mod 2, one thread each), right after them.
restore "$WORK/changes-stored.sql"
out=$(ceiling 0 --connections 2) || {
  echo "$out" >&2
  die "two-connection ceiling failed"
}
[[ $(field verify "$out") == ok ]] || die "the two-connection ceiling's rows differ from the worker's"
R[ceil2]=$(field cps "$out")
say "    ceiling on two connections: $(head -1 <<<"$out")"
stock_check ceiling2
root_sql -e "DROP DATABASE IF EXISTS $AFTER_DB"

# ------------------------------------------------------------------ (c0) the pipeline's maximum rate
# The latency run sends each change through trade-submit (storing the later version, emitting its TradeChange) and
# trade-modify, both on this machine: its "maximum rate" is the pipeline's, measured here the same way — the later
# versions published at once with both workers running, first publish → last change applied.
say "(c0) the pipeline's rate: trade-submit and trade-modify running, $LAT later versions published at once"
restore "$WORK/before-changes.sql"
use_topics pipeline
start submit pipe-submit
PSUB=$LAST
start modify pipe-modify
PMOD=$LAST
sleep 8 # group joins and first fetches, as in (c)
k0=$(broker_ticks)
publish "$WORK/latency.jsonl" --times "$WORK/pipeline.times"
idle trade.raw submit
idle trade.changed modify
R[pipe_kcpu]=$(broker_cpu_since "$k0")
stop "$PMOD"
stop "$PSUB"
first_pub=$(awk -F'\t' 'NR == 1 || $2 < m { m = $2 } END { print m }' "$WORK/pipeline.times")
read -r pipe_n pipe_last <<<"$(admin "SELECT COUNT(*), ROUND(UNIX_TIMESTAMP(MAX(processed_at)) * 1000) FROM processed_event
                                     WHERE consumer = '$GROUP.trade-modify' AND outcome = 'applied'")"
R[pipe]=$(awk -v n="$pipe_n" -v a="$first_pub" -v b="$pipe_last" 'BEGIN { s = (b - a) / 1000; printf "%.0f", (s > 0 ? n / s : 0) }')
say "    $pipe_n changes applied $(awk -v a="$first_pub" -v b="$pipe_last" 'BEGIN { printf "%.2f", (b - a) / 1000 }') s after the first publish = ${R[pipe]} changes/s; broker CPU ${R[pipe_kcpu]} s"
stock_check pipeline

# ------------------------------------------------------------------ a paced run, for (w) and (c)
paced() { # name: restore P, fresh topics and groups, both workers, the latency set at $RATE/s -> LATS, KCPU, STEALP, R[lat_hwm]
  local sub mod k0 s0 t0
  restore "$WORK/before-changes.sql"
  use_topics "$1"
  start submit "$1-submit"
  sub=$LAST
  start modify "$1-modify"
  mod=$LAST
  sleep 8 # group joins and first fetches: not part of the latency
  k0=$(broker_ticks)
  s0=$(steal_ticks)
  t0=$(now)
  publish "$WORK/latency.jsonl" --rate "$RATE" --times "$WORK/$1.times"
  idle trade.raw submit
  idle trade.changed modify
  KCPU=$(broker_cpu_since "$k0")
  STEALP=$(steal_pct "$(elapsed "$t0" "$(now)")" "$(awk -v t=$(($(steal_ticks) - s0)) 'BEGIN { print t / 100 }')") # D-MOD-44
  R[lat_hwm]=$(hwm_kb "$mod")
  stop "$mod"
  stop "$sub"
  # the change's trade through its record (sales_trade_change: the raw trade and the event that carried it; the
  # TradeChange's key is the buyer, D-MOD-26)
  admin "SELECT a.tid, ROUND(UNIX_TIMESTAMP(p.processed_at) * 1000), ROUND(UNIX_TIMESTAMP(o.sent_at) * 1000),
                ROUND(UNIX_TIMESTAMP(t.modified_at) * 1000)
         FROM processed_event p JOIN outbox o ON o.event_id = p.event_id
         JOIN sales_trade_change c ON c.event_id = p.event_id
         JOIN api_trade a ON a.rec_id = c.raw_trade_id
         JOIN sales_trade t ON t.trade_id = c.trade_id
         WHERE p.consumer = '$GROUP.trade-modify' AND p.outcome = 'applied'" >"$WORK/$1.db"
  # Also: the same after the first 3 s of publishing, and for those first 3 s alone (the cold start: the workers
  # prepare their statements as they first need them, MariaDB's pages of the restored tables are cold); and the
  # TradeChange's own way, from the outbox's sent mark (written after Kafka acknowledged it, so at times after the
  # change was applied) to its ledger row.
  LATS=$(python3 - "$WORK/$1.times" "$WORK/$1.db" "$LAT" <<'EOF'
import sys
pub = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[1]))
t0 = min(int(v) for v in pub.values()) if pub else 0
led, sent, mod, warm, cold, own = [], [], [], [], [], []
for l in open(sys.argv[2]):
    tid, p, s, m = l.rstrip("\n").split("\t")
    if tid in pub:
        t = int(pub[tid])
        led.append(int(p) - t)
        (cold if t < t0 + 3000 else warm).append(int(p) - t)
        if s != "NULL":
            sent.append(int(s) - t)
            own.append(int(p) - int(s))
        mod.append(int(m) - t)
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q / 100 * (len(v) - 1))))] if v else -1
print(f"n={len(led)}/{sys.argv[3]} applied_p50={pct(led,50)} applied_p99={pct(led,99)} applied_max={max(led) if led else -1} "
      f"modified_at_p99={pct(mod,99)} change_sent_p50={pct(sent,50)} change_sent_p99={pct(sent,99)}")
print(f"after the first 3 s: n={len(warm)} applied_p50={pct(warm,50)} applied_p99={pct(warm,99)}; "
      f"the first 3 s: n={len(cold)} applied_p50={pct(cold,50)} applied_p99={pct(cold,99)}")
print(f"sent mark -> applied (a lower bound of trade-modify's part): n={len(own)} p50={pct(own,50)} p99={pct(own,99)}")
EOF
  )
}

# ------------------------------------------------------------------ (w) warm-up, (c) latency
# Before the latency run (--warmup-runs), the same run at its rate: the broker is a JVM started with the stack, and
# until its JIT has compiled the paths a paced run takes it uses about twice the CPU (7.2, 6.5, 5.2, then 3.4-3.6 s
# for the same 4,000 changes at 560/s in six paced runs on a freshly started stack, 2026-12-02), which it takes from
# MariaDB and the workers on two cores. A production broker has run for days (D-MOD-27).
MAXR=$(awk -v a="${R[steady_med]}" -v b="${R[pipe]}" 'BEGIN { print (b > 0 && b < a) ? b : a }')
RATE=$(awk -v r="$MAXR" -v p="$RATE_PCT" 'BEGIN { x = int(r * p / 100); print x < 1 ? 1 : x }')
for ((w = 1; w <= WARMUP; w++)); do
  say "(w) warm-up $w of $WARMUP: the latency run at $RATE/s, not the figure"
  paced "warmup$w"
  say "    broker CPU ${KCPU} s; steal ${STEALP}%; $(sed -n 1p <<<"$LATS" | grep -o 'applied_p50=[0-9-]* applied_p99=[0-9-]*')"
  R[warmups]="${R[warmups]:-}${R[warmups]:+, }p99 $(sed -n 's/.*applied_p99=\([-0-9]*\).*/\1/p' <<<"$(sed -n 1p <<<"$LATS")") ms (broker ${KCPU} s, steal ${STEALP}%)"
done
say "(c) latency: trade-submit and trade-modify running, $LAT changes published at $RATE/s ($RATE_PCT% of $MAXR/s: the pipeline's rate, or trade-modify's median steady rate when lower)"
paced latency
R[lat_kcpu]=$KCPU
R[lat_steal]=$STEALP
R[lat]=$(sed -n 1p <<<"$LATS")
R[lat_warm]=$(sed -n 2p <<<"$LATS")
R[lat_own]=$(sed -n 3p <<<"$LATS")
say "    latency ms (publish → the change's ledger row in trade-modify's transaction; → sales_trade.modified_at, moved later by other orders' sibling updates; → TradeChange out of trade-submit's outbox): ${R[lat]}; ${R[lat_own]}; broker CPU ${KCPU} s; steal ${STEALP}% (the host's, of the machine's CPU time)"
stock_check latency

# ------------------------------------------------------------------ summary
MACHINE="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(mariadbd --version 2>/dev/null | awk '{print $3}')"
p99=$(sed -n 's/.*applied_p99=\([-0-9]*\).*/\1/p' <<<"${R[lat]}")
cat <<EOF

==================== trade-modify benchmark ($TRADES changes, OF_BATCH_SIZE=$BATCH, OF_BATCH_WAIT_MS=${OF_BATCH_WAIT_MS:-5}) ====================
machine:                        $MACHINE
mix:                            $(cut -f2 "$WORK/kinds.tsv" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}' | sed 's/, $//')
ceiling (same rows, multi-row): ${R[ceil]} changes/s   (${R[ceil_rows]} rows in ${R[ceil_secs]} s; ${R[ceil_stmts]}; verify=${R[ceil_verify]})
bulk ceiling (D-RT-16):         ${R[ceilb]} changes/s   (the same rows in ${R[ceilb_secs]} s, an INSERT's rows in one bulk execution; ${R[ceilb_stmts]})
trade-modify, from its start:   ${R[cps]} changes/s   (last change applied after ${R[secs]} s; first batch after ${R[join]} s; wait-idle ${R[idle_secs]} s = ${R[idle_cps]}/s)
trade-modify, steady:           ${R[steady]} changes/s   (changes after the first batch / first → last ledger row); over the $NPAIRS drains ${R[steady_all]}, median ${R[steady_med]}
                                ${R[stmts]}
ratio worker / ceiling:         from start $(ratio "${R[cps]}" "${R[ceil]}"), steady $(ratio "${R[steady]}" "${R[ceil]}") (after the first batch), in the first pair
ratio, pairs alternating:       median ${R[ratio_median]} (issue 11's figure: target >= 0.70; ${R[ratio_note]}); pairs $PAIRS (* = steal above $STEAL_MAX% on a side: not counted), all pairs' median ${R[ratio_all]}
                                steal % worker/ceiling ${STEALS}; trade-modify ${R[cps_all]} changes/s, ceiling ${R[ceil_all]}
ratio to the bulk ceiling:      median ${R[ratiob_all]} of all pairs; pairs $BPAIRS; bulk ceiling ${R[ceilb_all]} changes/s (the worker writes with bulk executions too: D-RT-16)
CPU ratio, the same pairs:      median ${R[cpu_median]}; pairs $CPAIRS (the ceiling's CPU, MariaDB + program, over the worker run's, MariaDB + worker: CPU time leaves out the waits for a core that wall time counts, but still moves when the cores run slower)
trade-modify, 2 lanes:          ${R[l2_cps]} changes/s from its start (OF_WORKER_LANES=2): $(ratio "${R[l2_cps]}" "${R[cps]}")× one lane, $(ratio "${R[l2_cps]}" "${R[ceil2]}") of the ceiling on two connections (${R[ceil2]} changes/s; $(ratio "${R[l2_cps]}" "${R[ceil]}") of the one-connection ceiling); CPU per change MariaDB $(cpu_us "${R[l2_cpu_my]}"), worker $(cpu_us "${R[l2_cpu_wk]}") µs
pipeline (submit + modify):     ${R[pipe]} changes/s   (c0: first publish → last change applied, both workers running)
latency at ${RATE}/s:              ${R[lat]}   ($RATE_PCT% of $MAXR/s)
  p99 publish → applied:        ${p99} ms   (target < 500)
  TradeChange:                  ${R[lat_own]}
  broker CPU, steal:            ${R[lat_kcpu]} s, ${R[lat_steal]}% in the latency run; warm-ups before it: ${R[warmups]:-none}
  warm / cold start:            ${R[lat_warm]}
CPU per change (µs):            trade-modify run $(cpu_us $((R[cpu_my] + R[cpu_wk]))) (MariaDB $(cpu_us "${R[cpu_my]}"), worker $(cpu_us "${R[cpu_wk]}")); ceiling $(sec_us "$(awk -v a="${R[cpu_cmy]}" -v b="${R[cpu_cpg]}" 'BEGIN { print a + b }')") (MariaDB $(sec_us "${R[cpu_cmy]}"), program $(sec_us "${R[cpu_cpg]}")): CPU ratio ceiling / worker $(cpu_ratio "${R[cpu_my]}" "${R[cpu_wk]}" "${R[cpu_cmy]}" "${R[cpu_cpg]}")
peak RSS (VmHWM) trade-modify:  drain ${R[hwm]} kB, latency run ${R[lat_hwm]} kB   (target <= 32768: one lane, as shipped)
  two lanes (the option):       ${R[l2_hwm]} kB   (D-MOD-57: a second connection's prepared statements and batch state, ~5 MB on a long run)
EOF
DONE=1
