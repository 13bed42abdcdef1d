#!/usr/bin/env bash
# delivery.sh -- delivery benchmark on the local stack (docs/benchmarks.md): our design (Kafka + of-delivery) beside
# the seed's (Redis list + RPOPLPUSH, the same Lua scripts, as many consumer loops as of-delivery keeps calls in
# flight) against the same test merchant, in one run; retry due-time error; fresh-request latency with 10,000
# requests parked on the ladder vs none. Prints figures; no pass/fail.
# Knobs: N (5000 deliveries per design), MERCHANT_DELAY_MS (0), OF_DELIVERY_MAX_INFLIGHT (64), PARK (10000),
#        INSTANCES (1: of-delivery processes in the group; the seed gets INSTANCES x in-flight loops),
#        KEEP_DB=1 (keep the tables of earlier runs; by default they are emptied first), BENCH_LOG_LEVEL (warn),
#        FRESH (200 fresh requests at 20/s), HALF_S (5: seconds of the run at half the measured rate), PERF_OURS=FILE (perf record -a -g over our run), ONLY=throughput (skip the due-time and parked figures),
#        OF_STATE_DIR / OF_MYSQL_PORT / OF_REDIS_PORT / OF_KAFKA_PORT: its own stack, never the developer's
#        (default <repo>/.state-bench on 33336 / 36409 / 29592, as bench/run_submit_bench.sh; left up: scripts/stack.sh down).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
N=${N:-5000} INSTANCES=${INSTANCES:-1} PARK=${PARK:-10000} FRESH=${FRESH:-200} MERCHANT_DELAY_MS=${MERCHANT_DELAY_MS:-0}
export OF_DELIVERY_MAX_INFLIGHT=${OF_DELIVERY_MAX_INFLIGHT:-64}
export OF_BATCH_SIZE=${OF_BATCH_SIZE:-500}
export OF_STATE_DIR=${OF_STATE_DIR:-$REPO/.state-bench} OF_MYSQL_PORT=${OF_MYSQL_PORT:-33336}
export OF_REDIS_PORT=${OF_REDIS_PORT:-36409} OF_KAFKA_PORT=${OF_KAFKA_PORT:-29592}
STATE=$OF_STATE_DIR
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOF_SANITIZE=OFF >/dev/null
cmake --build build -j "$(nproc)" -- --no-print-directory 2>&1 | grep -Ev '^\[|^-- ' || true
OF_BUILD_DIR=$REPO/build bash scripts/stack.sh up >/dev/null
export OF_CONFIG=$STATE/stack.env
build/bin/ordctl migrate >/dev/null
source bench/lib.sh
if [[ ${KEEP_DB:-0} != 1 ]]; then
  reset_db # every run on empty tables: MariaDB's cost per delivery grows with them (1.1 M rows: 44 -> 74 us)
elif [[ $(bash scripts/stack.sh mysql -N -B -e 'SELECT COUNT(*) FROM merchant') == 0 ]]; then
  bash scripts/stack.sh mysql <data/sample/catalogue.sql
fi
export OF_MERCHANT_1_SECRET=${OF_MERCHANT_1_SECRET:-bench-secret-$RANDOM$RANDOM}
export OF_LOG_LEVEL=${BENCH_LOG_LEVEL:-warn} OF_STATS_INTERVAL_S=0
W=$(mktemp -d "${TMPDIR:-/tmp}/of-bench.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
build/bin/of-testmerchant --port 0 --port-file "$W/port" --log "$W/merchant.log" --delay-ms "$MERCHANT_DELAY_MS" \
  --merchant ranch-01=OF_MERCHANT_1_SECRET 2>"$W/merchant.out" &
PIDS+=($!)
for _ in $(seq 1 100); do [[ -s $W/port ]] && break; sleep 0.05; done
PORT=$(cat "$W/port")
URL=http://127.0.0.1:$PORT/deliver/ranch-01
bash scripts/stack.sh mysql -e "UPDATE merchant SET endpoint_url = '$URL', timeout_ms = 5000 WHERE id = 1"
MERCHANT_PID=${PIDS[0]}
build/bin/of-retry-ladder 2>"$W/ladder.log" &
PIDS+=($!)
LADDER_PID=$!
DELIVERY_PIDS=()
for i in $(seq 1 "$INSTANCES"); do
  OF_INSTANCE_ID=bench-delivery-$i build/bin/of-delivery 2>"$W/delivery-$i.log" &
  PIDS+=($!)
  DELIVERY_PIDS+=($!)
done
LOOPS=$((INSTANCES * OF_DELIVERY_MAX_INFLIGHT))
build/bin/ordctl wait-idle --topic delivery.request --group orderfleet.delivery --timeout 300 >/dev/null 2>&1 || true
RUN=$(date +%s)
B=build/bin/of-bench-delivery
# Warm-up until the group is settled: instances joining one after the other rebalance the group, and a
# rebalance in the middle of the measured run would be measured. 400 requests until none waits over a second.
for k in 1 2 3 4 5 6; do
  warm=$($B ours --count 400 --run "${RUN}w$k" --merchant-log "$W/merchant.log")
  (($(sed 's/.* max_ms=\([0-9]*\).*/\1/' <<<"$warm") < 1000)) && break
  sleep 2
done
echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "warm-up (last): $warm"
echo "setup: N=$N merchant_delay_ms=$MERCHANT_DELAY_MS in_flight=$OF_DELIVERY_MAX_INFLIGHT batch=$OF_BATCH_SIZE instances=$INSTANCES (seed loops=$LOOPS)"
# CPU seconds (user + system) of each process over a phase: where the two cores go.
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
CPU_NAMES=(mysqld redis broker delivery merchant)
CPU_PIDS=("$(cat "$STATE/run/mysqld.pid")" "$(cat "$STATE/run/redis.pid")" "$(cat "$STATE/run/kafka-1.pid")" "${DELIVERY_PIDS[*]}" "$MERCHANT_PID")
cpu_mark() { CPU0=(); for p in "${CPU_PIDS[@]}"; do CPU0+=("$(ticks $p)"); done; }
# cpu_report PHASE [N]: CPU seconds of each process over the phase, and with N its microseconds per delivery
cpu_report() {
  local out="cpu_s($1)" per="cpu_us_per_delivery($1)" i hz s
  hz=$(getconf CLK_TCK)
  for i in "${!CPU_PIDS[@]}"; do
    s=$(awk -v a="${CPU0[$i]}" -v b="$(ticks ${CPU_PIDS[$i]})" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')
    out+=" ${CPU_NAMES[$i]}=$s"
    per+=" ${CPU_NAMES[$i]}=$(awk -v s="$s" -v n="${2:-0}" 'BEGIN { printf "%.0f", n ? s * 1e6 / n : 0 }')"
  done
  echo "$out"
  [[ -z ${2:-} ]] || echo "$per"
}
cpu_mark
[[ -n ${PERF_OURS:-} ]] && { perf record -F 999 -a -g -o "$PERF_OURS" >/dev/null 2>&1 & PERF_PID=$!; }
ours=$($B ours --count "$N" --run "${RUN}o" --merchant-log "$W/merchant.log")
[[ -n ${PERF_OURS:-} ]] && { kill -INT "$PERF_PID"; wait "$PERF_PID" || true; }
echo "$ours"
cpu_report ours "$N"
rss=""
for p in "${DELIVERY_PIDS[@]}"; do rss+=" $(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$p/status")"; done
echo "of-delivery peak RSS MB:$rss"
cpu_mark
seed=$($B seed --count "$N" --run "${RUN}s" --merchant-log "$W/merchant.log" --merchant-url "$URL" --loops "$LOOPS")
echo "$seed"
cpu_report seed "$N"
po=$(sed 's/.* per_s=\([0-9]*\).*/\1/' <<<"$ours") ps=$(grep '^seed-drain' <<<"$seed" | sed 's/.* per_s=\([0-9]*\).*/\1/')
echo "throughput ratio ours/seed-drain = $(awk -v a="$po" -v b="$ps" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
# latency at half the rate just measured (ours), for HALF_S seconds: notify -> merchant when not saturated
HALF_S=${HALF_S:-5}
half=$((po / 2))
if ((half > 0 && HALF_S > 0)); then
  cpu_mark
  h=$($B ours --count $((half * HALF_S)) --rate "$half" --run "${RUN}h" --merchant-log "$W/merchant.log")
  echo "half rate ($half/s for ${HALF_S} s): $h"
  cpu_report half $((half * HALF_S))
fi
[[ ${ONLY:-} == throughput ]] && exit 0
$B due --count 2000 --rate 400 --delay-ms 3000 --run "${RUN}d"
f0=$($B ours --count "$FRESH" --rate 20 --run "${RUN}f0" --merchant-log "$W/merchant.log")
echo "fresh, none parked:    $f0"
$B park --count "$PARK" --run "${RUN}p"
sleep 3
f1=$($B ours --count "$FRESH" --rate 20 --run "${RUN}f1" --merchant-log "$W/merchant.log")
echo "fresh, $PARK parked: $f1"
p0=$(sed 's/.* p99_ms=\([0-9]*\).*/\1/' <<<"$f0") p1=$(sed 's/.* p99_ms=\([0-9]*\).*/\1/' <<<"$f1")
echo "fresh p99 ratio parked/none = $(awk -v a="$p1" -v b="$p0" 'BEGIN { printf "%.2f", b ? a / b : 0 }') ($p1 ms / $p0 ms)"
echo "ladder CPU seconds over the run: $(awk '{printf "%.2f", ($14 + $15) / 100}' /proc/"$LADDER_PID"/stat)"
