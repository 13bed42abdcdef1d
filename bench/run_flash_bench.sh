#!/usr/bin/env bash
# run_flash_bench.sh -- the flash-sale benchmark of issue 13 (docs/benchmarks.md, section "The flash sale"): the same
# load through orderfleet (of-gateway + 2 of-flash), through BullMQ and through kue (bench/flash/peer.js: a Node HTTP
# front + 2 worker processes, 8 order lines each), on the same Redis and MariaDB, one run, side by side.
#
# Usage: bench/run_flash_bench.sh [--jobs N] [--buyers B] [--units U] [--rate R] [--kill-jobs K] [--only SYSTEMS]
#                                 [--warmup W] [--broker-warmup W] [--keep-stack]
#   --jobs N       jobs of the burst and of the steady run (default 30000)
#   --buyers B     buyers (default 10000); 1–3 units a job; unpaid limit 2; --units U units on sale (default 20000)
#   --rate R       the steady run's submit rate, jobs/s (default 500)
#   --kill-jobs K  jobs of the SIGKILL run (default 10000; 0 = none): one worker process SIGKILLed a third of the way
#                  through and started again 2 s later, as a supervisor would; then jobs not terminal after 60 s
#                  (stuck), jobs accepted with no record (lost), and orders per job are counted
#   --only S       comma-separated subset of ours,bullmq,kue
#   --warmup W     jobs of an untimed warm-up before each measured run, on a batch and buyers of their own (default
#                  5000; 0 = none): the JIT of each run's Node processes and every cache are warm, as in production
#   --broker-warmup W  jobs through of-gateway once after the stack starts, untimed (default 60000; 0 = none): the
#                  Kafka broker's JVM compiles its hot paths in its first minute, as a production broker long has
# Every system gets a fresh batch and an empty Redis; the load client (bench/flash/load.js, Node, 64 connections)
# submits over HTTP and polls every job to its end. Figures per system: submitted/s, completed jobs/s (first submit →
# last job finished in fs_job), submit → finished latency p50/p99 (fs_job.finished_at, which every system writes in
# the transaction that makes the order), CPU per job (the system's processes and, for ours, the Kafka broker; /proc;
# Redis and MariaDB serve all three and are counted for none), oversold units, buyers over the
# unpaid limit. Own stack: OF_STATE_DIR (default <repo>/.state-flashbench), ports 33376 / 36449 / 29712. Output:
# <repo>/.bench-out/flash.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

JOBS=30000 BUYERS=10000 UNITS=20000 RATE=500 KILL_JOBS=10000 ONLY=ours,bullmq,kue KEEP=0 WARMUP=5000 BROKER_WARMUP=60000
while (($#)); do
  case "$1" in
    --jobs) JOBS=$2; shift 2 ;;
    --buyers) BUYERS=$2; shift 2 ;;
    --units) UNITS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --kill-jobs) KILL_JOBS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --broker-warmup) BROKER_WARMUP=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --keep-stack) KEEP=1; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "run_flash_bench: unknown option $1" >&2; exit 2 ;;
  esac
done

export OF_STATE_DIR=${OF_STATE_DIR:-$REPO/.state-flashbench}
export OF_MYSQL_PORT=${OF_MYSQL_PORT:-33376}
export OF_REDIS_PORT=${OF_REDIS_PORT:-36449}
export OF_KAFKA_PORT=${OF_KAFKA_PORT:-29712}
BUILD=${OF_BENCH_BUILD:-$REPO/build-flashbench}
export OF_BUILD_DIR=$BUILD
BIN=$BUILD/bin
WORK=${OF_BENCH_OUT:-$REPO/.bench-out}/flash
GW_PORT=18700 PEER_PORT=18701
TOKEN=bench-app-token-0123456789
export OF_GATEWAY_TOKENS="app:$TOKEN:service" OF_GATEWAY_PORT=$GW_PORT OF_LOG_LEVEL=warn

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'run_flash_bench: error: %s\n' "$*" >&2; exit 1; }
ordctl() { "$BIN/ordctl" "$@" 2> >(grep -v CONFWARN >&2); }
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh" # admin, reset_db, now, elapsed, ratio
redis() { redis-cli -p "$OF_REDIS_PORT" "$@"; }

PIDS=()
DONE=0
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if ((KEEP == 0 && DONE == 1)); then bash scripts/stack.sh down --purge >/dev/null 2>&1 || true; fi
  ((DONE == 1)) || echo "run_flash_bench: stack left up for inspection ($OF_STATE_DIR; scripts/stack.sh down --purge)" >&2
}
trap cleanup EXIT

# start SYSTEM: its processes (pids in PIDS; the killable worker's in VICTIM), waits for its HTTP front
start() {
  local s=$1 url
  case $s in
    ours)
      "$BIN/of-gateway" >"$WORK/$s.gw.log" 2>&1 & PIDS+=("$!")
      OF_LOG_LEVEL=info "$BIN/of-flash" >"$WORK/$s.f1.log" 2>&1 & PIDS+=("$!")
      OF_LOG_LEVEL=info "$BIN/of-flash" >"$WORK/$s.f2.log" 2>&1 & PIDS+=("$!") VICTIM=$!
      URL="http://127.0.0.1:$GW_PORT" ;;
    *)
      (set -a; . "$OF_CONFIG"; set +a; exec node bench/flash/peer.js "$s" front --port "$PEER_PORT") >"$WORK/$s.front.log" 2>&1 & PIDS+=("$!")
      (set -a; . "$OF_CONFIG"; set +a; exec node bench/flash/peer.js "$s" worker) >"$WORK/$s.w1.log" 2>&1 & PIDS+=("$!")
      (set -a; . "$OF_CONFIG"; set +a; exec node bench/flash/peer.js "$s" worker) >"$WORK/$s.w2.log" 2>&1 & PIDS+=("$!") VICTIM=$!
      URL="http://127.0.0.1:$PEER_PORT" ;;
  esac
  for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/order/job/x/state" -H "Authorization: Bearer $TOKEN" || true)
    [[ $code == 2* || $code == 4* ]] && break
    sleep 0.1
  done
  if [[ $s == ours ]]; then # both workers in the group with their partitions (Kafka delays a new group's first rebalance)
    for _ in $(seq 1 200); do
      grep -q 'partitions assigned' "$WORK/$s.f1.log" && grep -q 'partitions assigned' "$WORK/$s.f2.log" && break
      sleep 0.1
    done
  fi
  sleep 2 # consumers joined their groups / queues
}
stop() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
# CPU ticks of the system's processes; ours includes the Kafka broker (our queue, as Redis is the peers' — Redis and
# MariaDB, shared by all three, are counted for none)
ticks() { local t=0 p; for p in "${PIDS[@]}" ${TICK_ALSO:-}; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
fresh() { # fresh CODE UNITS: an empty Redis, no orders or job records (the peers' job ids start again), a new batch
  redis FLUSHALL >/dev/null
  admin "TRUNCATE TABLE fs_order; TRUNCATE TABLE fs_job; DELETE FROM fs_batch WHERE id > 3"
  ordctl flash batch-create --code "$1" --merchant 1 --units "$2" --price 1.00 --limit-unpaid 2 --end +86400 2>/dev/null
}
# figures TAG BATCH JOBSFILE SUMMARY T0TICKS: one line of results into $WORK/TAG.json
figures() {
  local tag=$1 b=$2 tk=$5
  admin "SELECT job_id, ROUND(UNIX_TIMESTAMP(finished_at) * 1000), state FROM fs_job WHERE batch_id = $b" >"$WORK/$tag.fin"
  local sold over buyers
  sold=$(admin "SELECT CONCAT_WS(' ', sell_num, total_num, (SELECT IFNULL(SUM(num), 0) FROM fs_order WHERE batch_id = $b)) FROM fs_batch WHERE id = $b")
  buyers=$(admin "SELECT COUNT(*) FROM (SELECT user_id FROM fs_order WHERE batch_id = $b AND state = 1 GROUP BY user_id HAVING COUNT(*) > 2) x")
  python3 - "$WORK/$tag.times" "$WORK/$tag.fin" "$4" "$sold" "$buyers" "$tk" "$(getconf CLK_TCK)" >"$WORK/$tag.json" <<'PY'
import json, sys
times, fin, summ, sold, buyers, ticks, hz = sys.argv[1:8]
sub = dict(l.split("\t") for l in open(times).read().split("\n") if l)
done = {}
for l in open(fin).read().split("\n"):
    if l:
        j, t, st = l.split("\t")
        done[j] = int(t)
s = json.loads(open(summ).read())
lat = sorted(done[j] - int(t) for j, t in sub.items() if j in done)
first = min(int(t) for t in sub.values()) if sub else 0
last = max(done.values()) if done else first
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0
sell, total, orders = (int(x) for x in sold.split())
out = {"submitted": s["submitted"], "refused": sum(s["refused"].values()), "submit_per_s": s["jobs_per_s"],
       "finished": len(lat), "completed_per_s": round(len(lat) / max((last - first) / 1000, 0.001)),
       "p50_ms": q(0.50), "p99_ms": q(0.99), "cpu_ms_per_job": round(int(ticks) * 1000 / int(hz) / max(len(lat), 1), 3),
       "oversold": max(0, orders - total, sell - total), "over_limit": int(buyers), "complete": s["complete"],
       "failed": s["failed"], "not_terminal": s["pending"], "sold": orders}
print(json.dumps(out))
PY
}
# warm TAG JOBS USER_BASE: an untimed load through the running system ($URL) on a batch and buyers of its own (JITs
# and caches warm); its summary in $WORK/TAG.warmup
warm() {
  local w
  w=$(ordctl flash batch-create --code "W-$1-$$" --merchant 1 --units "$(($2 * 3))" --price 1.00 --limit-unpaid 2 --end +86400 2>/dev/null)
  node bench/flash/load.js --url "$URL" --token "$TOKEN" --batch "$w" --jobs "$2" --buyers "$2" --user-base "$3" \
    --concurrency 64 --poll-timeout 120 >"$WORK/$1.warmup" 2>&1 || die "warm-up load ($1)"
}
run() { # run SYSTEM MODE(burst|steady)
  local s=$1 m=$2 tag="$1.$2" b t0
  b=$(fresh "B-$tag-$$" "$UNITS")
  start "$s"
  ((WARMUP > 0)) && warm "$tag" "$WARMUP" 5000000
  TICK_ALSO=""
  [[ $s == ours ]] && TICK_ALSO=$(pgrep -f "java.*$OF_STATE_DIR/" | tr '\n' ' ' || true)
  t0=$(ticks)
  local pace=()
  [[ $m == steady ]] && pace=(--rate "$RATE")
  node bench/flash/load.js --url "$URL" --token "$TOKEN" --batch "$b" --jobs "$JOBS" --buyers "$BUYERS" --concurrency 64 \
    --times "$WORK/$tag.times" --poll-timeout 120 "${pace[@]}" >"$WORK/$tag.summary" 2>"$WORK/$tag.load.err" || die "load ($tag)"
  sleep 1
  figures "$tag" "$b" "$WORK/$tag.times" "$WORK/$tag.summary" "$(($(ticks) - t0))"
  stop
  say "  $tag: $(cat "$WORK/$tag.json")"
}
run_kill() { # SIGKILL a worker process a third of the way through, start it again 2 s later
  local s=$1 tag="$1.kill" b
  b=$(fresh "K-$tag-$$" "$((KILL_JOBS * 3))")
  start "$s"
  node bench/flash/load.js --url "$URL" --token "$TOKEN" --batch "$b" --jobs "$KILL_JOBS" --buyers "$KILL_JOBS" --nums 1 \
    --concurrency 64 --rate $((RATE * 4)) --times "$WORK/$tag.times" --poll-timeout 60 >"$WORK/$tag.summary" 2>/dev/null &
  local load=$!
  for _ in $(seq 1 600); do
    (($(admin "SELECT COUNT(*) FROM fs_order WHERE batch_id = $b") >= KILL_JOBS / 3)) && break
    sleep 0.05
  done
  local at
  at=$(admin "SELECT COUNT(*) FROM fs_order WHERE batch_id = $b")
  kill -KILL "$VICTIM"
  sleep 2
  case $s in
    ours) "$BIN/of-flash" >"$WORK/$s.f3.log" 2>&1 & PIDS+=("$!") ;;
    *) (set -a; . "$OF_CONFIG"; set +a; exec node bench/flash/peer.js "$s" worker) >"$WORK/$s.w3.log" 2>&1 & PIDS+=("$!") ;;
  esac
  wait "$load" || true
  local accepted recorded dup
  accepted=$(wc -l <"$WORK/$tag.times")
  cut -f1 "$WORK/$tag.times" | sort >"$WORK/$tag.ids"
  admin "SELECT job_id FROM fs_job WHERE batch_id = $b" | sort >"$WORK/$tag.rec"
  recorded=$(comm -12 "$WORK/$tag.ids" "$WORK/$tag.rec" | wc -l)
  dup=$(admin "SELECT COUNT(*) - COUNT(DISTINCT job_id) FROM fs_order WHERE batch_id = $b")
  stop
  printf '{"killed_at_orders": %s, "accepted": %s, "not_terminal_after_60s": %s, "no_record": %s, "second_orders": %s}\n' \
    "$at" "$accepted" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pending"])' "$WORK/$tag.summary")" \
    "$((accepted - recorded))" "$dup" >"$WORK/$tag.json"
  say "  $tag: $(cat "$WORK/$tag.json")"
}

# ------------------------------------------------------------------ setup
say "build (Release, $BUILD) and the peers (npm, bench/flash)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DOF_SANITIZE=OFF -DOF_TESTS=OFF -DOF_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target of-gateway of-flash ordctl -- --no-print-directory >/dev/null || die "build failed"
if [[ ",$ONLY," == *,bullmq,* || ",$ONLY," == *,kue,* ]]; then
  (cd bench/flash && npm ci --no-audit --no-fund >/dev/null 2>&1) || die "npm ci in bench/flash failed"
fi
mkdir -p "$OF_STATE_DIR" "$WORK"
say "fresh stack ($OF_STATE_DIR, mysql :$OF_MYSQL_PORT, redis :$OF_REDIS_PORT, kafka :$OF_KAFKA_PORT)"
bash scripts/stack.sh down --purge >/dev/null 2>&1 || true
bash scripts/stack.sh up >/dev/null
export OF_CONFIG=$OF_STATE_DIR/stack.env
ordctl migrate >/dev/null
reset_db >/dev/null

IFS=, read -r -a SYSTEMS <<<"$ONLY"
if ((BROKER_WARMUP > 0)) && [[ ",$ONLY," == *,ours,* ]]; then
  # A broker just started spends its first minute compiling (HotSpot's JIT): 30,000 jobs through a fresh broker
  # cost it four times the CPU of the same jobs through a warm one (docs/benchmarks.md). Production brokers run
  # warm; so does this one before anything is measured.
  say "broker warm-up: $BROKER_WARMUP jobs through of-gateway (untimed)"
  start ours
  warm broker "$BROKER_WARMUP" 7000000
  stop
  say "  broker warm-up: $(cat "$WORK/broker.warmup")"
fi
for s in "${SYSTEMS[@]}"; do
  say "$s: burst ($JOBS jobs, $BUYERS buyers, $UNITS units), steady ($RATE jobs/s)"
  run "$s" burst
  run "$s" steady
  ((KILL_JOBS > 0)) && run_kill "$s"
done

# ------------------------------------------------------------------ report
say "results (ratios: ours / peer)"
python3 - "$WORK" "${SYSTEMS[@]}" <<'PY'
import json, os, sys
work, systems = sys.argv[1], sys.argv[2:]
def load(t):
    p = os.path.join(work, t + ".json")
    return json.load(open(p)) if os.path.exists(p) else None
for mode in ("burst", "steady"):
    print(f"\n{mode}:")
    print(f"  {'system':8} {'submit/s':>9} {'done/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms/job':>10} {'oversold':>8} {'over limit':>10} {'sold':>6}")
    rows = {s: load(f"{s}.{mode}") for s in systems}
    for s, r in rows.items():
        if r:
            print(f"  {s:8} {r['submit_per_s']:>9} {r['completed_per_s']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8} {r['cpu_ms_per_job']:>10} {r['oversold']:>8} {r['over_limit']:>10} {r['sold']:>6}")
    o = rows.get("ours")
    for s, r in rows.items():
        if o and r and s != "ours":
            print(f"  ours/{s}: completed/s {o['completed_per_s'] / max(r['completed_per_s'], 1):.2f}x, "
                  f"p99 {o['p99_ms'] / max(r['p99_ms'], 1):.2f}x, cpu/job {o['cpu_ms_per_job'] / max(r['cpu_ms_per_job'], 1e-9):.2f}x")
print("\nSIGKILL of a worker process (restarted 2 s later):")
for s in systems:
    r = load(f"{s}.kill")
    if r:
        print(f"  {s:8} {json.dumps(r)}")
PY
DONE=1
