#!/usr/bin/env bash
# kill_storm.sh -- how long partitions go without an owner while instances of a worker are killed again and again
# (issue 10, item 7; docs/benchmarks.md "Kill storms"): dynamic against static group membership, side by side in
# one run.
#
# Usage: bench/kill_storm.sh [--worker trade-submit|delivery] [--instances N] [--kills K] [--gap MIN-MAX] [--rate R]
#                            [--modes "dynamic static"] [--no-build] [--keep-stack]
#        bench/kill_storm.sh --analyse DIR        (figures of a storm directory; tests/integration/it_kill_storm.sh)
#   --worker W      trade-submit (default: raw trades on trade.raw, 16 partitions) or delivery (delivery requests
#                   on delivery.request, 8 partitions, POSTed to of-testmerchant, which answers 200; one
#                   of-retry-ladder, never killed, serves a try that fails)
#   --instances N   instances in the group (default 3)
#   --kills K       SIGKILLs per mode (default 30); each picks a random instance and restarts it at once with the
#                   same OF_INSTANCE_ID (as a supervisor would)
#   --gap MIN-MAX   seconds between kills, drawn uniformly (default 2-5)
#   --rate R        messages published per second during the whole storm (default 100; one trade-submit drains
#                   ~500/s, so backlogs left by a stall are worked off); delivery requests go in bursts of R a second
#   --modes M       membership modes, run one after the other: dynamic (OF_KAFKA_STATIC_MEMBER=off) and static
#                   (OF_KAFKA_STATIC_MEMBER=on); default both
#   --no-build      use the binaries in OF_BENCH_BUILD as they are
#   --keep-stack    leave the bench stack up (default: down --purge when it is the script's own stack)
# Stack: OF_STATE_DIR (default <repo>/.state-storm, then own ports MariaDB 33346, Redis 36419, Kafka 29692) or,
# when OF_STATE_DIR is set, that stack (left up). Build: Release into <repo>/build-bench (OF_BENCH_BUILD).
# Output and logs: OF_BENCH_OUT (default <repo>/.bench-out/kill-storm-<time>).
#
# Figures, per mode, over the storm (first kill to idle):
#   longest no-owner gap   the longest time one partition of the topic had no live owner: from the SIGKILL of its
#                          owner (or a revoke) to the next "partitions assigned" naming it in a live instance's log
#   unowned partition-s    the sum of those gaps over the partitions; gaps > 2 s: how many
#   revoked on live        partitions taken from instances that were not killed (rebalance churn)
#   latency max/p99/p50    publish (ordctl --times; a delivery burst's time) to api_trade.created_at (trade-submit) or
#                          delivery.delivered_at (delivery), every message published from the first kill on (the
#                          5 s before it warm up): a message published into a partition without owner waits for one
#   exactly once           trade-submit: every trade stored once, processed_event = trades, stock check clean;
#                          delivery: every order delivered, one delivery row each, one first call per order at the
#                          merchant (a repeated call with the same Idempotency-Key, dup=1, is counted apart)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ------------------------------------------------------------------ analysis of a storm directory
# DIR/events: "start MS NAME LOG", "kill MS NAME" (after the kill), "stop MS NAME" (before the SIGTERM at the end),
# "storm MS" (storm begins), "end MS" (group idle after the storm) (epoch ms; LOG relative to DIR);
# DIR/times: "id<TAB>publish ms" (ordctl publish-trades --times); DIR/stored: "id<TAB>stored ms".
analyse() {
  python3 - "$1" <<'EOF'
import datetime, os, re, sys
d = sys.argv[1]
ev = [l.split() for l in open(os.path.join(d, "events")) if l.strip()]
storm = next(int(e[1]) for e in ev if e[0] == "storm")
end = next(int(e[1]) for e in ev if e[0] == "end")
incs, cur = [], {}
for e in ev:
    if e[0] == "start":
        cur[e[2]] = {"name": e[2], "start": int(e[1]), "end": None, "log": e[3], "killed": False}
        incs.append(cur[e[2]])
    elif e[0] in ("kill", "stop") and e[2] in cur:
        cur[e[2]]["end"] = int(e[1])
        cur[e[2]]["killed"] = e[0] == "kill"
# a value is quoted only when it holds a space: one partition comes as partitions=topic:3
line = re.compile(r'^ts=(\S+) .*msg="partitions (assigned|revoked)".*? partitions=(?:"([^"]*)"|(\S*))')
def ms(ts):
    return int(datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
changes = []  # (ms, partition, +1 / -1)
revoked_live = 0
parts = set()
for inc in incs:
    owned = set()
    stop = inc["end"] if inc["end"] is not None else end
    for l in open(os.path.join(d, inc["log"]), errors="replace"):
        m = line.match(l)
        if not m:
            continue
        t, kind = ms(m.group(1)), m.group(2)
        ps = set((m.group(3) if m.group(3) is not None else m.group(4)).split())
        if t > stop:
            continue
        parts |= ps
        for p in sorted(ps):
            if kind == "assigned" and p not in owned:
                owned.add(p); changes.append((t, p, +1))
            elif kind == "revoked" and p in owned:
                owned.discard(p); changes.append((t, p, -1))
        if kind == "revoked" and t >= storm:  # before its kill or the SIGTERM at the end: a live instance's
            revoked_live += len(ps)
    for p in owned:  # a SIGKILL or the stop at the end takes every partition it held
        changes.append((stop, p, -1))
changes.sort(key=lambda c: (c[0], -c[2]))
gaps = []  # (ms, partition, from)
for p in sorted(parts):
    n, since = 0, None
    for t, q, s in changes:
        if q != p:
            continue
        if n == 0 and s > 0 and since is not None:
            a, b = max(since, storm), min(t, end)
            if b > a:
                gaps.append((b - a, p, a - storm))
            since = None
        n += s
        if n == 0 and since is None:
            since = t
    if n == 0 and since is not None and since < end:
        gaps.append((end - max(since, storm), p, max(since, storm) - storm))
gaps.sort(reverse=True)
lat = []
pub = {}
for l in open(os.path.join(d, "times")):
    f = l.split("\t")
    if len(f) == 2:
        pub[f[0]] = int(f[1])
for l in open(os.path.join(d, "stored")):
    f = l.split("\t")
    if len(f) == 2 and f[0] in pub and pub[f[0]] >= storm:  # published during the storm (not the warm-up)
        lat.append(int(float(f[1])) - pub[f[0]])
lat.sort()
q = lambda x: lat[min(len(lat) - 1, int(len(lat) * x))] if lat else -1
top = gaps[0] if gaps else (0, "-", 0)
print("partitions=%d kills=%d storm_s=%.1f longest_gap_ms=%d longest_gap_partition=%s longest_gap_at_s=%.1f "
      "unowned_partition_s=%.1f gaps_over_2s=%d revoked_on_live=%d latency_max_ms=%d latency_p99_ms=%d "
      "latency_p50_ms=%d over_5s=%d messages=%d" % (
          len(parts), sum(1 for e in ev if e[0] == "kill"), (end - storm) / 1000, top[0], top[1], top[2] / 1000,
          sum(g[0] for g in gaps) / 1000, sum(1 for g in gaps if g[0] > 2000), revoked_live, lat[-1] if lat else -1,
          q(0.99), q(0.50), sum(1 for x in lat if x > 5000), len(lat)))
EOF
}
if [[ ${1:-} == --analyse ]]; then
  [[ -d ${2:-} ]] || { echo "kill_storm: --analyse DIR: no such directory" >&2; exit 2; }
  analyse "$2"
  exit 0
fi

WORKER=trade-submit INSTANCES=3 KILLS=30 GAP=2-5 RATE=100 MODES="dynamic static" BUILD_IT=1 KEEP=0
while (($#)); do
  case "$1" in
    --worker) WORKER=$2; shift 2 ;;
    --instances) INSTANCES=$2; shift 2 ;;
    --kills) KILLS=$2; shift 2 ;;
    --gap) GAP=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --no-build) BUILD_IT=0; shift ;;
    --keep-stack) KEEP=1; shift ;;
    -h | --help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "kill_storm: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $GAP =~ ^([0-9]+)-([0-9]+)$ ]] || { echo "kill_storm: --gap MIN-MAX (seconds)" >&2; exit 2; }
GAP_MIN=$((BASH_REMATCH[1] * 1000)) GAP_MAX=$((BASH_REMATCH[2] * 1000))
case $WORKER in
  trade-submit) TOPIC=trade.raw PARTS=16 ;;
  delivery) TOPIC=delivery.request PARTS=8 ;;
  *) echo "kill_storm: --worker trade-submit or delivery" >&2; exit 2 ;;
esac
cd "$REPO"
OWN_STACK=0
[[ -n ${OF_STATE_DIR:-} ]] || OWN_STACK=1
export OF_STATE_DIR=${OF_STATE_DIR:-$REPO/.state-storm}
if ((OWN_STACK)); then
  export OF_MYSQL_PORT=${OF_MYSQL_PORT:-33346} OF_REDIS_PORT=${OF_REDIS_PORT:-36419} OF_KAFKA_PORT=${OF_KAFKA_PORT:-29692}
fi
BUILD=${OF_BENCH_BUILD:-$REPO/build-bench}
export OF_BUILD_DIR=$BUILD
BIN=$BUILD/bin
RUN_ID=$(date +%s)
OUT=${OF_BENCH_OUT:-$REPO/.bench-out/kill-storm-$RUN_ID}
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'kill_storm: error: %s\n' "$*" >&2; exit 1; }
ordctl() { "$BIN/ordctl" "$@" 2> >(grep -v CONFWARN >&2); }
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh" # admin, reset_db
now_ms() { date +%s%3N; }
declare -A PID GEN
DONE=0
cleanup() {
  local p
  for p in "${PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PID[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -n ${PUB:-} ]] && { kill "$PUB" 2>/dev/null || true; wait "$PUB" 2>/dev/null || true; }
  [[ -n ${LADDER:-} ]] && { kill -TERM "$LADDER" 2>/dev/null || true; wait "$LADDER" 2>/dev/null || true; }
  [[ -n ${MERCHANT:-} ]] && { kill -TERM "$MERCHANT" 2>/dev/null || true; wait "$MERCHANT" 2>/dev/null || true; }
  if ((OWN_STACK && KEEP == 0 && DONE == 1)); then bash scripts/stack.sh down --purge >/dev/null 2>&1 || true; fi
  ((DONE == 1)) || echo "kill_storm: stopped early; logs in $OUT, stack $OF_STATE_DIR left up" >&2
}
trap cleanup EXIT

if ((BUILD_IT)); then
  say "build (Release, $BUILD)"
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DOF_SANITIZE=OFF -DOF_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target "of-$WORKER" ordctl of-testmerchant of-retry-ladder -- \
    --no-print-directory \
    >/dev/null || die "build failed"
fi
[[ -x $BIN/of-$WORKER && -x $BIN/ordctl ]] || die "no binaries in $BIN"
mkdir -p "$OF_STATE_DIR" "$OUT"
say "stack $OF_STATE_DIR"
bash scripts/stack.sh up >"$OUT/stack-up.out" 2>&1 || { cat "$OUT/stack-up.out"; die "stack.sh up failed"; }
export OF_CONFIG=$OF_STATE_DIR/stack.env
ordctl migrate >/dev/null
MID=$(((GAP_MIN + GAP_MAX) / 2))
STORM_S=$((KILLS * MID / 1000 + 20)) # kills, then 20 s of tail
TRADES=$((RATE * (STORM_S + 5)))
if [[ $WORKER == trade-submit ]]; then
  say "generate $TRADES trades ($RATE/s for ~${STORM_S}s)"
  python3 bench/gen_bench_trades.py --trades "$TRADES" --seed 7007 >"$OUT/trades.jsonl" 2>/dev/null
else
  export OF_MERCHANT_1_SECRET=bench-storm-secret OF_RETRY_LADDER=1,2,3,4
  "$BIN/of-testmerchant" --port 0 --port-file "$OUT/merchant.port" --log "$OUT/merchant.log" \
    --merchant ranch-01=OF_MERCHANT_1_SECRET >"$OUT/merchant.out" 2>&1 &
  MERCHANT=$!
  for _ in $(seq 1 100); do [[ -s $OUT/merchant.port ]] && break; sleep 0.05; done
  MPORT=$(cat "$OUT/merchant.port") || die "of-testmerchant did not start: $(cat "$OUT/merchant.out")"
  say "test merchant on 127.0.0.1:$MPORT; $RATE delivery requests a second for ~${STORM_S}s"
fi
MACHINE="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?')"

start() { # mode name: (re)start instance name, log per incarnation, recorded in events
  local mode=$1 name=$2 static=off log
  [[ $mode == static ]] && static=on
  GEN[$name]=$((${GEN[$name]:-0} + 1))
  log="$name.$((GEN[$name])).log"
  OF_LOG_LEVEL=info OF_INSTANCE_ID=$name OF_KAFKA_STATIC_MEMBER=$static "$BIN/of-$WORKER" >"$W/$log" 2>&1 &
  PID[$name]=$!
  echo "start $(now_ms) $name $log" >>"$W/events"
}

# delivery requests: R orders a second (ordctl deliver --count R), "order<TAB>ms" per order into DIR/times
publish_deliveries() { # dir base
  local base=$2 s t0 t
  t0=$(now_ms)
  for ((s = 0; s < STORM_S + 5; s++)); do
    t=$(now_ms)
    ordctl deliver --merchant 1 --order $((base + s * RATE)) --count "$RATE" >/dev/null 2>>"$1/publish.out" ||
      echo "burst $s failed" >>"$1/publish.out"
    seq $((base + s * RATE)) $((base + s * RATE + RATE - 1)) | awk -v t="$t" '{ print $1 "\t" t }' >>"$1/times"
    sleep "$(awk -v d="$((t0 + (s + 1) * 1000 - $(now_ms)))" 'BEGIN { printf "%.3f", (d > 0 ? d / 1000 : 0) }')"
  done
}

# owned LOG: the partitions LOG's instance holds now (its assigned minus its revoked)
owned() {
  awk '/msg="partitions (assigned|revoked)"/ { add = /msg="partitions assigned"/; match($0, / partitions=("[^"]*"|[^ ]*)/)
         v = substr($0, RSTART + 12, RLENGTH - 12); gsub(/"/, "", v)
         n = split(v, a, " "); for (i = 1; i <= n; i++) if (add) o[a[i]] = 1; else delete o[a[i]] }
       END { for (p in o) print p }' "$1"
}

declare -A RES
for mode in $MODES; do
  [[ $mode == dynamic || $mode == static ]] || die "--modes: dynamic or static, not $mode"
  W=$OUT/$mode
  mkdir -p "$W"
  : >"$W/events"
  reset_db
  if [[ $WORKER == delivery ]]; then
    admin "UPDATE merchant SET endpoint_url = 'http://127.0.0.1:$MPORT/deliver/ranch-01', timeout_ms = 3000,
           is_enabled = 1 WHERE id = 1"
  fi
  MODE_N=$((${MODE_N:-0} + 1)) # orders of each mode are numbered apart: the merchant remembers idempotency keys
  export OF_TOPIC_PREFIX="ks$RUN_ID.$mode." OF_KAFKA_GROUP="bench.ks$RUN_ID.$mode.$WORKER" OF_REDIS_PREFIX="ks$RUN_ID:$mode:"
  ordctl topics create --quiet >/dev/null || die "cannot create the topics of $mode"
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  say "[$mode] $INSTANCES instances of $WORKER (OF_KAFKA_STATIC_MEMBER=$([[ $mode == static ]] && echo on || echo off)), load $load0"
  PID=() GEN=()
  LADDER=
  if [[ $WORKER == delivery ]]; then # failed tries (a reset connection) come back through the ladder; never killed
    OF_KAFKA_GROUP="bench.ks$RUN_ID.$mode.retry-ladder" OF_INSTANCE_ID=ks-ladder "$BIN/of-retry-ladder" \
      >"$W/ladder.out" 2>&1 &
    LADDER=$!
  fi
  for ((i = 1; i <= INSTANCES; i++)); do start "$mode" "ks-$i"; done
  # settled: every instance owns partitions (what it was assigned minus what it gave back), together all of them,
  # and that held for 3 s (a cooperative move takes two rebalances)
  settled=0
  for _ in $(seq 1 600); do
    all=0 each=1
    for ((i = 1; i <= INSTANCES; i++)); do
      k=$(owned "$W/ks-$i.1.log" | wc -l)
      ((k > 0)) || each=0
      all=$((all + k))
    done
    if ((each && all == PARTS)); then settled=$((settled + 1)); else settled=0; fi
    ((settled >= 6)) && break
    sleep 0.5
  done
  ((settled >= 6)) || die "[$mode] the group did not settle (logs in $W)"
  : >"$W/times"
  if [[ $WORKER == trade-submit ]]; then
    ordctl publish-trades --quiet --rate "$RATE" --times "$W/times" "$OUT/trades.jsonl" >"$W/publish.out" 2>&1 &
  else
    publish_deliveries "$W" $(((RUN_ID % 1000) * 10000000 + MODE_N * 1000000)) &
  fi
  PUB=$!
  sleep 5
  echo "storm $(now_ms)" >>"$W/events"
  for ((k = 1; k <= KILLS; k++)); do
    gap=$((GAP_MIN + RANDOM % (GAP_MAX - GAP_MIN + 1)))
    sleep "$(awk -v g="$gap" 'BEGIN { printf "%.3f", g / 1000 }')"
    name="ks-$((1 + RANDOM % INSTANCES))"
    kill -KILL "${PID[$name]}" 2>/dev/null || true
    wait "${PID[$name]}" 2>/dev/null || true
    echo "kill $(now_ms) $name" >>"$W/events"
    start "$mode" "$name"
  done
  say "[$mode] $KILLS kills done; waiting for the publisher and the group"
  wait "$PUB" || true
  PUB=
  ordctl wait-idle --topic "$TOPIC" --group "$OF_KAFKA_GROUP" --timeout 600 >/dev/null 2>"$W/wait-idle.err" ||
    die "[$mode] wait-idle failed"
  echo "end $(now_ms)" >>"$W/events"
  load1=$(cut -d' ' -f1-3 /proc/loadavg)
  rc=0
  for name in "${!PID[@]}"; do
    echo "stop $(now_ms) $name" >>"$W/events" # before the signal: the revoke of a clean stop is not churn
    kill -TERM "${PID[$name]}" 2>/dev/null || true
    wait "${PID[$name]}" || rc=$?
  done
  PID=()
  if [[ -n $LADDER ]]; then
    kill -TERM "$LADDER" 2>/dev/null || true
    wait "$LADDER" || rc=$?
    LADDER=
  fi
  ((rc == 0)) || die "[$mode] an instance exited $rc on SIGTERM (logs in $W)"
  published=$(grep -c . "$W/times")
  once=yes
  if [[ $WORKER == trade-submit ]]; then
    admin "SELECT tid, ROUND(UNIX_TIMESTAMP(created_at) * 1000) FROM api_trade" >"$W/stored"
    stored=$(admin "SELECT COUNT(*) FROM api_trade")
    distinct=$(admin "SELECT COUNT(DISTINCT platform_id, tid) FROM api_trade")
    applied=$(admin "SELECT COUNT(*) FROM processed_event")
    [[ $stored == "$published" && $distinct == "$published" && $applied == "$published" ]] ||
      once="NO ($published published, $stored stored, $distinct distinct, $applied applied)"
    OF_MYSQL_CONNECT_TIMEOUT_S=300 ordctl stock-check >"$W/stock-check.out" 2>&1 || once="$once, stock check failed"
  else
    admin "SELECT order_id, ROUND(UNIX_TIMESTAMP(delivered_at) * 1000) FROM delivery WHERE status = 2" >"$W/stored"
    # the merchant's calls for this mode's orders
    awk 'NR == FNR { want[$1] = 1; next } match($0, / order=[^ ]+/) { if (substr($0, RSTART + 7, RLENGTH - 7) in want) print }' \
      "$W/times" "$OUT/merchant.log" >"$W/merchant.log"
    rows=$(admin "SELECT COUNT(*) FROM delivery")
    delivered=$(admin "SELECT COUNT(*) FROM delivery WHERE status = 2")
    first=$(grep -c ' dup=0 ' "$W/merchant.log" || true)
    orders=$({ grep ' dup=0 ' "$W/merchant.log" || true; } | grep -o ' order=[^ ]*' | sort -u | wc -l || true)
    dups=$(grep -c ' dup=1 ' "$W/merchant.log" || true)
    [[ $rows == "$published" && $delivered == "$published" && $first == "$published" && $orders == "$published" ]] ||
      once="NO ($published published, $rows rows, $delivered delivered, $first first calls for $orders orders)"
    once="$once (repeated calls, same key: $dups)"
  fi
  RES[$mode]="$(analyse "$W") exactly_once=$once load=\"$load0 → $load1\""
  say "[$mode] ${RES[$mode]}"
done

get() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"${RES[$1]}"; }
echo
echo "kill storm: $INSTANCES instances of $WORKER, $KILLS SIGKILLs per mode every ${GAP}s (restarted at once with"
echo "the same OF_INSTANCE_ID), $TOPIC with $PARTS partitions, $RATE messages/s; $MACHINE; logs in $OUT"
echo
echo "| membership | longest no-owner gap s | unowned partition-s | gaps > 2 s | partitions revoked from live instances | latency max / p99 / p50 ms | messages > 5 s | exactly once | load (1/5/15 min, start → end) |"
echo "|---|---|---|---|---|---|---|---|---|"
for mode in $MODES; do
  printf '| %s | %.2f | %s | %s | %s | %s / %s / %s | %s | %s | %s |\n' "$mode" "$(awk -v x="$(get "$mode" longest_gap_ms)" 'BEGIN { print x / 1000 }')" \
    "$(get "$mode" unowned_partition_s)" "$(get "$mode" gaps_over_2s)" "$(get "$mode" revoked_on_live)" \
    "$(get "$mode" latency_max_ms)" "$(get "$mode" latency_p99_ms)" "$(get "$mode" latency_p50_ms)" \
    "$(get "$mode" over_5s)" "$(sed -n 's/.*exactly_once=\(.*\) load=.*/\1/p' <<<"${RES[$mode]}")" \
    "$(sed -n 's/.*load="\(.*\)"$/\1/p' <<<"${RES[$mode]}")"
done
DONE=1
