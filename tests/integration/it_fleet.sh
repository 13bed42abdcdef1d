#!/usr/bin/env bash
# it_fleet.sh -- scripts/fleet.sh on the test stack: `up` starts every worker type (trade-submit twice), the fleet
# takes the sample's trades, a SIGKILLed instance is restarted by its supervisor (new pid, restart counted and
# logged with its signal), `restart NAME` and a scale-down work, `down` stops everything within its bound (a stopped
# instance that ignores SIGTERM is SIGKILLed) and leaves no process: neither by the pid files nor by pgrep of this
# build's binaries and of the supervisors. No instance warns about an unknown configuration key.
source "$(dirname "$0")/lib.sh"
it_ns 22
FLEET_SH=$REPO/scripts/fleet.sh
export OF_FLEET_GROUP_PREFIX=it.ns22. OF_FLEET_TRADE_SUBMIT=2 OF_FLEET_STOP_S=5 OF_FLEET_BACKOFF_MAX_S=2
export OF_GATEWAY_PORT=${OF_IT_GATEWAY_PORT:-18531} OF_CONSOLE_PORT=${OF_IT_CONSOLE_PORT:-18541} OF_FLEET_ADMIN_BASE=${OF_IT_ADMIN_BASE:-18600}
RUN=$OF_STATE_DIR/fleet/run
fleet() { bash "$FLEET_SH" "$@"; }
leftovers() { pgrep -af "$BIN/of-|$FLEET_SH _supervise" || true; }
on_exit() { fleet down >/dev/null 2>&1 || true; }
trap 'rc=$?; on_exit; (exit $rc); finish' EXIT

[[ -z $(leftovers) ]] || die "fleet processes of this build already running: $(leftovers)"
rm -rf "$OF_STATE_DIR/fleet"
fleet up >"$WORK/up.out" 2>&1 || fail "fleet up: $(cat "$WORK/up.out")"
fleet status >"$WORK/status.out" 2>&1 || fail "fleet status after up: not all running ($(cat "$WORK/status.out"))"
assert_eq "$(grep -cE '^[a-z-]+-[0-9]+ +running +[0-9]+ ' "$WORK/status.out")" "12" "instances running (11 types, trade-submit twice)"
head -1 "$WORK/status.out" | grep 'INSTANCE *STATE *PID *UP SINCE *RESTARTS *LAST EXIT' >/dev/null || fail "status header"
for w in trade-submit trade-modify sweep delivery retry-ladder dlq-recorder flash payment-finish order-sync gateway console; do
  grep -qE "^$w-1 +running" "$WORK/status.out" || fail "$w-1 not running"
done
grep -qE '^trade-submit-2 +running' "$WORK/status.out" || fail "trade-submit-2 not running"
tr '\0' '\n' <"/proc/$(cat "$RUN/trade-submit-2.pid")/environ" | grep -x 'OF_INSTANCE_ID=trade-submit-2' >/dev/null ||
  fail "trade-submit-2 has not its instance id"
for ((i = 0; i < 100; i++)); do curl -sf "http://127.0.0.1:$OF_GATEWAY_PORT/healthz" >/dev/null && break; sleep 0.1; done
# every instance serves its admin port (the status's last column) and becomes ready
ready=0
for a in $(awk 'NR > 1 { print $NF }' "$WORK/status.out"); do
  for ((i = 0; i < 300; i++)); do curl -sf "http://$a/readyz" >/dev/null && break; sleep 0.1; done
  if curl -sf "http://$a/readyz" >/dev/null; then ready=$((ready + 1)); else fail "$a: /readyz $(curl -s "http://$a/readyz")"; fi
done
assert_eq "$ready" "12" "instances ready on their admin ports"
assert_eq "$(awk '$1 == "trade-submit-2" { print $NF }' "$WORK/status.out")" "127.0.0.1:$((OF_FLEET_ADMIN_BASE + 1))" \
  "trade-submit-2's admin port (base + 10 × type + instance − 1)"
curl -sf "http://127.0.0.1:$OF_GATEWAY_PORT/healthz" >/dev/null || fail "the fleet's gateway does not answer on $OF_GATEWAY_PORT"

# the fleet works: the sample is submitted
publish "$REPO/data/sample/raw_trades.jsonl"
wait_idle trade.raw 120 || fail "the fleet did not take the sample"
[[ $(sql 'SELECT COUNT(*) FROM sales_trade') -gt 0 ]] || fail "no orders made by the fleet"

# a SIGKILLed instance is restarted: new pid, restart counted, the reason logged as a structured line
old=$(cat "$RUN/trade-submit-1.pid")
kill -KILL "$old"
for ((i = 0; i < 100; i++)); do
  new=$(cat "$RUN/trade-submit-1.pid" 2>/dev/null || true)
  [[ -n $new && $new != "$old" ]] && kill -0 "$new" 2>/dev/null && break
  sleep 0.1
done
[[ -n $new && $new != "$old" ]] || fail "trade-submit-1 not restarted after SIGKILL"
fleet status >"$WORK/status2.out" 2>&1 || fail "status after the restart: not all running ($(cat "$WORK/status2.out"))"
grep -qE "^trade-submit-1 +running +$new +[0-9-]+ [0-9:]+ +1 +137 +127\.0\.0\.1:[0-9]+\$" "$WORK/status2.out" ||
  fail "status: trade-submit-1 with its new pid, 1 restart, last exit 137 ($(grep trade-submit-1 "$WORK/status2.out"))"
grep -q 'level=warn comp=fleet msg="instance restarted" instance=trade-submit-1 exit=137 signal=KILL uptime_s=[0-9]* restarts=1 backoff_s=1' \
  "$OF_STATE_DIR/fleet/fleet.log" || fail "no restart line in fleet.log ($(tail -3 "$OF_STATE_DIR/fleet/fleet.log"))"
publish "$REPO/data/sample/raw_trades_changed.jsonl"
wait_idle trade.raw 120 || fail "the fleet did not take trades after the restart"

# restart NAME: a new process; a scale-down stops the instances above the count
old=$(cat "$RUN/sweep-1.pid")
# from a shell without the settings `up` was given: the instance still gets them (fleet/env)
env -u OF_TOPIC_PREFIX -u OF_STATS_INTERVAL_S bash "$FLEET_SH" restart sweep >"$WORK/restart.out" 2>&1 ||
  fail "fleet restart sweep: $(cat "$WORK/restart.out")"
grep -qE '^sweep-1 +running' "$WORK/restart.out" || fail "sweep-1 not running after restart"
[[ $(cat "$RUN/sweep-1.pid") != "$old" ]] || fail "restart sweep kept the old process"
grep -q "instance=sweep-1 exit=0" "$OF_STATE_DIR/fleet/fleet.log" || fail "restart: sweep-1 did not stop cleanly (exit 0)"
assert_eq "$(tr '\0' '\n' <"/proc/$(cat "$RUN/sweep-1.pid")/environ" | grep -E '^OF_(TOPIC_PREFIX|STATS_INTERVAL_S)=' | sort | tr '\n' ' ')" \
  "OF_STATS_INTERVAL_S=$OF_STATS_INTERVAL_S OF_TOPIC_PREFIX=$OF_TOPIC_PREFIX " "a restart from another shell keeps the settings of up"
gone=$(cat "$RUN/trade-submit-2.pid")
OF_FLEET_TRADE_SUBMIT=1 fleet up trade-submit >"$WORK/scale.out" 2>&1 || fail "scale down: $(cat "$WORK/scale.out")"
grep -q 'scaled trade-submit down to 1: stopped trade-submit-2' "$WORK/scale.out" || fail "scale down: $(cat "$WORK/scale.out")"
if kill -0 "$gone" 2>/dev/null; then fail "trade-submit-2 still running after the scale-down"; fi

# down: bounded (an instance that cannot take SIGTERM -- stopped -- is SIGKILLed after OF_FLEET_STOP_S), nothing left
kill -STOP "$(cat "$RUN/flash-1.pid")"
t0=$SECONDS
fleet down >"$WORK/down.out" 2>&1 || fail "fleet down: $(cat "$WORK/down.out")"
((SECONDS - t0 <= OF_FLEET_STOP_S + 5)) || fail "fleet down took $((SECONDS - t0)) s (bound $OF_FLEET_STOP_S s)"
grep -q 'killed with SIGKILL after 5 s: flash-1' "$WORK/down.out" || fail "down: the stopped instance not named ($(cat "$WORK/down.out"))"
assert_eq "$(ls "$RUN"/*.pid "$RUN"/*.sup 2>/dev/null | wc -l)" "0" "pid files left after down"
assert_eq "$(leftovers)" "" "processes of this build's fleet after down"
fleet status >"$WORK/status3.out" 2>&1 && fail "status exits 0 with the fleet down"
assert_eq "$(grep -cE ' stopped ' "$WORK/status3.out")" "11" "instances shown stopped"
grep -qE '^trade-modify-1 +stopped +- +- +0 +0 +127\.0\.0\.1:[0-9]+$' "$WORK/status3.out" || fail "trade-modify-1 stopped cleanly (exit 0)"

# every instance ended its log with its exit stats (clean SIGTERM) except the SIGKILLed ones; no unknown key warned
for f in "$OF_STATE_DIR"/fleet/logs/*.log; do
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f"; then fail "sanitizer report in $f"; fi
  if grep -q 'unknown configuration key' "$f"; then fail "$(basename "$f"): $(grep -m1 'unknown configuration key' "$f")"; fi
done
grep -q 'msg=stats why=exit' "$OF_STATE_DIR/fleet/logs/gateway-1.log" || fail "gateway-1 did not log its exit stats"
