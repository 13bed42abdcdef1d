#!/usr/bin/env bash
# it_db_refusal.sh -- the database refuses writes for a while in the middle of a run (issue 10, item 1):
# (a) every insert into api_trade fails with 1114 "table is full" for 8 s (a trigger), (b) the server is
# read_only for 8 s (the application user is not SUPER: its writes fail with 1290). A refusal that passes is
# the server's condition, not the trades': trade-submit retries the batch with backoff (logging the MySQL
# error), dead-letters nothing, keeps running, and in the end every trade is stored exactly once.
# (c) The refusal starts during the message-by-message search for a poison message: still no dead letter until
# it passes, then only the poison. (d) An error code nobody classified blames no message unless the database
# accepts the message's batch-mates.
source "$(dirname "$0")/lib.sh"
it_ns 16
SAMPLE=$REPO/data/sample/raw_trades.jsonl
COPIES=${IT_REFUSAL_COPIES:-10} # 10 x the 300 sample trades = 3,000 trades per injection
HOLD_S=${IT_REFUSAL_HOLD_S:-8}
export OF_RETRY_BACKOFF_MAX_MS=1000 OF_TX_RETRIES=2 OF_BATCH_SIZE=${IT_REFUSAL_BATCH:-50}

# admin (lib.sh) is the unix-socket admin account of the stack (the application user may lack TRIGGER and is not SUPER).
# admin_trigger SQL: one CREATE TRIGGER whose body holds semicolons (the client splits at ';' otherwise)
admin_trigger() { mariadb --no-defaults --socket="$OF_STATE_DIR/mysql/mysqld.sock" -u "$(id -un)" --delimiter=// orderfleet -e "$1"; }
undo_all() {
  admin "DROP TRIGGER IF EXISTS it_full; DROP TRIGGER IF EXISTS it_ro; DROP TRIGGER IF EXISTS it_unknown;
         ALTER TABLE api_trade DROP CONSTRAINT IF EXISTS it_rf_poison; SET GLOBAL read_only = 0" >/dev/null 2>&1 || true
}
# never leave the shared test stack refusing writes, whatever happens
trap 'rc=$?; undo_all; (exit $rc); finish' EXIT

# Dead letters are read from this namespace's deadletter topic (dlq-recorder does not run here, so the topic is
# where a dead letter of this test would be). dl_mark: remember what is there; dl_new: the letters since.
dl_lines() { ordctl dlq list --kafka 2>/dev/null | grep '^dlq ' | sort || true; }
dl_mark() { dl_lines >"$WORK/dl.mark"; }
dl_new() { comm -13 "$WORK/dl.mark" <(dl_lines); }
dl_count() { dl_new | grep -c . || true; }
APPLIED=0 # events applied since it_ns emptied the tables
stored() { sql "SELECT COUNT(*) FROM api_trade WHERE tid LIKE '%-$1%'"; }

# copies TAG: the sample COPIES times, each trade with a new tid (TID-TAG<k>, in its sub-order ids too)
copies() {
  for k in $(seq 1 "$COPIES"); do
    perl -pe 'if (/"tid":"([^"]+)"/) { my $t = $1; s/\Q$t\E/$t-'"$1$k"'/g }' "$SAMPLE"
  done
}

# refusal NAME TAG CODE INJECT UNDO: publish 3,000 trades while a worker runs; once some are stored, run
# INJECT (admin SQL), hold it HOLD_S seconds, run UNDO; then check the outcome.
refusal() {
  local name=$1 tag=$2 code=$3 inject=$4 undo=$5 total at_start at_end dl n
  log "---- $name: error $code for ${HOLD_S}s in the middle of the run"
  copies "$tag" >"$WORK/$tag.jsonl"
  total=$(grep -c . "$WORK/$tag.jsonl")
  dl_mark
  start_worker "$name"
  publish "$WORK/$tag.jsonl"
  for _ in $(seq 1 600); do
    n=$(stored "$tag")
    [[ $n -ge $((total / 10)) ]] && break
    sleep 0.05
  done
  admin "$inject" || fail "$name: injection failed"
  at_start=$(stored "$tag")
  log "$name: injected with $at_start of $total trades stored"
  sleep "$HOLD_S"
  at_end=$(stored "$tag")
  admin "$undo" || fail "$name: undo failed"
  log "$name: lifted with $at_end of $total trades stored"
  if [[ $at_start -gt 0 && $at_end -lt $total ]]; then
    log "ok: $name: the refusal landed in the middle of the run"
  else
    fail "$name: the refusal did not land in the middle of the run (stored $at_start at its start, $at_end at its end, of $total)"
  fi
  kill -0 "$(eval "echo \$PID_$name")" 2>/dev/null || fail "$name: the worker died during the refusal"
  wait_idle trade.raw 300 || fail "$name: did not catch up after the refusal"
  dl_new >"$WORK/$name.dl"
  assert_eq "$(grep -c . "$WORK/$name.dl")" "0" "$name: dead letters of this run"
  if [[ -s $WORK/$name.dl ]]; then
    log "$name: $(grep -c "mysql $code" "$WORK/$name.dl") of them name mysql $code, e.g.:"
    head -1 "$WORK/$name.dl"
  fi
  assert_eq "$(stored "$tag")" "$total" "$name: trades stored"
  assert_eq "$(sql "SELECT COUNT(DISTINCT platform_id, tid) FROM api_trade WHERE tid LIKE '%-$tag%'")" "$total" \
    "$name: distinct trades stored (none twice)"
  APPLIED=$((APPLIED + total))
  assert_eq "$(sql "SELECT COUNT(*) FROM processed_event")" "$APPLIED" "$name: events recorded as processed (all runs)"
  stock_check "$name"
  grep -q 'msg="batch failed, will retry"' "$WORK/$name.log" || fail "$name: no batch retry logged"
  n=$(grep -c "msg=\"batch transaction failed\".*mysql $code" "$WORK/$name.log" || true)
  if [[ $n -gt 0 ]]; then
    log "ok: $name: $n batch failures logged with mysql $code, e.g.:"
    grep -m1 "msg=\"batch transaction failed\".*mysql $code" "$WORK/$name.log"
    grep -m1 'msg="batch failed, will retry"' "$WORK/$name.log"
  else
    fail "$name: no batch failure logged with mysql $code"
  fi
  if grep -q 'retrying message by message' "$WORK/$name.log"; then
    fail "$name: the refusal sent the batch to the message-by-message fallback"
    grep -m2 'retrying message by message' "$WORK/$name.log"
  fi
  kill -0 "$(eval "echo \$PID_$name")" 2>/dev/null || fail "$name: the worker died"
  stop_worker "$name"
  grep -q 'deadlettered=0' <(grep 'msg=stats why=exit' "$WORK/$name.log") || fail "$name: exit stats count dead letters"
}

refusal full F 1114 \
  "CREATE TRIGGER it_full BEFORE INSERT ON api_trade FOR EACH ROW
     SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1114, MESSAGE_TEXT = 'The table ''api_trade'' is full'" \
  "DROP TRIGGER it_full"
refusal readonly R 1290 "SET GLOBAL read_only = 1" "SET GLOBAL read_only = 0"

# good TID BUYER: one small valid trade (all of one buyer = one key = one partition, one batch)
good() {
  printf '{"platform_id":2,"shop_no":"jd-store","tid":"%s","trade_status":30,"pay_status":2,"delivery_term":1,"trade_time":"2026-11-20 10:00:00","buyer_nick":"%s","orders":[{"oid":"%s-1","status":30,"num":1,"price":"9.90","spec_no":"SKU-TEA-001"}]}\n' "$1" "$2" "$1"
}
tids() { sql "SELECT IFNULL(GROUP_CONCAT(tid ORDER BY tid), '') FROM api_trade WHERE tid LIKE '$1%'"; }

# (c) The refusal starts while the worker searches a batch message by message for its poison message (a CHECK
# refuses IT-RF-POISON: 4025, the row's fault): a trigger refuses IT-RF-3 with 1290 (read-only). The search must
# hold the whole batch back (no dead letter, not even the poison's) until the refusal passes; then only the
# poison is dead-lettered.
log "---- fallback: read-only (1290) in the middle of the message-by-message search"
admin "ALTER TABLE api_trade ADD CONSTRAINT it_rf_poison CHECK (tid <> 'IT-RF-POISON')"
admin_trigger "CREATE TRIGGER it_ro BEFORE INSERT ON api_trade FOR EACH ROW IF NEW.tid = 'IT-RF-3' THEN
         SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1290,
           MESSAGE_TEXT = 'The MariaDB server is running with the --read-only option so it cannot execute this statement';
       END IF"
for t in IT-RF-1 IT-RF-POISON IT-RF-3 IT-RF-4; do good "$t" rf-buyer; done >"$WORK/rf.jsonl"
dl_mark
publish "$WORK/rf.jsonl" # worker stopped: the four arrive in one batch
OF_BATCH_WAIT_MS=200 start_worker fb # one batch even if the fetch comes in parts
for _ in $(seq 1 100); do grep -q 'mysql 1290' "$WORK/fb.log" && break; sleep 0.1; done
sleep 3
grep -Eq 'retrying message by message.* messages=4( |$)' "$WORK/fb.log" || fail "fallback: the poison did not start the search in a batch of the four"
grep -q 'msg="batch transaction failed".*mysql 1290' "$WORK/fb.log" || fail "fallback: the refusal did not hold the batch"
assert_eq "$(dl_count)" "0" "fallback: dead letters while the refusal lasts"
assert_eq "$(tids IT-RF-3)" "" "fallback: the refused trade waits"
admin "DROP TRIGGER it_ro"
wait_idle || fail "fallback: not consumed after the refusal"
assert_eq "$(tids IT-RF-)" "IT-RF-1,IT-RF-3,IT-RF-4" "fallback: trades stored once the refusal passed"
dl=$(dl_new)
assert_eq "$(grep -c . <<<"$dl")" "1" "fallback: dead letters (the poison only)"
assert_eq "$(grep -c 'class=permanent.*reason="database refused the trade: .*mysql 4025.*it_rf_poison' <<<"$dl")" "1" \
  "fallback: the poison dead-lettered for its CHECK"
# a poison alone in its batch: a row's fault needs no batch-mate to blame it
dl_mark
good IT-RF-POISON rf-alone-buyer >"$WORK/rf2.jsonl"
publish "$WORK/rf2.jsonl"
wait_idle || fail "fallback: the lone poison not consumed"
assert_eq "$(dl_new | grep -c 'class=permanent.*mysql 4025.*it_rf_poison')" "1" "fallback: a lone poison dead-lettered"
admin "ALTER TABLE api_trade DROP CONSTRAINT it_rf_poison"
stop_worker fb

# (d) A code the classification does not know (3999) on every insert: the search finds no message the database
# accepts, so it blames none and the batch waits; once only IT-UK-2 is refused, it alone is dead-lettered.
log "---- unknown code (3999): no message blamed unless its batch-mates pass"
admin_trigger "CREATE TRIGGER it_unknown BEFORE INSERT ON api_trade FOR EACH ROW IF NEW.tid LIKE 'IT-UK-%' THEN
         SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 3999, MESSAGE_TEXT = 'it_unknown: a code nobody knows';
       END IF"
for t in IT-UK-1 IT-UK-2 IT-UK-3; do good "$t" uk-buyer; done >"$WORK/uk.jsonl"
dl_mark
publish "$WORK/uk.jsonl"
OF_BATCH_WAIT_MS=200 start_worker uk # one batch even if the fetch comes in parts
for _ in $(seq 1 100); do grep -q 'blames no row' "$WORK/uk.log" && break; sleep 0.1; done
sleep 2
grep -q 'msg="database refused every message of the batch with an error that blames no row; will retry".*mysql 3999' \
  "$WORK/uk.log" || fail "unknown code: the batch was not held back"
assert_eq "$(dl_count)" "0" "unknown code on every message: dead letters"
assert_eq "$(tids IT-UK-)" "" "unknown code on every message: nothing stored"
admin "DROP TRIGGER it_unknown"
admin_trigger "CREATE TRIGGER it_unknown BEFORE INSERT ON api_trade FOR EACH ROW IF NEW.tid = 'IT-UK-2' THEN
         SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 3999, MESSAGE_TEXT = 'it_unknown: a code nobody knows';
       END IF"
wait_idle || fail "unknown code: not consumed"
assert_eq "$(tids IT-UK-)" "IT-UK-1,IT-UK-3" "unknown code on one message: its batch-mates stored"
assert_eq "$(dl_count)" "1" "unknown code on one message: dead letters"
admin "DROP TRIGGER it_unknown"
stop_worker uk
