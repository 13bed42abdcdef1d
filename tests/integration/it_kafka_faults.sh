#!/usr/bin/env bash
# it_kafka_faults.sh -- Kafka faults a real broker cannot give on demand, injected with librdkafka's mock cluster
# (of-devbroker, its one remaining job): Produce requests answered NOT_ENOUGH_REPLICAS (a cluster that lost an
# in-sync replica). Our producer (acks=all, idempotence on) retries and delivers each message once: no error to
# the caller, no duplicate in the topic; a fault that outlasts message.timeout.ms is reported as a failure, never a
# false success. Needs no stack: each mock cluster is private to the test.
source "$(dirname "$0")/lib.sh"
MOCK=""
start_mock() { # produce errors
  rm -f "$WORK/bootstrap"
  "$BIN/of-devbroker" --brokers 1 --bootstrap-file "$WORK/bootstrap" --produce-errors "$1" >"$WORK/mock-$1.log" 2>&1 &
  MOCK=$!
  WORKERS+=("$MOCK")
  for _ in $(seq 1 100); do [[ -s "$WORK/bootstrap" ]] && break; sleep 0.1; done
  [[ -s "$WORK/bootstrap" ]] || die "the mock cluster did not start: $(tail -5 "$WORK/mock-$1.log")"
  grep -q "msg=\"fault injection armed\" produce_errors=$1" "$WORK/mock-$1.log" || fail "fault injection not armed"
}
stop_mock() { kill -TERM "$MOCK"; wait "$MOCK" 2>/dev/null || true; }
mock() { OF_CONFIG=/dev/null OF_KAFKA_BOOTSTRAP=$(cat "$WORK/bootstrap") OF_TOPIC_PREFIX='' "$BIN/ordctl" "$@"; }

log "a fault that outlasts the delivery timeout: reported as not delivered (the injection works)"
start_mock 1000
rc=0
OF_KAFKA_EXTRA="message.timeout.ms=1500" mock produce-raw --topic deadletter --key k0 --text never >"$WORK/p0.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "produce against 1000 NOT_ENOUGH_REPLICAS answers: exit code"
grep -q 'not delivered' "$WORK/p0.out" || fail "no 'not delivered' message: $(cat "$WORK/p0.out")"
stop_mock

log "a passing fault: three NOT_ENOUGH_REPLICAS answers, then the broker accepts"
start_mock 3
rc=0
mock produce-raw --topic deadletter --key k1 --text "first message" >"$WORK/p1.out" 2>&1 || rc=$?
assert_eq "$rc" "0" "produce through 3 NOT_ENOUGH_REPLICAS answers: exit code"
mock produce-raw --topic deadletter --key k2 --text "second message" >"$WORK/p2.out" 2>&1 || fail "second produce failed"
n=$(mock events deadletter 2>/dev/null | sed -n 's/^events: //p')
assert_eq "$n" "2" "messages in the topic (each delivered once despite the retries)"
stop_mock
