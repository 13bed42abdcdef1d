#!/usr/bin/env bash
# run-sample.sh -- the fleet on sample data: install what is missing, build, start the local stack,
# apply the schema, load the sample catalogue, run trade-submit, publish the sample raw trades as a
# platform adapter would, let of-sweep move the waiting orders on (merges, awaiting audit), then publish a
# batch of changed versions (trade-modify) and a few bad ones, print a summary; then
# deliver sample paid orders to a test merchant (of-delivery, of-retry-ladder, of-dlq-recorder) and print
# what happened; then run the eight flows of the buyer/seller order sync on the two sites (of-order-sync), a payment
# racing a price change among them; then a flash sale over HTTP (of-gateway, of-flash, of-payment-finish): a batch,
# buyers' order jobs (one over the unpaid limit, one sold out), a payment by points, balance and the test payment
# provider (of-testpay on OF_TESTPAY_PORT, default OF_GATEWAY_PORT - 1), and the ledger check. The workers run as the fleet (scripts/fleet.sh: supervised, restarted when they
# die), started step by step; at the end every worker type runs and the fleet and the stack stay up afterwards
# (scripts/fleet.sh down, then scripts/stack.sh down, stop them).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
step() { printf '\n==> %s\n' "$*"; }

step "1/10 packages"
bash scripts/setup.sh
step "2/10 build (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOF_SANITIZE=OFF >/dev/null
cmake --build build -j "$(nproc)" -- --no-print-directory 2>&1 | grep -Ev '^\[|^-- ' || true
test -x build/bin/of-trade-submit || { echo "run-sample: build failed" >&2; exit 1; }
step "3/10 local stack"
export OF_BUILD_DIR=$REPO/build
bash scripts/stack.sh up
export OF_CONFIG=${OF_STATE_DIR:-$REPO/.state}/stack.env
step "4/10 schema and sample catalogue"
build/bin/ordctl migrate | grep -E '^migrate|applied$'
if [[ $(bash scripts/stack.sh mysql -N -B -e 'SELECT COUNT(*) FROM cfg_shop') == 0 ]]; then
  bash scripts/stack.sh mysql <data/sample/catalogue.sql
  echo "catalogue loaded"
else
  echo "catalogue already loaded"
fi
step "5/10 trade-submit and trade-modify (the sweep joins after the first trades)"
STATE=${OF_STATE_DIR:-$REPO/.state}
LOGS=$STATE/logs          # the stack's logs, the dead-letter text log, the test merchant's
FLOGS=$STATE/fleet/logs   # each worker instance's log: <worker>-<n>.log
# dead letters of every worker into MySQL and the text log (ordctl dlq list reads them)
export OF_DEADLETTER_LOG=$LOGS/deadletter.log
fleet() { bash scripts/fleet.sh "$@"; }
fleet down >/dev/null # a fleet left by an earlier run (older binaries, other settings) stops first
fleet up trade-submit trade-modify dlq-recorder
echo "(of-sweep joins at step 6, the other workers later)"
SQL() { bash scripts/stack.sh mysql -N -B -e "$1"; }
# settle: wait (60 s at most) until the sweep has moved every pre-processing order on
settle() {
  for _ in $(seq 600); do
    [[ $(SQL "SELECT COUNT(*) FROM sales_trade WHERE trade_status IN (19, 20)") == 0 ]] && return 0
    sleep 0.1
  done
}
by_status() {
  SQL "SELECT CONCAT('  ', GROUP_CONCAT(CONCAT(trade_status, ': ', n) ORDER BY trade_status SEPARATOR ', ')) FROM
       (SELECT trade_status, COUNT(*) n FROM sales_trade GROUP BY trade_status) x"
}
step "6/10 publish sample raw trades (platform adapter), then later versions of some (trade-modify)"
build/bin/ordctl publish-trades data/sample/raw_trades.jsonl 2> >(grep -v CONFWARN >&2)
build/bin/ordctl wait-idle --topic trade.raw --timeout 120
echo "orders by status (code: orders; 5 cancelled, 10 unpaid, 12 awaiting balance, 15/16 waiting, 19/20 pre-processing,"
echo "25 pre-order, 30 awaiting audit, 40-94 audited, 95 shipped; ordctl summary names them) before the sweep:"
by_status
echo "the sweep (of-sweep): pre-processing orders (19, 20) merged per customer where the shop allows it, then moved to"
echo "awaiting audit (30) or pre-order (25); delayed ones (15, 16) move when their delay_to_time passes"
fleet up sweep >/dev/null
settle
echo "  merged: $(SQL "SELECT COUNT(*) FROM sales_trade_merge") orders into $(SQL "SELECT COUNT(DISTINCT into_trade_id) FROM sales_trade_merge") \
($(SQL "SELECT IFNULL(GROUP_CONCAT(DISTINCT rule_id), 'none') FROM sales_trade_merge")); today's sales: \
$(SQL "SELECT IFNULL(SUM(num), 0) FROM stat_daily_sales") units"
by_status
echo "back office: two paid orders audited first, so that their changes are intercepted instead of applied"
for tid in TB2026112000006 TB2026112000031; do
  id=$(SQL "SELECT deliver_trade_id FROM api_trade WHERE tid = '$tid'")
  [[ -n $id && $id != 0 ]] || continue
  rc=0
  out=$(build/bin/ordctl order audit "$id" 2>&1) || rc=$?
  out=$(grep -v CONFWARN <<<"$out" || true)
  if ((rc == 3)); then # a second run: audited (and intercepted) by the first
    echo "order $id ($tid) left as it is (an earlier run audited it): ${out#*refused: }"
  else
    echo "$out"
  fi
done
# where each trade-modify log ends now: what follows is this run's
declare -A MOD_AT=()
for f in "$FLOGS"/trade-modify-*.log; do [[ -e $f ]] && MOD_AT[$f]=$(stat -c %s "$f"); done
build/bin/ordctl publish-trades data/sample/raw_trades_changed.jsonl data/sample/raw_trades_refunds.jsonl \
  2> >(grep -v CONFWARN >&2)
build/bin/ordctl wait-idle --topic trade.raw --timeout 120
build/bin/ordctl wait-idle --topic trade.changed --group orderfleet.trade-modify --timeout 120
mod_new() { # this run's lines of the trade-modify logs
  local f
  for f in "$FLOGS"/trade-modify-*.log; do [[ -e $f ]] && tail -c +$((${MOD_AT[$f]:-0} + 1)) "$f"; done
}
applied=$(mod_new | grep -c 'msg="change applied"' || true)
echo "what trade-modify did in this run: $applied change(s) applied, with the rules that acted (block_reason |= and"
echo "bad_reason |=: the bits a change added to the order's):"
((applied > 0)) || echo "  none: an earlier run stored these versions already (trade-submit stores each version once)"
{ mod_new | grep 'msg="change applied"' || true; } |
  sed -E -e 's/.* tid=([^ ]+) .*status_before=([0-9]+) status_after=([0-9]+) block_reason=([0-9]+) bad_reason=([0-9]+) rules="?([^"]*)"?$/  \1: status \2 → \3, block_reason |= \4, bad_reason |= \5: \6/' \
    -e 's/, block_reason \|= 0//; s/, bad_reason \|= 0//'
settle
echo "orders by status after the changes (and the sweep):"
by_status
echo "interceptions and exceptions (block_reason on the order and its stockout order; bad_reason):"
SQL "SELECT CONCAT('  order ', trade_id, ' ', trade_no, ': block_reason ', block_reason, ', bad_reason ', bad_reason)
     FROM sales_trade WHERE block_reason <> 0 OR bad_reason <> 0 ORDER BY trade_id"
echo "refund orders: $(SQL "SELECT COUNT(*) FROM api_refund WHERE reason LIKE 'MOD-%'") made by trade-modify, \
$(SQL "SELECT COUNT(*) FROM api_refund WHERE reason NOT LIKE 'MOD-%'") at submission (trades that arrived with refunded lines)"
echo "and the invalid lines (the adapter refuses what it can tell is bad; the rest is dead-lettered):"
build/bin/ordctl publish-trades --no-validate data/sample/raw_trades_invalid.jsonl 2>&1 | grep -v CONFWARN || true
build/bin/ordctl wait-idle --topic trade.raw --timeout 120
step "7/10 summary"
build/bin/ordctl summary 2> >(grep -v CONFWARN >&2)
build/bin/ordctl wait-idle --topic deadletter --group orderfleet.dlq-recorder --timeout 60 >/dev/null 2>&1 || true
echo
echo "dead letters of trade.raw (recorded by of-dlq-recorder):"
build/bin/ordctl dlq list --topic trade.raw 2> >(grep -v CONFWARN >&2)
echo
echo "stock: $(build/bin/ordctl stock-check 2>&1 | tail -1)"
echo
echo "why did the order of TB2026112000001 go where it went (ordctl explain --tid TB2026112000001, abridged):"
build/bin/ordctl explain --tid TB2026112000001 2>/dev/null | grep -E '^(order|  warehouse|  logistics|  package)|SUB-WH-0[0-9] ' || true

step "8/10 delivery of paid orders to merchants (DLV)"
# The merchants' HMAC secrets: made up by the fleet's first start ($STATE/secrets/fleet.env, mode 600), handed to
# the workers and the test merchant through the environment (merchant.secret_ref names the variable).
set -a
source "$STATE/secrets/fleet.env"
set +a
export OF_RETRY_LADDER=${OF_RETRY_LADDER:-1,2,3,4} # the demo's compressed ladder; production: 30,300,3600,7200
rm -f "$LOGS/merchant.port"
# The test merchant answers 500 to the first 3 deliveries: those orders climb the ladder and arrive later.
build/bin/of-testmerchant --port 0 --port-file "$LOGS/merchant.port" --log "$LOGS/merchant-requests.log" --fail 3 \
  --merchant ranch-01=OF_MERCHANT_1_SECRET --merchant tea-01=OF_MERCHANT_2_SECRET 2>>"$LOGS/testmerchant.log" &
MERCHANT=$!
trap 'kill -TERM $MERCHANT 2>/dev/null; wait $MERCHANT 2>/dev/null || true' EXIT # the fleet stays
for _ in $(seq 1 100); do [[ -s $LOGS/merchant.port ]] && break; sleep 0.05; done
MPORT=$(cat "$LOGS/merchant.port")
bash scripts/stack.sh mysql -e "UPDATE merchant SET endpoint_url = CONCAT('http://127.0.0.1:$MPORT/deliver/', merchant_no) WHERE id IN (1, 2)"
echo "test merchant on 127.0.0.1:$MPORT (merchants 1 and 2 point at it; requests: $LOGS/merchant-requests.log)"
fleet up delivery retry-ladder >/dev/null
echo "running of-delivery, of-retry-ladder (and of-dlq-recorder; logs in $FLOGS), ladder $OF_RETRY_LADDER s"
RUN=$(date +%s)
build/bin/ordctl deliver --merchant 1 --code "S$RUN-RANCH" --count 6 --cash 1031.67 --payload '{"goods":"抢羊","units":1}' 2> >(grep -v CONFWARN >&2)
build/bin/ordctl deliver --merchant 2 --code "S$RUN-TEA" --count 4 --cash 99.00 --payload '{"sku":"SKU-TEA-001","qty":1}' 2> >(grep -v CONFWARN >&2)
build/bin/ordctl deliver --merchant 2 --code "S$RUN-TEA-1" --cash 99.00 --event-id "dup-S$RUN-TEA-1" 2> >(grep -v CONFWARN >&2)
echo "(and a duplicate notify for S$RUN-TEA-1, an order of an unknown merchant, and one whose payload is not JSON)"
build/bin/ordctl deliver --merchant 99 --code "S$RUN-NOBODY" --cash 5 2> >(grep -v CONFWARN >&2)
build/bin/ordctl deliver --merchant 1 --code "S$RUN-BAD" --cash 5 --payload 'not json' 2> >(grep -v CONFWARN >&2)
for _ in $(seq 1 150); do
  n=$(bash scripts/stack.sh mysql -N -B -e "SELECT COUNT(*) FROM delivery WHERE order_id LIKE 'S$RUN-%' AND status = 2")
  [[ $n -ge 10 ]] && break
  sleep 0.2
done
build/bin/ordctl wait-idle --topic deadletter --group orderfleet.dlq-recorder --timeout 60 >/dev/null 2>&1 || true
echo "deliveries of this run:"
build/bin/ordctl deliveries --limit 100 2> >(grep -v CONFWARN >&2) | grep "order=S$RUN-" | sort -t= -k3 |
  sed -E 's/ idempotency_key=[^ ]+//; s/ delivered_at=([0-9T:-]+)\.[0-9]+/ delivered_at=\1/'
echo "merchant calls: $(grep -c "order=S$RUN-" "$LOGS/merchant-requests.log") ($(grep "order=S$RUN-" "$LOGS/merchant-requests.log" | grep -c 'answer=500') answered 500, then retried)"
echo
echo "dead letters of this run (MySQL dead_letter; one line each in $OF_DEADLETTER_LOG):"
build/bin/ordctl dlq list --since 5m 2> >(grep -v CONFWARN >&2) | grep "order=S$RUN-" | sort -t= -k3 || echo "  none"
echo
step "9/10 the two order sites: buyer site, seller primary and its replica (of-order-sync)"
fleet up order-sync >/dev/null
echo "running of-order-sync (log $FLOGS/order-sync-1.log); each op below is one local transaction on its own site"
site() { build/bin/ordctl site "$@" 2> >(grep -v CONFWARN >&2); }
oid_of() { sed -n 's/^oid=\([0-9]*\) .*/\1/p'; }
on_both() { # OID STATUS: wait until both sites show it
  local i
  for i in $(seq 1 100); do
    [[ "$(bash scripts/stack.sh mysql --site buyer -N -B -e "SELECT status FROM buyer_orders WHERE id = $1")/$(bash scripts/stack.sh mysql --site seller -N -B -e "SELECT status FROM seller_orders WHERE id = $1" 2>/dev/null)" == "$2/$2" ]] && return 0
    sleep 0.1
  done
  echo "(order $1 not at $2 on both sites yet)"
}
A=$(site buyer create-order --buyer 1001 --seller 9 --line TEA-1:10.50:2:Tea:茶叶 --line CUP-2:5:1:Cup:杯子 --shipping 3 \
  --receiver Ann --city Paris --country FR | oid_of)
on_both "$A" 0
site seller adjust-price "$A" 20.00
for _ in $(seq 1 100); do # the new price has reached the buyer site before the buyer pays (flow 2, then flow 3)
  [[ "$(bash scripts/stack.sh mysql --site buyer -N -B -e "SELECT amount FROM buyer_orders WHERE id = $A")" == 23.0000 ]] && break
  sleep 0.1
done
site buyer pay "$A"
on_both "$A" 1
site seller ship "$A" --logistics SF --waybill SF1234567
on_both "$A" 2
site buyer confirm-receipt "$A"
on_both "$A" 5
B=$(site buyer create-order --buyer 1002 --seller 9 --price 40 | oid_of)
on_both "$B" 0
site buyer pay "$B"
site buyer request-cancel "$B"
on_both "$B" 3
site seller agree-cancel "$B"
on_both "$B" 4
C=$(site buyer create-order --buyer 1003 --seller 9 --price 100 | oid_of)
on_both "$C" 0
echo "order $C: the buyer pays while the seller changes the price, each on its own site at the same moment:"
site buyer pay "$C" & site seller adjust-price "$C" 1.00 || true
wait $! 2>/dev/null || true
on_both "$C" 1
echo
site show "$A" | awk -v id="$A" 'NR <= 14; END { if (NR > 14) printf "  … %d more lines: ordctl site show %s\n", NR - 14, id }'
echo
site show "$C"
echo
echo "conflicts (ordctl site conflicts):"
site conflicts --limit 5
site check --wait 30 | tail -1
echo

step "10/10 a flash sale over HTTP: jobs, states, a mixed payment, the finish chain (FS-1…FS-11)"
# the rest of the fleet (of-flash, of-payment-finish, of-gateway, of-console) joins: every worker type runs from now on.
# The gateway asks the test payment provider (of-testpay) for the third-party part; its notifies come back signed
# with OF_PAY_PROVIDER_SECRET (the fleet's secrets). It stops with this run, as the test merchant does.
GW_PORT=${OF_GATEWAY_PORT:-$(sed -n 's/^OF_GATEWAY_PORT=//p' "$OF_CONFIG" | tail -1)}
GW_PORT=${GW_PORT:-8480}
PAY_PORT=${OF_TESTPAY_PORT:-$((GW_PORT - 1))}
export OF_PAY_PROVIDER_URL="http://127.0.0.1:$PAY_PORT/pay"
build/bin/of-testpay --port "$PAY_PORT" --delay-ms 100 >>"$LOGS/testpay.log" 2>&1 &
TESTPAY=$!
trap 'kill -TERM $MERCHANT $TESTPAY 2>/dev/null; wait $MERCHANT $TESTPAY 2>/dev/null || true' EXIT
fleet up
CPORT=${OF_CONSOLE_PORT:-$(sed -n 's/^OF_CONSOLE_PORT=//p' "$OF_CONFIG" | tail -1)}
URL="http://127.0.0.1:$GW_PORT"
for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
APP=$(sed -E 's/^app:([^:,]*):.*/\1/' <<<"$OF_GATEWAY_TOKENS")
fctl() { build/bin/ordctl flash "$@" 2> >(grep -v CONFWARN >&2); }
jfield() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1" 2>/dev/null; }
FB=$(build/bin/ordctl flash batch-create --code "F$RUN" --merchant 1 --units 5 --price 100 --limit-unpaid 1 \
  --title "限时抢购 sample" 2>/dev/null)
echo "batch $FB: 5 units at 100.00, one unpaid order per buyer; each job below waits for the one before (one line each)"
job() { # job USER NUM [IDEMPOTENCY-KEY]: a buyer's job over HTTP (the buyer's own token), then its state until it ends
  local tok r id st i
  tok=$(fctl token --user "$1")
  r=$(curl -s -X POST "$URL/api/order/job" -H "Authorization: Bearer $tok" ${3:+-H "Idempotency-Key: $3"} \
    --data-binary "{\"batch_id\":$FB,\"num\":$2}")
  [[ $r =~ \"jobId\":\"([^\"]+)\" ]] || { echo "  buyer $1 asks $2: refused: $r"; return 0; }
  id=${BASH_REMATCH[1]}
  for i in $(seq 1 100); do
    st=$(curl -s "$URL/api/order/job/$id/state" -H "Authorization: Bearer $tok")
    [[ $st == *'"complete"'* || $st == *'"failed"'* ]] && break
    sleep 0.05
  done
  if [[ $st =~ \"orderId\":([0-9]+) ]]; then
    st="complete, order ${BASH_REMATCH[1]}"
  elif [[ $st =~ \"state\":\"([a-z]+)\".*\"reason\":\"([^\"]*)\".*\"message\":\"([^\"]*)\" ]]; then
    st="${BASH_REMATCH[1]} ${BASH_REMATCH[2]} (${BASH_REMATCH[3]})"
  fi
  printf '  buyer %s asks %s%s: job %s → %s\n' "$1" "$2" "${3:+ (Idempotency-Key $3)}" "$id" "$st"
}
job 1001 2
job 1001 1
job 1002 2 "F$RUN-1002"
job 1002 2 "F$RUN-1002"
job 1003 3
job 1003 1
echo "jobs by state: $(bash scripts/stack.sh mysql -N -B -e "SELECT GROUP_CONCAT(CONCAT(state, IF(error = '', '', CONCAT(' ', error)), ': ', n) SEPARATOR ', ') FROM (SELECT state, error, COUNT(*) n FROM fs_job WHERE batch_id = $FB GROUP BY state, error) x")"
FO=$(bash scripts/stack.sh mysql -N -B -e "SELECT id FROM fs_order WHERE batch_id = $FB AND user_id = 1001")
t1001=$(fctl token --user 1001)
echo "buyer 1001 pays order $FO (200.00): 50 points, 30.00 of the balance, the rest through the payment provider"
curl -s -X PUT "$URL/api/order/$FO/pay" -H "Authorization: Bearer $t1001" -H "Idempotency-Key: F$RUN-pay" \
  --data-binary '{"jifen":50,"balance":30,"otherPay":{"type":"sinapay"}}' |
  jfield '"  answer: %s, remain_pay %s; %s" % (d["state_name"], d["remain_pay"], ", ".join("%s %s (status %s)" % (p["pay_type"], p["amount"], p["status"]) for p in d["pay_infos"]))'
for _ in $(seq 1 150); do # the provider's signed notify settles the rest; payment-finish runs the chain
  [[ $(bash scripts/stack.sh mysql -N -B -e "SELECT COUNT(*) FROM fs_finish_step WHERE order_id = $FO") -ge 8 ]] && break
  sleep 0.1
done
curl -s "$URL/api/order/$FO" -H "Authorization: Bearer $t1001" |
  jfield '"  order %s: %s, remain_pay %s, pay_method %s, paid at %s" % (d["order_code"], d["state_name"], d["remain_pay"], d["pay_method"], d["paid_at"])'
echo "  finish chain (of-payment-finish): $(bash scripts/stack.sh mysql -N -B -e "SELECT IFNULL(GROUP_CONCAT(CONCAT(step, IF(detail = '', '', CONCAT(' (', detail, ')'))) ORDER BY done_at, FIELD(step, 'paid', 'method', 'units', 'repurchase', 'push', 'message', 'activity', 'deliver') SEPARATOR ', '), 'not run yet') FROM fs_finish_step WHERE order_id = $FO")"
echo "  buyer 1001's ledger, newest first (ordctl flash ledger --user 1001 --limit 4):"
fctl ledger --user 1001 --limit 4 | sed 's/^/    /'
echo "  $(fctl check --batch "$FB" | tail -1)"

# the commands to go on with, for this run's stack (its state folder when OF_STATE_DIR points elsewhere)
SD=""
[[ -n ${OF_STATE_DIR:-} ]] && SD="OF_STATE_DIR=$OF_STATE_DIR "
C="build/bin/ordctl --config $OF_CONFIG"
echo
echo "The fleet keeps running (each worker supervised, restarted if it dies); the stack stays up with the data."
echo "Watch it:  ${SD}scripts/fleet.sh status   |  ${SD}scripts/fleet.sh logs trade-submit -f  |  $C summary"
echo "           the ops console: http://127.0.0.1:${CPORT:-8490}/  (its token: OF_CONSOLE_TOKEN in ${OF_STATE_DIR:-.state}/secrets/fleet.env)"
echo "           Prometheus metrics of each instance: the ADMIN column of fleet.sh status (/metrics /healthz /readyz)"
echo "Go on:     ${SD}$C publish-trades FILE.jsonl  (or - for standard input);  $C explain --tid TID ;"
echo "           $C dlq list --errors ;  $C site show OID ;  $C flash batch $FB"
echo "           (the test merchant and the test payment provider stopped with this run)"
echo "Stop it:   ${SD}scripts/fleet.sh down   then   ${SD}scripts/stack.sh down"
