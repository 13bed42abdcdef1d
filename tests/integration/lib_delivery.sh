# lib_delivery.sh -- helpers for the delivery / retry-ladder tests (sourced after lib.sh): the test merchant,
# the three workers (each in its own consumer group of the test's namespace), waits on MySQL.
export OF_MERCHANT_1_SECRET=it-secret-one OF_MERCHANT_2_SECRET=it-secret-two
export OF_RETRY_LADDER=${OF_RETRY_LADDER:-1,2,3,4} # the compressed clock: DLV-6's 30/300/3600/7200 s as 1/2/3/4 s
export OF_DEADLETTER_LOG=$WORK/deadletter.log
export OF_BATCH_WAIT_MS=5
DLV_NS=

# dlv_ns N: it_ns N plus empty delivery tables (tests run one at a time on one database).
dlv_ns() {
  DLV_NS=$1
  it_ns "$1"
  sql "TRUNCATE delivery; TRUNCATE delivery_attempt; TRUNCATE dead_letter; DELETE FROM merchant WHERE id > 2;
       UPDATE merchant SET timeout_ms = 3000, is_enabled = 1;"
}

# start_bin NAME BINARY [GROUP]: a worker in group it.nsN.GROUP (default NAME), log $WORK/NAME.log (stop with
# stop_worker NAME).
start_bin() {
  local name=$1 bin=$2 group=${3:-$1}
  OF_KAFKA_GROUP="it.ns$DLV_NS.$group" "$BIN/$bin" >"$WORK/$name.log" 2>&1 &
  WORKERS+=("$!")
  eval "PID_$name=$!"
  log "started $bin as $name (pid $!)"
}
start_fleet() {
  start_bin delivery of-delivery
  start_bin ladder of-retry-ladder
  start_bin recorder of-dlq-recorder
}
stop_fleet() {
  stop_worker delivery
  stop_worker ladder
  stop_worker recorder
}

# start_merchant [of-testmerchant args]: on a free port; merchants 1 and 2 point at it (/deliver/<no>).
start_merchant() {
  rm -f "$WORK/merchant.port"
  "$BIN/of-testmerchant" --port 0 --port-file "$WORK/merchant.port" --log "$WORK/merchant.log" \
    --merchant ranch-01=OF_MERCHANT_1_SECRET --merchant tea-01=OF_MERCHANT_2_SECRET "$@" >>"$WORK/merchant.out" 2>&1 &
  MERCHANT_PID=$!
  WORKERS+=("$MERCHANT_PID")
  for _ in $(seq 1 100); do [[ -s $WORK/merchant.port ]] && break; sleep 0.05; done
  MPORT=$(cat "$WORK/merchant.port") || die "test merchant did not start: $(cat "$WORK/merchant.out")"
  sql "UPDATE merchant SET endpoint_url = CONCAT('http://127.0.0.1:$MPORT/deliver/', merchant_no) WHERE id IN (1, 2)"
  log "test merchant on 127.0.0.1:$MPORT (pid $MERCHANT_PID)"
}
stop_merchant() {
  kill -TERM "$MERCHANT_PID" 2>/dev/null || true
  wait "$MERCHANT_PID" 2>/dev/null || true
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/merchant.out"; then
    fail "sanitizer report from the test merchant"
    grep -A15 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/merchant.out" | head -30
  fi
}
merchant_mode() { curl -s -XPOST "http://127.0.0.1:$MPORT/_control?$1" >/dev/null || fail "merchant control $1"; }
# merchant_calls ORDER: deliveries the merchant received for ORDER
merchant_calls() { grep -c " order=$1 " "$WORK/merchant.log" 2>/dev/null || true; }

deliver() { ordctl deliver "$@" >>"$WORK/deliver.out" 2>&1 || fail "ordctl deliver $*: $(tail -2 "$WORK/deliver.out")"; }

# wait_sql QUERY WANT [SECONDS]: until the query answers WANT
wait_sql() {
  local q=$1 want=$2 n=$((${3:-30} * 10)) got=
  while ((n-- > 0)); do
    got=$(sql "$q")
    [[ $got == "$want" ]] && return 0
    sleep 0.1
  done
  log "wait_sql: '$q' is '$got', wanted '$want'"
  return 1
}
status_of() { sql "SELECT CONCAT(CASE status WHEN 2 THEN 'delivered' WHEN 3 THEN 'retrying' WHEN 4 THEN 'dead' ELSE 'open' END, '/', attempts) FROM delivery WHERE order_id = '$1'"; }
