#!/usr/bin/env bash
# fleet.sh -- the fleet on the local stack: every worker type, in the configured number of instances, each under a
# supervisor that restarts it when it dies (exponential backoff), logs and pids in the state folder. See
# docs/operations.md ("The fleet"); on real hosts the same job is done by systemd (deploy/systemd/).
#
# Usage: scripts/fleet.sh up [WORKER...]        start what is not running (all worker types, or the ones named);
#                                              instances above the configured count are stopped (scale down)
#        scripts/fleet.sh down [WORKER...]      stop: SIGTERM, then SIGKILL after OF_FLEET_STOP_S; nothing is left
#        scripts/fleet.sh status [WORKER...]    each instance: state, pid, up since, restarts, last exit (exit 3
#                                              when one is not running)
#        scripts/fleet.sh restart NAME          stop and start a worker type's instances or one instance
#        scripts/fleet.sh logs NAME [-f] [-n N] an instance's log (or a worker type's, or `fleet`: the supervisors')
# WORKER: trade-submit trade-modify sweep delivery retry-ladder dlq-recorder flash payment-finish order-sync gateway
#         console;
# NAME: a WORKER or an instance (trade-submit-2).
#
# Knobs (environment, or KEY=value lines in $OF_CONFIG for the OF_FLEET_* ones; the environment wins):
#   OF_FLEET_<WORKER>      instances of WORKER, upper case with _ (OF_FLEET_TRADE_SUBMIT=2); default 1, 0 = none
#   OF_FLEET_STOP_S        seconds `down` waits after SIGTERM before SIGKILL (default 20)
#   OF_FLEET_BACKOFF_MAX_S longest wait before a restart (default 30; the waits double from 1 s)
#   OF_FLEET_GIVE_UP       a supervisor gives up after this many restarts in a row of an instance that lived
#                          less than 60 s (default 10); an exit with code 78 (configuration error) is never restarted
#   OF_FLEET_GROUP_PREFIX  consumer groups <prefix><worker> instead of orderfleet.<worker> (tests)
#   OF_FLEET_ADMIN_BASE    admin ports (/metrics, /healthz, /readyz): instance n of the k-th worker type (0-based, in
#                          the order of WORKER below) listens on BASE + 10k + n - 1 (instances 1..10); default 9500,
#                          0 = no admin ports
#   OF_STATE_DIR           the stack's state folder (default <repo>/.state); the fleet lives in its fleet/
#   OF_CONFIG              the configuration the instances read (default $OF_STATE_DIR/stack.env)
#   OF_BUILD_DIR           the build whose bin/of-* run (default <repo>/build)
# Each instance gets OF_INSTANCE_ID=<worker>-<n> (static consumer-group membership: a restarted instance gets its
# partitions back without a rebalance), gateway instance n listens on OF_GATEWAY_PORT+n-1 (console: OF_CONSOLE_PORT+n-1,
# token OF_CONSOLE_TOKEN from the secrets below), and of-dlq-recorder
# writes $OF_STATE_DIR/logs/deadletter.log unless OF_DEADLETTER_LOG says otherwise. $OF_STATE_DIR/secrets/fleet.env
# (made on the first `up`, mode 600) holds the local fleet's secrets: gateway tokens and the sample merchants' HMAC
# secrets; every instance gets them in its environment.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$REPO/scripts/fleet.sh
STATE=$(realpath -m -- "${OF_STATE_DIR:-$REPO/.state}")
export OF_CONFIG=${OF_CONFIG:-$STATE/stack.env}
BIN=$(realpath -m -- "${OF_BUILD_DIR:-$REPO/build}")/bin
FLEET=$STATE/fleet
RUN=$FLEET/run
LOGS=$FLEET/logs
SECRETS=$STATE/secrets/fleet.env
WORKERS=(trade-submit trade-modify sweep delivery retry-ladder dlq-recorder flash payment-finish order-sync gateway
  console)

ALL=0 # up/down: no worker named (the whole fleet)
say() { printf 'fleet: %s\n' "$*"; }
die() { printf 'fleet: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }
# one structured line (docs/operations.md "Logs") into the supervisors' log
event() { # LEVEL MSG KEY=VALUE...
  local lvl=$1 msg=$2
  shift 2
  printf 'ts=%s level=%s comp=fleet msg="%s" %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$lvl" "$msg" "$*" >>"$FLEET/fleet.log"
}

# knob NAME DEFAULT: the environment, else the last NAME= line of $OF_CONFIG, else DEFAULT
knob() {
  local v=${!1-}
  if [[ -z $v && -f $OF_CONFIG ]]; then
    v=$(sed -n -E "s/^(export )?$1=[\"']?([^\"']*)[\"']?\$/\\2/p" "$OF_CONFIG" | tail -n 1)
  fi
  printf '%s' "${v:-$2}"
}
int_knob() { # NAME DEFAULT MAX
  local v
  v=$(knob "$1" "$2")
  [[ $v =~ ^[0-9]+$ && $v -le $3 ]] || die "$1=$v: not an integer 0..$3"
  printf '%s' "$v"
}
count_of() { int_knob "OF_FLEET_$(tr 'a-z-' 'A-Z_' <<<"$1")" 1 64; }
is_worker() { [[ " ${WORKERS[*]} " == *" $1 "* ]]; }

# alive PID WHAT: PID runs and is WHAT (its command line holds the text), so a recycled pid is never signalled
alive() {
  [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null && { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$2"
}
pid_of() { cat "$RUN/$1.$2" 2>/dev/null || true; } # INSTANCE pid|sup
sup_alive() { alive "$(pid_of "$1" sup)" "$SELF _supervise"; }
worker_alive() { alive "$(pid_of "$1" pid)" "$BIN/of-${1%-*} "; }

# instances INSTANCE...: every instance with files in run/ (any count) of the given worker types
known_instances() {
  local w f
  for w in "$@"; do
    for f in "$RUN/$w"-*.state "$RUN/$w"-*.sup "$RUN/$w"-*.pid; do
      [[ -e $f ]] || continue
      f=${f##*/}
      f=${f%.*}
      [[ ${f#"$w"-} =~ ^[0-9]+$ ]] && printf '%s\n' "$f"
    done
  done | sort -u -V
}

# the local fleet's secrets, made once: gateway service and back-office tokens, the buyers' token key, the
# secrets of the sample's merchants 1 and 2 (merchant.secret_ref = OF_MERCHANT_1_SECRET, OF_MERCHANT_2_SECRET), the
# console's token and the payment provider's signing key (OF_PAY_PROVIDER_SECRET: make run's of-testpay)
ensure_secrets() {
  r() { head -c 18 /dev/urandom | base64 | tr '+/' 'xy'; }
  if [[ -s $SECRETS ]]; then # made by an earlier version: add what is missing
    grep -q '^OF_CONSOLE_TOKEN=' "$SECRETS" || echo "OF_CONSOLE_TOKEN=$(r)" >>"$SECRETS"
    grep -q '^OF_PAY_PROVIDER_SECRET=' "$SECRETS" || echo "OF_PAY_PROVIDER_SECRET=$(r)" >>"$SECRETS"
    return 0
  fi
  mkdir -p "${SECRETS%/*}"
  (
    umask 077
    {
      echo "# fleet.env -- secrets of the local fleet (scripts/fleet.sh); every instance gets them in its environment"
      echo "OF_GATEWAY_TOKENS=app:$(r):service,bo:$(r):backoffice"
      echo "OF_GATEWAY_USER_SECRET=$(r)"
      echo "OF_MERCHANT_1_SECRET=$(r)"
      echo "OF_MERCHANT_2_SECRET=$(r)"
      echo "OF_CONSOLE_TOKEN=$(r)"
      echo "OF_PAY_PROVIDER_SECRET=$(r)"
    } >"$SECRETS.tmp"
    mv "$SECRETS.tmp" "$SECRETS"
  )
}

# admin_port WORKER N: the instance's admin port (OF_FLEET_ADMIN_BASE), 0 when off or past the 10th instance
admin_port() {
  local base k
  base=$(int_knob OF_FLEET_ADMIN_BASE 9500 65000)
  for k in "${!WORKERS[@]}"; do [[ ${WORKERS[k]} == "$1" ]] && break; done
  if ((base == 0 || $2 > 10)); then echo 0; else echo $((base + 10 * k + $2 - 1)); fi
}

# ---------------------------------------------------------------- one instance's supervisor (runs detached)
write_state() { # INSTANCE STATUS SINCE RESTARTS LAST_EXIT
  printf 'status=%s\nsince=%s\nrestarts=%s\nlast_exit=%s\n' "$2" "$3" "$4" "$5" >"$RUN/$1.state.tmp"
  mv "$RUN/$1.state.tmp" "$RUN/$1.state"
}

supervise() { # WORKER N
  local w=$1 n=$2 inst="$1-$2"
  local log=$LOGS/$inst.log stopping=0 child=0 restarts=0 quick=0 backoff=1 rc started why
  local max_backoff give_up gw_port sleeper
  max_backoff=$(int_knob OF_FLEET_BACKOFF_MAX_S 30 3600)
  give_up=$(int_knob OF_FLEET_GIVE_UP 10 100000)
  echo $$ >"$RUN/$inst.sup"
  trap 'stopping=1; if ((child)); then kill -TERM "$child" 2>/dev/null || true; fi' TERM INT
  trap '' HUP
  # the instance's environment: the settings `up` was given, the fleet's secrets, its id, its group, per-instance ports
  restore_env
  set -a
  # shellcheck disable=SC1090
  source "$SECRETS"
  set +a
  export OF_INSTANCE_ID=$inst OF_DEADLETTER_LOG=${OF_DEADLETTER_LOG:-$STATE/logs/deadletter.log}
  unset OF_KAFKA_GROUP
  if [[ -n ${OF_FLEET_GROUP_PREFIX:-} ]]; then export OF_KAFKA_GROUP=$OF_FLEET_GROUP_PREFIX$w; fi
  if [[ $w == gateway ]]; then
    gw_port=$(int_knob OF_GATEWAY_PORT 8480 65535)
    export OF_GATEWAY_PORT=$((gw_port + n - 1))
  fi
  if [[ $w == console ]]; then
    gw_port=$(int_knob OF_CONSOLE_PORT 8490 65535)
    export OF_CONSOLE_PORT=$((gw_port + n - 1))
  fi
  OF_ADMIN_PORT=$(admin_port "$w" "$n")
  export OF_ADMIN_PORT
  cd "$STATE"
  while ((!stopping)); do
    started=$(now)
    "$BIN/of-$w" >>"$log" 2>&1 </dev/null &
    child=$!
    echo "$child" >"$RUN/$inst.pid"
    write_state "$inst" running "$started" "$restarts" "${rc:--}"
    rc=0
    wait "$child" || rc=$?
    # a trapped signal ends `wait` early: wait again until the instance is gone (its own exit code then)
    while kill -0 "$child" 2>/dev/null; do
      rc=0
      wait "$child" || rc=$?
    done
    child=0
    rm -f "$RUN/$inst.pid"
    why="exit=$rc"
    ((rc > 128)) && why="$why signal=$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))"
    if ((stopping)); then
      write_state "$inst" stopped "$(now)" "$restarts" "$rc"
      event info "instance stopped" "instance=$inst $why"
      break
    fi
    if ((rc == 78)); then
      write_state "$inst" failed "$(now)" "$restarts" "$rc"
      event error "instance failed: configuration error, not restarted" "instance=$inst $why log=$log"
      echo "$(date -u +%FT%TZ) fleet: exit 78 (configuration error): not restarted" >>"$log"
      break
    fi
    if (($(now) - started >= 60)); then
      quick=0
      backoff=1
    fi
    quick=$((quick + 1))
    if ((quick > give_up)); then
      write_state "$inst" failed "$(now)" "$restarts" "$rc"
      event error "instance failed: gave up" "instance=$inst $why restarts=$restarts quick_exits=$((quick - 1))"
      break
    fi
    restarts=$((restarts + 1))
    event warn "instance restarted" "instance=$inst $why uptime_s=$(($(now) - started)) restarts=$restarts backoff_s=$backoff"
    echo "$(date -u +%FT%TZ) fleet: $why after $(($(now) - started)) s; restart $restarts in $backoff s" >>"$log"
    write_state "$inst" restarting "$(now)" "$restarts" "$rc"
    sleep "$backoff" &
    sleeper=$!
    wait "$sleeper" || true # a stop request ends the wait at once
    kill "$sleeper" 2>/dev/null || true
    backoff=$((backoff * 2 > max_backoff ? max_backoff : backoff * 2))
  done
  rm -f "$RUN/$inst.sup"
}

# ---------------------------------------------------------------- commands
# The OF_* environment `up` was given (configuration overrides such as OF_RETRY_LADDER; not the fleet's own knobs, paths
# or secrets), kept in fleet/env so that an instance started later from another shell (restart, a later up) runs with
# the same settings; what the caller sets wins. `down` of the whole fleet forgets it.
save_env() {
  local k saved=$FLEET/env
  (
    umask 077
    {
      # shellcheck disable=SC2094 # reads env, writes env.tmp
      if [[ -f $saved ]]; then # the saved ones the caller does not set
        while IFS='=' read -r k _; do
          [[ $k =~ ^OF_[A-Z0-9_]+$ && -z ${!k+x} ]] && grep -m1 -E "^$k=" "$saved"
        done <"$saved"
      fi
      for k in $(compgen -e); do # the caller's
        [[ $k =~ ^OF_ && ! $k =~ ^OF_(FLEET_|STATE_DIR$|CONFIG$|BUILD_DIR$|REPO$|INSTANCE_ID$|KAFKA_GROUP$) ]] || continue
        grep -qE "^$k=" "$SECRETS" 2>/dev/null || printf '%s=%q\n' "$k" "${!k}"
      done
    } >"$saved.tmp" || true
    mv "$saved.tmp" "$saved"
  )
}
# restore_env: the saved settings the caller did not set (in the supervisor, before the instance starts)
restore_env() {
  local k v
  [[ -f $FLEET/env ]] || return 0
  while IFS='=' read -r k v; do
    if [[ $k =~ ^OF_[A-Z0-9_]+$ && -z ${!k+x} ]]; then eval "export $k=$v"; fi
  done <"$FLEET/env"
  return 0
}

start_instance() { # WORKER N
  local inst="$1-$2"
  if sup_alive "$inst"; then return 0; fi
  if worker_alive "$inst"; then # its supervisor died: the orphan is stopped first, then supervised again
    kill -TERM "$(pid_of "$inst" pid)" 2>/dev/null || true
    stop_wait "$inst"
  fi
  : >>"$LOGS/$inst.log"
  rm -f "$RUN/$inst.pid" "$RUN/$inst.sup"
  # the supervisor writes fleet.log itself (event); its stderr (bash job reports, errors) goes aside
  setsid bash "$SELF" _supervise "$1" "$2" </dev/null >>"$FLEET/fleet.log" 2>>"$FLEET/supervisors.err" &
  event info "instance started" "instance=$inst"
}

# stop_wait INSTANCE...: SIGTERM to each supervisor and instance, SIGKILL to what is left after OF_FLEET_STOP_S
stop_wait() {
  local inst bound end left killed=0
  bound=$(int_knob OF_FLEET_STOP_S 20 3600)
  # one SIGTERM per instance (a second one makes a worker exit at once, unclean): through its supervisor, which
  # passes it on, else to the instance itself
  for inst in "$@"; do
    if sup_alive "$inst"; then
      kill -TERM "$(pid_of "$inst" sup)" 2>/dev/null || true
    elif worker_alive "$inst"; then
      kill -TERM "$(pid_of "$inst" pid)" 2>/dev/null || true
    fi
  done
  end=$(($(date +%s%N) / 1000000 + bound * 1000))
  while :; do
    left=()
    for inst in "$@"; do
      if worker_alive "$inst" || sup_alive "$inst"; then left+=("$inst"); fi
    done
    ((${#left[@]} == 0)) && break
    if (($(date +%s%N) / 1000000 >= end)); then
      for inst in "${left[@]}"; do
        if sup_alive "$inst"; then kill -KILL "$(pid_of "$inst" sup)" 2>/dev/null || true; fi
        if worker_alive "$inst"; then kill -KILL "$(pid_of "$inst" pid)" 2>/dev/null || true; fi
        event warn "instance killed" "instance=$inst after_s=$bound"
        killed=$((killed + 1))
      done
      sleep 0.2
      for inst in "${left[@]}"; do
        if worker_alive "$inst" || sup_alive "$inst"; then die "$inst: still running after SIGKILL"; fi
        write_state "$inst" stopped "$(now)" "$(sed -n 's/^restarts=//p' "$RUN/$inst.state" 2>/dev/null || echo 0)" 137
      done
      break
    fi
    sleep 0.1
  done
  for inst in "$@"; do rm -f "$RUN/$inst.pid" "$RUN/$inst.sup"; done
  ((killed == 0)) || say "$killed instance(s) killed with SIGKILL after ${bound} s: ${left[*]}"
}

cmd_up() {
  local w n count started=()
  [[ -f $OF_CONFIG ]] || die "no $OF_CONFIG: start the stack first (scripts/stack.sh up) or set OF_CONFIG"
  mkdir -p "$RUN" "$LOGS" "$STATE/logs"
  ensure_secrets
  save_env
  for w in "$@"; do
    [[ -x $BIN/of-$w ]] || die "no $BIN/of-$w: build first (make build) or set OF_BUILD_DIR"
  done
  (($(count_of gateway) <= 10 && $(count_of console) <= 10)) ||
    die "at most 10 instances of gateway and of console (their ports: OF_GATEWAY_PORT / OF_CONSOLE_PORT + 0..9)"
  for w in "$@"; do
    count=$(count_of "$w")
    for ((n = 1; n <= count; n++)); do
      sup_alive "$w-$n" && continue
      start_instance "$w" "$n"
      started+=("$w-$n")
    done
    # scale down: instances above the count
    local extra=()
    while read -r inst; do
      [[ -n $inst && ${inst##*-} -gt $count ]] && (sup_alive "$inst" || worker_alive "$inst") && extra+=("$inst")
    done < <(known_instances "$w")
    if ((${#extra[@]})); then
      stop_wait "${extra[@]}"
      for inst in "${extra[@]}"; do rm -f "$RUN/$inst.state"; done
      say "scaled $w down to $count: stopped ${extra[*]}"
    fi
  done
  # every started instance has its process (or has already failed) within 10 s
  local inst i
  for inst in "${started[@]}"; do
    for ((i = 0; i < 100; i++)); do
      worker_alive "$inst" && break
      [[ $(sed -n 's/^status=//p' "$RUN/$inst.state" 2>/dev/null) == failed ]] && break
      sleep 0.1
    done
  done
  say "${#started[@]} instance(s) started, logs in $LOGS"
  cmd_status "$@" || true
}

cmd_down() {
  local insts=() inst
  while read -r inst; do
    if [[ -n $inst ]] && { sup_alive "$inst" || worker_alive "$inst"; }; then insts+=("$inst"); fi
  done < <(known_instances "$@")
  if ((${#insts[@]} == 0)); then
    ((!ALL)) || rm -f "$FLEET/env"
    say "nothing running"
    return 0
  fi
  stop_wait "${insts[@]}"
  local remaining=0
  for inst in "${insts[@]}"; do
    if worker_alive "$inst" || sup_alive "$inst"; then remaining=$((remaining + 1)); fi
  done
  ((remaining == 0)) || die "$remaining instance(s) still running"
  ((!ALL)) || rm -f "$FLEET/env" # the whole fleet is down: its saved settings go with it
  say "stopped ${#insts[@]} instance(s)"
}

cmd_status() { # [WORKER...] (default: all)
  local w n inst st pid since restarts last ap rc=0 all=()
  (($#)) || set -- "${WORKERS[@]}"
  mapfile -t all < <(
    for w in "$@"; do
      for ((n = 1; n <= $(count_of "$w"); n++)); do echo "$w-$n"; done
      known_instances "$w"
    done | awk '!seen[$0]++'
  )
  printf '%-18s %-11s %-8s %-20s %-8s %-9s %s\n' INSTANCE STATE PID "UP SINCE" RESTARTS "LAST EXIT" "ADMIN (/metrics /healthz /readyz)"
  for inst in "${all[@]}"; do
    st=$(sed -n 's/^status=//p' "$RUN/$inst.state" 2>/dev/null || true)
    since=$(sed -n 's/^since=//p' "$RUN/$inst.state" 2>/dev/null || true)
    restarts=$(sed -n 's/^restarts=//p' "$RUN/$inst.state" 2>/dev/null || true)
    last=$(sed -n 's/^last_exit=//p' "$RUN/$inst.state" 2>/dev/null || true)
    pid=-
    if worker_alive "$inst"; then
      pid=$(pid_of "$inst" pid)
      st=running
    elif sup_alive "$inst"; then
      [[ $st == running ]] && st=starting
    elif [[ -z $st ]]; then
      st="not started"
    elif [[ $st == running || $st == restarting ]]; then
      st="dead" # its supervisor is gone (killed): `up` starts it again
    fi
    [[ $st == running ]] || rc=3
    [[ $(count_of "${inst%-*}") -ge ${inst##*-} ]] || st="$st (above the count)"
    [[ -n $since && $st == running ]] && since=$(date -d "@$since" '+%F %T') || since=-
    ap=$(admin_port "${inst%-*}" "${inst##*-}")
    ((ap)) && ap="127.0.0.1:$ap" || ap=-
    printf '%-18s %-11s %-8s %-20s %-8s %-9s %s\n' "$inst" "$st" "$pid" "$since" "${restarts:-0}" "${last:--}" "$ap"
  done
  return $rc
}

# check_name NAME: a worker type or an instance of one, else the command stops
check_name() {
  is_worker "$1" || { is_worker "${1%-*}" && [[ ${1##*-} =~ ^[0-9]+$ ]]; } ||
    die "$1: not a worker (${WORKERS[*]}) nor an instance (trade-submit-2)"
}
# names NAME: the instances NAME means (a worker type: its configured and known instances; else the instance)
names() {
  local i
  if is_worker "$1"; then
    {
      for ((i = 1; i <= $(count_of "$1"); i++)); do echo "$1-$i"; done
      known_instances "$1"
    } | awk '!seen[$0]++'
  else
    echo "$1"
  fi
}

cmd_restart() {
  local insts=() inst
  [[ $# == 1 ]] || die "usage: fleet.sh restart NAME"
  check_name "$1"
  mapfile -t insts < <(names "$1")
  stop_wait "${insts[@]}"
  mkdir -p "$RUN" "$LOGS"
  ensure_secrets
  for inst in "${insts[@]}"; do
    if [[ ${inst##*-} -le $(count_of "${inst%-*}") ]]; then start_instance "${inst%-*}" "${inst##*-}"; fi
  done
  sleep 0.5
  cmd_status "${1%-[0-9]*}" || true
}

cmd_logs() {
  local name=${1:-} files=() inst
  [[ -n $name ]] || die "usage: fleet.sh logs NAME [-f] [-n N]"
  shift
  if [[ $name == fleet ]]; then
    files=("$FLEET/fleet.log")
  else
    check_name "$name"
    while read -r inst; do [[ -f $LOGS/$inst.log ]] && files+=("$LOGS/$inst.log"); done < <(names "$name")
  fi
  ((${#files[@]})) || die "no log of $name yet ($LOGS)"
  exec tail -n 50 "$@" "${files[@]}"
}

usage() { sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//'; }

# the whole command is one function, called on the last line with an explicit exit: a supervisor (a long-running
# `fleet.sh _supervise`) never reads this file again after it started, so editing it (git pull) is safe
main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    up | down)
      for w in "$@"; do is_worker "$w" || die "$w: not a worker (${WORKERS[*]})"; done
      ALL=0
      (($#)) || { ALL=1 && set -- "${WORKERS[@]}"; }
      if [[ $cmd == up ]]; then cmd_up "$@"; else cmd_down "$@"; fi
      ;;
    status)
      for w in "$@"; do is_worker "$w" || die "$w: not a worker (${WORKERS[*]})"; done
      cmd_status "$@"
      ;;
    restart) cmd_restart "$@" ;;
    logs) cmd_logs "$@" ;;
    _supervise) supervise "$@" ;;
    -h | --help | help) usage ;;
    *)
      if [[ -z $cmd ]]; then echo "fleet.sh: no command" >&2; else echo "fleet.sh: unknown command '$cmd'" >&2; fi
      [[ $cmd != stop ]] || echo "fleet.sh: to stop the fleet: fleet.sh down" >&2
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"; exit $?
