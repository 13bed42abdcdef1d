#!/usr/bin/env bash
# it_ladder_park.sh -- no head-of-line blocking: 300 deliveries parked on the 3600 s rung (ladder 1,1,3600,7200)
# while a fresh request is delivered promptly; the ladder worker does not busy-loop over parked partitions;
# parked messages survive a restart of the ladder worker and stay parked.
source "$(dirname "$0")/lib.sh"
export OF_RETRY_LADDER=1,1,3600,7200
source "$(dirname "$0")/lib_delivery.sh"
dlv_ns 14
start_merchant --mode 500
start_fleet
N=300
deliver --merchant 1 --order 700000 --count $N --cash 1
# two failed tries each (main, then the 1 s rung twice) and they wait on rung 3 (3600 s)
wait_sql "SELECT COUNT(*) FROM delivery WHERE status = 3 AND retry_step = 3" "$N" 90 ||
  fail "not all parked on the 3600 s rung: $(sql 'SELECT status, retry_step, COUNT(*) FROM delivery GROUP BY 1, 2')"
assert_eq "$(grep -c 'answer=500' "$WORK/merchant.log")" "$((3 * N))" "three failed tries each before the 3600 s rung"
sleep 2 # let the ladder fetch and park the rung-3 partitions
merchant_mode "mode=ok"
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, clock ticks
c0=$(cpu "$PID_ladder")
t0=$(date +%s%3N)
deliver --merchant 1 --order 799999 --cash 1
wait_sql "SELECT status FROM delivery WHERE order_id = '799999'" 2 10 || fail "fresh request not delivered"
t1=$(sql "SELECT ROUND(UNIX_TIMESTAMP(delivered_at) * 1000) FROM delivery WHERE order_id = '799999'")
lat=$((t1 - t0))
log "fresh request delivered in $lat ms (publish to recorded) with $N parked on the 3600 s rung"
((lat < 2000)) || fail "fresh request took $lat ms with $N parked (want < 2 s)"
sleep 3
c1=$(cpu "$PID_ladder")
ticks=$((c1 - c0))
log "ladder CPU over ~3 s with $N parked: $ticks ticks ($(getconf CLK_TCK)/s)"
((ticks < $(getconf CLK_TCK) / 2)) || fail "ladder worker busy while everything is parked: $ticks ticks in 3 s"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery WHERE status = 3 AND retry_step = 3")" "$N" "parked ones stay parked (due in an hour)"
assert_eq "$(merchant_calls 700001)" "3" "a parked order is not retried early"
# restart the ladder worker: the parked messages are still there and still parked
stop_worker ladder
start_bin ladder2 of-retry-ladder ladder
sleep 4
lag=$(ordctl wait-idle --topic retry.3600s --group "it.ns14.ladder" --timeout 1 2>&1 | grep -o 'lag=[0-9]*' | head -1 || true)
assert_eq "$lag" "lag=$N" "after a restart: $N still waiting on retry.3600s (uncommitted)"
assert_eq "$(sql "SELECT COUNT(*) FROM delivery WHERE status = 3 AND retry_step = 3")" "$N" "still parked after the restart"
stop_worker ladder2
stop_worker delivery
stop_worker recorder
stop_merchant
