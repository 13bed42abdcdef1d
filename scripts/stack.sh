#!/usr/bin/env bash
# stack.sh -- the local stack: MariaDB, Redis and Apache Kafka (KRaft) as plain
# processes on loopback, in a private state folder. See docs/local-stack.md.
# Kafka's jars come from Maven Central through scripts/setup.sh (tools/kafka/pom.xml).
#
# Usage: scripts/stack.sh up | down [--purge] | status | env | logs [-f] [-n N]
#          | mysql [--site buyer|seller|replica] [client args...]
#          | site-stop buyer|seller|replica [--kill] | site-start buyer|seller|replica
#          | replication stop|start|status
#
# Besides the fleet's MariaDB server, 'up' runs the two order-sync sites as three more MariaDB servers:
# the buyer site's server, the seller site's primary (binary log, GTID) and a replica of the seller
# at the buyer site (read-only). site-stop/site-start stop or start one of them (outage tests);
# 'replication' stops, starts or shows the replica's replication; 'mysql --site NAME' opens the client
# on one of them as the app user.
#
# Knobs (environment, all optional):
#   OF_STATE_DIR         state folder            (default: <repo>/.state)
#   OF_MYSQL_PORT        MariaDB TCP port        (default: 33306)
#   OF_SITE_BUYER_PORT   buyer site server       (default: OF_MYSQL_PORT+1)
#   OF_SITE_SELLER_PORT  seller site primary     (default: OF_MYSQL_PORT+2)
#   OF_SITE_REPLICA_PORT replica of the seller   (default: OF_MYSQL_PORT+3)
#   OF_SITES             site servers on 'up'    (default: 1; 0 skips them, 'down' stops them all the same)
#   OF_REDIS_PORT        Redis TCP port          (default: 36379)
#   OF_KAFKA_PORT        first Kafka client port (default: 29092; node N listens on +N-1, its controller on +10+N-1)
#   OF_KAFKA_BROKERS     Kafka nodes             (default: 1; 3 = replication 3, min.insync.replicas 2)
#   OF_KAFKA_HEAP        JVM heap per node       (default: 1g for one node, 512m each for three)
#   OF_KAFKA_HOME        Kafka jar cache         (default: ~/.cache/orderfleet/kafka-<version>, filled by setup.sh)
#   OF_BUILD_DIR         CMake build folder      (default: <repo>/build; ordctl creates the topics)
#   OF_TOPICS_ARGS       extra 'ordctl topics create' arguments, e.g. "--namespaces 17" (the test stack)
# The state folder is the identity of a stack: ports are recorded there when a
# component starts, and down/status/mysql/site-start use the recorded ones.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/kafka.sh
source "$REPO/scripts/lib/kafka.sh"

abspath() { realpath -m -- "$1"; } # canonical (matches /proc/PID/cwd), need not exist

STATE=$(abspath "${OF_STATE_DIR:-$REPO/.state}")
MYSQL_PORT=${OF_MYSQL_PORT:-33306}
SITE_BUYER_PORT=${OF_SITE_BUYER_PORT:-$((MYSQL_PORT + 1))}
SITE_SELLER_PORT=${OF_SITE_SELLER_PORT:-$((MYSQL_PORT + 2))}
SITE_REPLICA_PORT=${OF_SITE_REPLICA_PORT:-$((MYSQL_PORT + 3))}
SITES=${OF_SITES:-1}
REDIS_PORT=${OF_REDIS_PORT:-36379}
KAFKA_PORT=${OF_KAFKA_PORT:-29092}
KAFKA_BROKERS=${OF_KAFKA_BROKERS:-1}
BUILD_DIR=$(abspath "${OF_BUILD_DIR:-$REPO/build}")

ME=$(id -un)                       # OS user; also the unix-socket admin account in MariaDB
LOGS=$STATE/logs
RUN=$STATE/run
SECRETS=$STATE/secrets
MY_DIR=$STATE/mysql
MY_PID=$RUN/mysqld.pid
MY_LOG=$LOGS/mysql.log
RD_DIR=$STATE/redis
RD_SOCK=$RD_DIR/redis.sock
RD_PID=$RUN/redis.pid
RD_LOG=$LOGS/redis.log
KF_DIR=$STATE/kafka
PW_FILE=$SECRETS/mysql_password
REPL_PW_FILE=$SECRETS/repl_password
CLIENT_CNF=$SECRETS/client.cnf
ENV_FILE=$STATE/stack.env

MYSQL_WAIT=60
REPL_WAIT=60
BROKER_WAIT=${OF_BROKER_WAIT:-60}
STOP_WAIT=10

say() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

log_tail() { # file [lines]
  [[ -f "$1" ]] || return 0
  printf 'stack: --- last lines of %s ---\n' "$1" >&2
  tail -n "${2:-20}" "$1" | sed 's/^/  /' >&2
}

# ---------------------------------------------------------------- processes

# pid_ok PID NAME DIR: PID is alive, its command line mentions NAME and its
# working directory is DIR (each daemon runs with its cwd in this state dir,
# so a recycled pid or the other stack's daemon never matches).
pid_ok() {
  local pid=$1 name=$2 dir=$3 cmd cwd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == *"$name"* ]] || return 1
  cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 1
  [[ "$cwd" == "$dir" ]]
}

# pidfile_running LABEL PIDFILE NAME DIR: prints the pid if the process of PIDFILE runs (pid_ok),
# else removes the stale pid file.
pidfile_running() {
  local pidf=$2 name=$3 dir=$4 pid
  [[ -f "$pidf" ]] || return 1
  pid=$(head -n1 "$pidf" 2>/dev/null || true)
  if pid_ok "$pid" "$name" "$dir"; then
    printf '%s\n' "$pid"
    return 0
  fi
  if [[ -z "${QUIET_STALE:-}" ]]; then # status only looks
    warn "$1: stale pid file (pid ${pid:-?} not running), removing"
    rm -f "$pidf"
  fi
  return 1
}

# running redis: prints the pid if Redis runs (MariaDB: my_running INSTANCE).
running() {
  case "$1" in
    redis) pidfile_running redis "$RD_PID" redis-server "$RD_DIR" ;;
    *) die "running: unknown component '$1'" ;;
  esac
}

alive() { # pid: exists and is not a zombie (our daemons are reparented; a zombie counts as gone)
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [[ "${st:0:1}" != Z ]]
}

wait_gone() { # pid seconds
  local pid=$1 n=$(($2 * 10))
  while alive "$pid" && ((n-- > 0)); do sleep 0.1; done
  ! alive "$pid"
}

port_busy() { # port: true if something accepts connections on 127.0.0.1:port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_port() { # component port
  if ! [[ "$2" =~ ^[0-9]+$ ]] || (($2 < 1 || $2 > 65535)); then die "$1: bad port '$2'"; fi
  if port_busy "$2"; then
    die "$1: port $2 on 127.0.0.1 is already in use by another process (see 'ss -ltnp | grep :$2'); pick another port: OF_MYSQL_PORT / OF_SITE_BUYER_PORT / OF_SITE_SELLER_PORT / OF_SITE_REPLICA_PORT / OF_REDIS_PORT / OF_KAFKA_PORT (see docs/local-stack.md)"
  fi
}

recorded_port() { # component default
  local f=$RUN/$1.port
  if [[ -f "$f" ]]; then head -n1 "$f"; else printf '%s\n' "$2"; fi
}

prepare_dirs() {
  mkdir -p "$STATE" "$LOGS" "$RUN" "$MY_DIR" "$MY_DIR/tmp" "$RD_DIR"
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
}

# ------------------------------------------------------------------ MariaDB
# Four mariadbd instances, one set of functions; INSTANCE is one of
#   main     the fleet's server                 mysql/           OF_MYSQL_PORT
#   buyer    the buyer site's server            mysql-buyer/     OF_SITE_BUYER_PORT   (OF_MYSQL_PORT+1)
#   seller   the seller site's primary          mysql-seller/    OF_SITE_SELLER_PORT  (+2), binary log, GTID
#   replica  replica of the seller, buyer site  mysql-replica/   OF_SITE_REPLICA_PORT (+3), read-only
# The three site servers run unless OF_SITES=0.

# my_vars INSTANCE: sets the M_* variables below for INSTANCE. Each caller declares them
# local first (local "${MY_VARS[@]}"), so a function may work on two instances at once.
MY_VARS=(M_LABEL M_DIR M_DATA M_SOCK M_CNF M_PID M_LOG M_KEY M_PORT M_KNOB M_CLIENT M_DB)
my_vars() {
  case "$1" in
    main)
      M_LABEL=mysql M_DIR=$MY_DIR M_PID=$MY_PID M_LOG=$MY_LOG M_KEY=mysql M_CLIENT=$CLIENT_CNF
      M_PORT=$MYSQL_PORT M_KNOB=OF_MYSQL_PORT M_DB=orderfleet ;;
    buyer | seller | replica)
      M_LABEL=mysql-$1 M_DIR=$STATE/mysql-$1 M_PID=$RUN/mysqld-$1.pid M_LOG=$LOGS/mysql-$1.log
      M_KEY=mysql-$1 M_CLIENT=$SECRETS/client-$1.cnf ;;
    *) die "unknown site '$1' (buyer, seller or replica)" ;;
  esac
  case "$1" in
    buyer) M_PORT=$SITE_BUYER_PORT M_KNOB=OF_SITE_BUYER_PORT M_DB=orderfleet_buyer ;;
    seller) M_PORT=$SITE_SELLER_PORT M_KNOB=OF_SITE_SELLER_PORT M_DB=orderfleet_seller ;;
    replica) M_PORT=$SITE_REPLICA_PORT M_KNOB=OF_SITE_REPLICA_PORT M_DB=orderfleet_seller ;;
  esac
  M_DATA=$M_DIR/data M_SOCK=$M_DIR/mysqld.sock M_CNF=$M_DIR/my.cnf
}

site_name() { # NAME: dies unless NAME is a site server
  case "${1:-}" in buyer | seller | replica) ;; *) die "site must be buyer, seller or replica (got '${1:-}')" ;; esac
}

sites_on() { [[ "$SITES" != 0 ]]; }

my_running() { # INSTANCE: prints the pid if it runs
  local "${MY_VARS[@]}"
  my_vars "$1"
  pidfile_running "$M_LABEL" "$M_PID" mariadbd "$M_DATA"
}

my_set_up() { # INSTANCE: its data dir has been initialised in this state folder
  local "${MY_VARS[@]}"
  my_vars "$1"
  [[ -f "$M_DIR/.initialized" ]]
}

admin_sql() { # INSTANCE [client options]: run SQL from stdin as the unix-socket admin account
  local "${MY_VARS[@]}"
  my_vars "$1"
  mariadb --no-defaults --socket="$M_SOCK" --user="$ME" --batch --skip-column-names "${@:2}"
}

my_ping() { # INSTANCE [timeout]
  local "${MY_VARS[@]}"
  my_vars "$1"
  mariadb-admin --no-defaults --socket="$M_SOCK" --user="$ME" --connect-timeout="${2:-2}" ping >/dev/null 2>&1
}

write_my_cnf() { # INSTANCE PORT
  local "${MY_VARS[@]}"
  my_vars "$1"
  {
    echo "# Generated by scripts/stack.sh -- local profile, not for production."
    echo "[mariadbd]"
    case "$1" in
      seller | replica) # first: it sets the default names of the pid file and logs, the lines below override them
        echo "log_basename=$1" ;;
    esac
    cat <<EOF
datadir=$M_DATA
socket=$M_SOCK
port=$2
bind-address=127.0.0.1
pid-file=$M_PID
log-error=$M_LOG
tmpdir=$M_DIR/tmp
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
transaction-isolation=READ-COMMITTED
EOF
    if [[ "$1" == main ]]; then
      cat <<EOF
max_connections=200
# ~600 prepared statements per trade-submit connection (docs/operations.md)
max_prepared_stmt_count=65528
innodb_buffer_pool_size=256M
innodb_log_file_size=128M
EOF
    else
      cat <<EOF
# an order-sync site server: small footprint
max_connections=100
innodb_buffer_pool_size=64M
innodb_log_file_size=48M
EOF
    fi
    cat <<EOF
# Local profile: the redo log is written at commit but fsync'ed about once a
# second, so an OS crash or power loss can lose the last second of commits
# (a mariadbd crash alone loses nothing). See docs/local-stack.md.
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
EOF
    case "$1" in
      buyer) echo "server_id=1" ;;
      seller)
        cat <<EOF
# the primary of the seller site: binary log (data/seller-bin.*), GTID, replicated to mysql-replica
server_id=2
log-bin=seller-bin
log-bin-index=seller-bin.index
binlog_format=ROW
gtid_strict_mode=ON
expire_logs_days=7
EOF
        ;;
      replica)
        cat <<EOF
# replica of mysql-seller (GTID, slave_pos); relay log data/replica-relay-bin.*, no binary log of its own
server_id=3
read_only=ON
relay_log=replica-relay-bin
log_slave_updates=OFF
# a seller that vanishes without closing the connection is noticed within ~10 s (heartbeat every 5 s)
slave_net_timeout=10
EOF
        ;;
    esac
  } >"$M_CNF"
}

make_secret() { # FILE: a 24-character password, created once (mode 600); never printed
  if [[ ! -s "$1" ]]; then
    local raw pw
    raw=$(LC_ALL=C tr -dc 'A-Za-z0-9' < <(head -c 2048 /dev/urandom))
    pw=${raw:0:24}
    ((${#pw} == 24)) || die "could not generate a password"
    (umask 077 && printf '%s\n' "$pw" >"$1.tmp" && mv "$1.tmp" "$1")
  fi
  chmod 600 "$1"
  head -n1 "$1"
}

mysql_password() { make_secret "$PW_FILE"; } # the app user's, on all four servers
repl_password() { make_secret "$REPL_PW_FILE"; } # repl@127.0.0.1 on the seller

# mysql_provision INSTANCE: databases, app user, grants: idempotent, run on every up. On the seller
# they go to the binary log and so reach the replica, which is not provisioned itself (replica_wait).
mysql_provision() {
  local "${MY_VARS[@]}" ident db host dbs=()
  my_vars "$1"
  case "$1" in
    main) dbs=(orderfleet orderfleet_buyer orderfleet_seller) ;;
    buyer) dbs=(orderfleet_buyer) ;;
    seller) dbs=(orderfleet_seller) ;;
    replica) return 0 ;;
  esac
  ident=$(identified_by "$1" "$(mysql_password)")
  {
    for db in "${dbs[@]}"; do
      echo "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4;"
    done
    for host in 127.0.0.1 localhost; do
      echo "CREATE USER IF NOT EXISTS 'orderfleet'@'$host' $ident;"
      echo "ALTER USER 'orderfleet'@'$host' $ident;"
      for db in "${dbs[@]}"; do
        echo "GRANT ALL PRIVILEGES ON \`$db\`.* TO 'orderfleet'@'$host';"
      done
    done
    if [[ "$1" == seller ]]; then
      ident=$(identified_by seller "$(repl_password)")
      echo "CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' $ident;"
      echo "ALTER USER 'repl'@'127.0.0.1' $ident;"
      echo "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';"
    fi
  } | admin_sql "$1" || die "$M_LABEL: provisioning databases/users failed (see $M_LOG)"
}

# identified_by INSTANCE PASSWORD: the IDENTIFIED BY clause. The seller writes its statements to the binary
# log (and the replica to its relay log), so there the clause carries the password's hash, not the password.
identified_by() {
  local h
  if [[ "$1" == seller ]]; then
    h=$(printf "SELECT PASSWORD('%s');\n" "$2" | admin_sql seller) || h=""
    [[ "$h" == '*'* ]] || die "mysql-seller: cannot compute a password hash"
    printf "IDENTIFIED BY PASSWORD '%s'\n" "$h"
  else
    printf "IDENTIFIED BY '%s'\n" "$2"
  fi
}

my_init() { # INSTANCE: initialise the data dir once (.initialized holds an id of this data dir)
  local "${MY_VARS[@]}"
  my_vars "$1"
  [[ -f "$M_DIR/.initialized" ]] && return 0
  say "$M_LABEL: initialising data dir (first run)"
  rm -rf "$M_DATA"
  mkdir -p "$M_DATA" "$M_DIR/tmp"
  if ! mariadb-install-db --defaults-file="$M_CNF" --user="$ME" --datadir="$M_DATA" \
    --auth-root-authentication-method=socket --skip-test-db >>"$M_LOG" 2>&1; then
    log_tail "$M_LOG"
    die "$M_LABEL: mariadb-install-db failed"
  fi
  # a site's data dir holds password hashes in the seller's binary log and the replica's relay log, and the
  # repl password in the replica's master.info: only the owner may enter it
  [[ "$1" == main ]] || chmod 700 "$M_DATA"
  # the replica remembers which seller data dir it copies (replica_tie)
  [[ "$1" != replica ]] || head -n1 "$STATE/mysql-seller/.initialized" >"$M_DIR/.seller" 2>/dev/null || true
  printf '%s-%s-%s\n' "$(date -u +%Y%m%dT%H%M%SZ)" "$$" "$RANDOM" >"$M_DIR/.initialized"
}

my_start() { # INSTANCE PORT: start mariadbd on an initialised data dir, wait until it answers
  local "${MY_VARS[@]}" port=$2 starter n tries=0 mark
  my_vars "$1"
  mkdir -p "$M_DIR/tmp"
  write_my_cnf "$1" "$port"
  while :; do
    rm -f "$M_SOCK" "$M_SOCK.lock"
    mark=$(wc -l <"$M_LOG" 2>/dev/null || echo 0)
    (cd "$M_DATA" && exec setsid nohup mariadbd --defaults-file="$M_CNF" --user="$ME" </dev/null >>"$M_LOG" 2>&1 9>&-) &
    starter=$! n=$((MYSQL_WAIT * 10))
    # The port can be held for a moment by a client socket that took it as its ephemeral port (33306 … lie in
    # Linux's ephemeral range): a bind refusal is tried again a few times.
    while sleep 0.1; alive "$starter" && ! my_ping "$1" && ((n-- > 0)); do :; done
    alive "$starter" || ! tail -n +"$((mark + 1))" "$M_LOG" | grep -q 'Address already in use' || ((++tries > 30)) ||
      { warn "$M_LABEL: port $port busy (a client's ephemeral port in TIME_WAIT?): trying again in 2 s"; sleep 2; continue; }
    break
  done
  until my_ping "$1"; do
    if ! alive "$starter"; then
      log_tail "$M_LOG"
      die "$M_LABEL: mariadbd exited during startup"
    fi
    if ((n-- <= 0)); then
      log_tail "$M_LOG"
      die "$M_LABEL: not answering after ${MYSQL_WAIT}s (still starting? see $M_LOG)"
    fi
    sleep 0.1
  done
  printf '%s\n' "$port" >"$RUN/$M_KEY.port"
}

mysql_up() { # INSTANCE: start it (first run: initialise the data dir) and provision it; the replica also replicates
  local "${MY_VARS[@]}" pid p
  my_vars "$1"
  [[ "$1" != replica ]] || replica_tie
  if pid=$(my_running "$1"); then
    p=$(recorded_port "$M_KEY" "$M_PORT")
    say "$M_LABEL: already running (pid $pid, 127.0.0.1:$p)"
    [[ "$p" == "$M_PORT" ]] || warn "$M_LABEL: $M_KNOB=$M_PORT ignored, it runs on $p (down first to change)"
    mysql_provision "$1"
  else
    ((${#M_SOCK} < 100)) || die "$M_LABEL: socket path too long (${#M_SOCK} chars, unix limit ~107): use a shorter OF_STATE_DIR"
    check_port "$M_LABEL" "$M_PORT"
    mkdir -p "$M_DIR"
    write_my_cnf "$1" "$M_PORT"
    my_init "$1"
    my_start "$1" "$M_PORT"
    pid=$(head -n1 "$M_PID" 2>/dev/null || echo '?')
    mysql_provision "$1"
    say "$M_LABEL: started (pid $pid, 127.0.0.1:$M_PORT)"
  fi
  [[ "$1" != replica ]] || replica_follow
}

my_stop() { # INSTANCE [kill]: clean shutdown (then SIGTERM, SIGKILL); kill=1: SIGKILL at once
  local "${MY_VARS[@]}" pid
  my_vars "$1"
  if ! pid=$(my_running "$1"); then
    say "$M_LABEL: not running"
    return 0
  fi
  if [[ "${2:-0}" == 1 ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || die "$M_LABEL: pid $pid survives SIGKILL"
    say "$M_LABEL: killed (SIGKILL, pid $pid; InnoDB will recover on next start)"
  elif mariadb-admin --no-defaults --socket="$M_SOCK" --user="$ME" --connect-timeout=5 shutdown >/dev/null 2>&1 &&
    wait_gone "$pid" 60; then
    say "$M_LABEL: stopped (mariadb-admin shutdown, pid $pid)"
  else
    kill -TERM "$pid" 2>/dev/null || true
    if wait_gone "$pid" 30; then
      say "$M_LABEL: stopped (SIGTERM, pid $pid)"
    else
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || die "$M_LABEL: pid $pid survives SIGKILL"
      say "$M_LABEL: killed (SIGKILL, pid $pid; InnoDB will recover on next start)"
    fi
  fi
  rm -f "$M_PID" "$M_SOCK" "$M_SOCK.lock"
}

mysql_down() { # INSTANCE; a site server never set up here is passed over in silence
  local "${MY_VARS[@]}"
  my_vars "$1"
  [[ "$1" == main || -d "$M_DIR" || -f "$M_PID" ]] || return 0
  my_stop "$1"
}

# ------------------------------------------------------ seller → replica

# slave_status: fills the caller's associative array SS from SHOW SLAVE STATUS on the replica
# (empty if no master is configured); false if the replica does not answer.
slave_status() {
  local out line
  SS=()
  out=$(admin_sql replica --column-names --vertical -e 'SHOW SLAVE STATUS' 2>/dev/null) || return 1
  while IFS= read -r line; do
    [[ "$line" =~ ^\ *([A-Za-z_]+):\ ?(.*)$ ]] && SS[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
  done <<<"$out"
  return 0
}

seller_gtid() { # the seller's @@gtid_binlog_pos ('?' if it does not answer)
  local g
  g=$(admin_sql seller -e 'SELECT @@gtid_binlog_pos' 2>/dev/null) || g='?'
  printf '%s\n' "$g"
}

# replica_tie: the replica is a copy of one seller data dir. If the seller was initialised anew
# (its .initialized id differs from the one the replica recorded), the replica is re-initialised too.
replica_tie() {
  local rdir=$STATE/mysql-replica sid rid
  [[ -f "$rdir/.initialized" ]] || return 0
  sid=$(head -n1 "$STATE/mysql-seller/.initialized" 2>/dev/null || true)
  rid=$(head -n1 "$rdir/.seller" 2>/dev/null || true)
  [[ -n "$sid" && "$sid" == "$rid" ]] && return 0
  warn "mysql-replica: the seller's data dir is new (initialised ${sid%%-*}), the replica copies an older one: re-initialising the replica"
  my_stop replica
  rm -rf "$rdir/data" "$rdir/.initialized" "$rdir/.seller"
}

# replica_follow: point the replica at the seller (first run: CHANGE MASTER; the seller's port changed:
# CHANGE MASTER TO MASTER_PORT), make sure both threads run, then replica_wait.
replica_follow() {
  local -A SS
  local sport rpw
  sport=$(recorded_port mysql-seller "$SITE_SELLER_PORT")
  slave_status || die "mysql-replica: does not answer over its socket"
  if [[ -z "${SS[Master_Host]:-}" ]]; then
    rpw=$(repl_password)
    admin_sql replica <<EOF || die "mysql-replica: CHANGE MASTER failed (see $LOGS/mysql-replica.log)"
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$sport, MASTER_USER='repl', MASTER_PASSWORD='$rpw',
  MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
EOF
    say "mysql-replica: replicating mysql-seller (127.0.0.1:$sport, GTID, MASTER_USE_GTID=slave_pos)"
  elif [[ "${SS[Master_Port]:-}" != "$sport" ]]; then
    admin_sql replica <<EOF || die "mysql-replica: CHANGE MASTER TO MASTER_PORT=$sport failed"
STOP SLAVE;
CHANGE MASTER TO MASTER_PORT=$sport, MASTER_USE_GTID=slave_pos;
START SLAVE;
EOF
    say "mysql-replica: the seller moved from port ${SS[Master_Port]:-?} to $sport: replication follows"
  elif [[ "${SS[Slave_IO_Running]:-}" == No && "${SS[Slave_SQL_Running]:-}" == No &&
    "${SS[Last_IO_Errno]:-0}" == 0 && "${SS[Last_SQL_Errno]:-0}" == 0 ]]; then
    echo 'START SLAVE' | admin_sql replica || die "mysql-replica: START SLAVE failed"
    say "mysql-replica: replication was stopped (replication stop): started it"
  fi
  replica_wait
}

# replica_wait: bounded wait until both replication threads run and the replica has applied everything
# the seller has logged so far (so the orderfleet_seller database and the app user are there).
replica_wait() {
  local -A SS
  local pos n=$((REPL_WAIT * 5)) ok
  pos=$(seller_gtid)
  [[ "$pos" != '?' ]] || die "mysql-replica: the seller does not answer"
  while :; do
    slave_status || die "mysql-replica: does not answer over its socket"
    if [[ "${SS[Slave_IO_Running]:-}" == Yes && "${SS[Slave_SQL_Running]:-}" == Yes ]]; then
      ok=$(admin_sql replica <<EOF
SELECT MASTER_GTID_WAIT('$pos', 0.2) = 0
  AND EXISTS (SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'orderfleet_seller')
  AND (SELECT COUNT(*) FROM mysql.global_priv WHERE User = 'orderfleet' AND Host IN ('127.0.0.1', 'localhost')) = 2;
EOF
      ) || ok=0
      if [[ "$ok" == 1 ]]; then
        say "mysql-replica: replication running (io=Yes sql=Yes, at $pos like the seller)"
        return 0
      fi
    fi
    if [[ "${SS[Last_IO_Errno]:-0}" == 1236 ]]; then
      log_tail "$LOGS/mysql-replica.log"
      die "mysql-replica: the seller cannot serve the replica's GTID position (${SS[Last_IO_Error]:-}): the replica is ahead of the seller, or the seller's binary logs no longer reach back that far (expire_logs_days); re-initialise the replica: scripts/stack.sh down; rm -rf $STATE/mysql-replica; scripts/stack.sh up; if that fails too, both: rm -rf $STATE/mysql-seller $STATE/mysql-replica (the seller's data is lost); see docs/local-stack.md"
    fi
    if [[ "${SS[Slave_SQL_Running]:-}" == No && "${SS[Last_SQL_Errno]:-0}" != 0 ]]; then
      log_tail "$LOGS/mysql-replica.log"
      die "mysql-replica: the SQL thread stopped: error ${SS[Last_SQL_Errno]}: ${SS[Last_SQL_Error]:-}"
    fi
    if ((n-- <= 0)); then
      log_tail "$LOGS/mysql-replica.log"
      die "mysql-replica: replication not running after ${REPL_WAIT}s (io=${SS[Slave_IO_Running]:-?} sql=${SS[Slave_SQL_Running]:-?}; ${SS[Slave_IO_State]:-}; last IO error: ${SS[Last_IO_Error]:-none})"
    fi
    sleep 0.2
  done
}

# -------------------------------------------------------------------- Redis

redis_ping() {
  [[ "$(redis-cli -s "$RD_SOCK" ping 2>/dev/null)" == PONG ]]
}

redis_up() {
  local pid
  if pid=$(running redis); then
    local p; p=$(recorded_port redis "$REDIS_PORT")
    say "redis: already running (pid $pid, 127.0.0.1:$p)"
    [[ "$p" == "$REDIS_PORT" ]] || warn "redis: OF_REDIS_PORT=$REDIS_PORT ignored, it runs on $p (down first to change)"
    return 0
  fi
  ((${#RD_SOCK} < 100)) || die "redis: socket path too long: use a shorter OF_STATE_DIR"
  check_port redis "$REDIS_PORT"
  rm -f "$RD_SOCK"
  # cwd = $RD_DIR, so the process is recognisable as this stack's (pid_ok)
  # shellcheck disable=SC2094 # redis-server only appends to its log
  if ! (cd "$RD_DIR" && redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --unixsocket "$RD_SOCK" --unixsocketperm 700 \
    --daemonize yes --dir "$RD_DIR" --pidfile "$RD_PID" --logfile "$RD_LOG" \
    --save '' --appendonly no </dev/null >>"$RD_LOG" 2>&1 9>&-); then
    log_tail "$RD_LOG"
    die "redis: redis-server failed to start"
  fi
  local n=100
  until redis_ping; do
    if ((n-- <= 0)); then
      log_tail "$RD_LOG"
      die "redis: no PONG after 10s"
    fi
    sleep 0.1
  done
  printf '%s\n' "$REDIS_PORT" >"$RUN/redis.port"
  pid=$(running redis) || { log_tail "$RD_LOG"; die "redis: answers but pid file $RD_PID is not valid"; }
  say "redis: started (pid $pid, 127.0.0.1:$REDIS_PORT)"
}

redis_down() {
  local pid
  if ! pid=$(running redis); then
    say "redis: not running"
    return 0
  fi
  redis-cli -s "$RD_SOCK" shutdown nosave >/dev/null 2>&1 || true
  if wait_gone "$pid" "$STOP_WAIT"; then
    say "redis: stopped (shutdown nosave, pid $pid)"
  else
    kill -TERM "$pid" 2>/dev/null || true
    if wait_gone "$pid" "$STOP_WAIT"; then
      say "redis: stopped (SIGTERM, pid $pid)"
    else
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || die "redis: pid $pid survives SIGKILL"
      say "redis: killed (SIGKILL, pid $pid)"
    fi
  fi
  rm -f "$RD_PID" "$RD_SOCK"
}

# ------------------------------------------------------------ Apache Kafka

# The node folders, pid and log files of node N (1-based).
kf_node() { printf '%s/node-%s\n' "$KF_DIR" "$1"; }
kf_pidf() { printf '%s/kafka-%s.pid\n' "$RUN" "$1"; }
kf_log() { printf '%s/kafka-%s.log\n' "$LOGS" "$1"; }
kf_port() { printf '%s\n' $(($(recorded_port kafka "$KAFKA_PORT") + $1 - 1)); }
kf_cport() { printf '%s\n' $(($(recorded_port kafka "$KAFKA_PORT") + 10 + $1 - 1)); }
kf_count() { # brokers of this stack: recorded when it was formatted, else OF_KAFKA_BROKERS
  if [[ -f "$KF_DIR/brokers" ]]; then head -n1 "$KF_DIR/brokers"; else printf '%s\n' "$KAFKA_BROKERS"; fi
}

bootstrap_line() {
  local n i out=""
  [[ -f "$RUN/kafka.port" ]] || return 1
  n=$(kf_count)
  for ((i = 1; i <= n; i++)); do out+="${out:+,}127.0.0.1:$(kf_port "$i")"; done
  printf '%s\n' "$out"
}

kf_running() { # N: prints the pid of node N if it runs
  local pidf pid dir
  pidf=$(kf_pidf "$1") dir=$(kf_node "$1")
  [[ -f "$pidf" ]] || return 1
  pid=$(head -n1 "$pidf" 2>/dev/null || true)
  if pid_ok "$pid" kafka.Kafka "$dir"; then
    printf '%s\n' "$pid"
    return 0
  fi
  [[ -n "${QUIET_STALE:-}" ]] || { warn "kafka-$1: stale pid file (pid ${pid:-?} not running), removing"; rm -f "$pidf"; }
  return 1
}

kf_config() { # N BROKERS: server.properties of node N on stdout
  local n=$1 b=$2 dir voters="" i repl isr
  dir=$(kf_node "$n")
  for ((i = 1; i <= b; i++)); do voters+="${voters:+,}$i@127.0.0.1:$(kf_cport "$i")"; done
  repl=$((b < 3 ? b : 3))
  isr=$((b < 3 ? 1 : 2))
  cat <<EOF
# Generated by scripts/stack.sh -- the local stack's Kafka node $n of $b (KRaft, broker+controller).
# Local profile, not for production: see docs/local-stack.md.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(kf_port "$n"),CONTROLLER://127.0.0.1:$(kf_cport "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(kf_port "$n")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
# Topics come from the topic table only (ordctl topics create): a misspelt topic is an error, not a new topic.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=$repl
min.insync.replicas=$isr
offsets.topic.replication.factor=$repl
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$repl
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$repl
share.coordinator.state.topic.min.isr=$isr
unclean.leader.election.enable=false
# Quick local consumer-group joins: no wait for more members before the first assignment.
group.initial.rebalance.delay.ms=0
# A node that stops heartbeating is fenced after 4 s (default 9 s), well inside the workers' 10 s session
# timeout of the local profile: a lost node's partitions move before the groups' sessions run out.
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000
# A 2-core machine: few threads.
num.network.threads=2
num.io.threads=4
background.threads=4
num.recovery.threads.per.data.dir=2
# Retention: a week, or 1 GiB per partition, whichever comes first; 64 MiB segments.
log.retention.hours=168
log.retention.bytes=1073741824
log.segment.bytes=67108864
log.index.size.max.bytes=1048576
EOF
}

kf_write_config() { # N BROKERS
  local dir
  dir=$(kf_node "$1")
  kf_config "$1" "$2" >"$dir/server.properties"
  cat >"$dir/log4j2.yaml" <<'EOF'
# Generated by scripts/stack.sh: the broker logs warnings, plus its start/stop and group coordination.
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
      - name: kafka.server.BrokerServer
        level: INFO
      - name: org.apache.kafka.coordinator.group
        level: INFO
EOF
}

kf_heap() { # per node: one broker 1 GiB, three brokers 512 MiB each (OF_KAFKA_HEAP overrides, e.g. 2g)
  if [[ -n "${OF_KAFKA_HEAP:-}" ]]; then printf '%s\n' "$OF_KAFKA_HEAP"; elif (($(kf_count) > 1)); then echo 512m; else echo 1g; fi
}

kf_start_node() { # N
  local n=$1 dir pid heap
  dir=$(kf_node "$n")
  heap=$(kf_heap)
  (cd "$dir" && exec setsid nohup java -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/log4j2.yaml" -cp "$KAFKA_LIB/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >>"$(kf_log "$n")" 2>&1 9>&-) &
  pid=$!
  printf '%s\n' "$pid" >"$(kf_pidf "$n")"
}

kf_format() { # make the cluster id once, format each node's log dir once
  local b n dir cid
  b=$(kf_count)
  mkdir -p "$KF_DIR"
  [[ -f "$KF_DIR/brokers" ]] || printf '%s\n' "$b" >"$KF_DIR/brokers"
  if [[ ! -s "$KF_DIR/cluster.id" ]]; then
    cid=$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$LOGS/kafka-format.log") || die "kafka: cannot make a cluster id (see $LOGS/kafka-format.log)"
    printf '%s\n' "$cid" >"$KF_DIR/cluster.id"
  fi
  cid=$(head -n1 "$KF_DIR/cluster.id")
  for ((n = 1; n <= b; n++)); do
    dir=$(kf_node "$n")
    mkdir -p "$dir"
    kf_write_config "$n" "$b"
    if [[ ! -f "$dir/data/meta.properties" ]]; then
      kafka_java kafka.tools.StorageTool format --ignore-formatted -t "$cid" -c "$dir/server.properties" \
        >>"$LOGS/kafka-format.log" 2>&1 || { log_tail "$LOGS/kafka-format.log"; die "kafka: formatting node $n failed"; }
      say "kafka: node $n formatted (cluster $cid)"
    fi
  done
}

broker_up() {
  local b n started=0 all=1
  if ! kafka_present; then
    warn "kafka: Apache Kafka $(kafka_version) is not installed in $KAFKA_LIB"
    kafka_fix_hint >&2
    exit 1
  fi
  [[ "$KAFKA_BROKERS" =~ ^[1-9]$ ]] || die "kafka: bad OF_KAFKA_BROKERS '$KAFKA_BROKERS' (1..9)"
  b=$(kf_count)
  if [[ "$b" != "$KAFKA_BROKERS" && -n "${OF_KAFKA_BROKERS:-}" ]]; then
    warn "kafka: OF_KAFKA_BROKERS=$KAFKA_BROKERS ignored, this stack was formatted with $b (down --purge to change)"
  fi
  local any=0
  for ((n = 1; n <= b; n++)); do if kf_running "$n" >/dev/null; then any=1; else all=0; fi; done
  if ((any)) && [[ -f "$RUN/kafka.port" && "$(head -n1 "$RUN/kafka.port")" != "$KAFKA_PORT" && -n "${OF_KAFKA_PORT:-}" ]]; then
    warn "kafka: OF_KAFKA_PORT=$KAFKA_PORT ignored, it runs on $(head -n1 "$RUN/kafka.port") (down first to change)"
  fi
  if ((all)); then
    say "kafka: already running ($b node(s), $(bootstrap_line))"
  else
    # like MariaDB and Redis, a stack started from stopped takes OF_KAFKA_PORT (or the default); a partly
    # running cluster keeps its recorded ports
    if ((!any)) || [[ ! -f "$RUN/kafka.port" ]]; then
      for ((n = 0; n < b; n++)); do
        check_port kafka $((KAFKA_PORT + n))
        check_port kafka-controller $((KAFKA_PORT + 10 + n))
      done
      printf '%s\n' "$KAFKA_PORT" >"$RUN/kafka.port"
    fi
    kf_format
    for ((n = 1; n <= b; n++)); do
      kf_running "$n" >/dev/null && continue
      check_port kafka "$(kf_port "$n")"
      kf_start_node "$n"
      started=$((started + 1))
    done
    say "kafka: started $started node(s), waiting for the cluster to answer"
  fi
}

broker_wait() { # after broker_up: the nodes answer and the topics exist
  kf_wait_ready
  say "kafka: running (Apache Kafka $(kafka_version), KRaft, $(kf_count) node(s), $(bootstrap_line))"
}

# kf_wait_ready: every node's client port answers, then the topics of the table exist (ordctl topics create).
kf_wait_ready() {
  local b n t=$((BROKER_WAIT * 10)) extra=() repl tries=0
  b=$(kf_count)
  for ((n = 1; n <= b; n++)); do
    until port_busy "$(kf_port "$n")"; do
      if ! kf_running "$n" >/dev/null; then
        log_tail "$(kf_log "$n")" 40
        if tail -n 200 "$(kf_log "$n")" | grep -q 'Address already in use'; then
          die "kafka: node $n could not bind 127.0.0.1:$(kf_port "$n") or :$(kf_cport "$n") (in use, maybe as the local end of a client connection): 'up' again, or choose OF_KAFKA_PORT below 32768 (see docs/local-stack.md)"
        fi
        die "kafka: node $n exited during startup (log: $(kf_log "$n"))"
      fi
      ((t-- > 0)) || { log_tail "$(kf_log "$n")" 40; die "kafka: node $n not answering after ${BROKER_WAIT}s"; }
      sleep 0.1
    done
  done
  [[ -x "$BUILD_DIR/bin/ordctl" ]] || die "kafka: $BUILD_DIR/bin/ordctl not found to create the topics: make build"
  repl=$((b < 3 ? b : 3))
  read -r -a extra <<<"${OF_TOPICS_ARGS:-}"
  # The cluster may answer before its controller quorum has elected a leader: retry for a while.
  until OF_CONFIG=/dev/null OF_KAFKA_BOOTSTRAP=$(bootstrap_line) OF_TOPIC_PREFIX='' \
    "$BUILD_DIR/bin/ordctl" topics create --quiet --replication "$repl" --timeout 20 "${extra[@]}" \
    >"$RUN/topics.out" 2>&1; do
    tries=$((tries + 1))
    ((tries < 6)) || { cat "$RUN/topics.out" >&2; die "kafka: creating the topics failed"; }
    sleep 2
  done
  say "kafka: $(grep '^topics:' "$RUN/topics.out" | tail -n1)"
}

broker_down() {
  # SIGTERM to every node at once: each makes a controlled shutdown, which needs a controller majority, so
  # stopping them one after another leaves the last one waiting for a quorum that is gone (then SIGKILL).
  local b n pid any=0 pids=()
  b=$(kf_count)
  for ((n = 1; n <= b; n++)); do
    pid=$(kf_running "$n") || continue
    any=1
    pids[n]=$pid
    kill -TERM "$pid" 2>/dev/null || true
  done
  for n in "${!pids[@]}"; do
    pid=${pids[n]}
    if wait_gone "$pid" 30; then
      say "kafka: node $n stopped (SIGTERM, controlled shutdown, pid $pid)"
    else
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || die "kafka: pid $pid survives SIGKILL"
      say "kafka: node $n killed (SIGKILL after 30s, pid $pid; it recovers its logs on the next start)"
    fi
    rm -f "$(kf_pidf "$n")"
  done
  ((any)) || say "kafka: not running"
}

# --------------------------------------------------------------- env files

write_env() {
  local pw myp rdp kb site
  local -A sp
  pw=$(mysql_password)
  myp=$(recorded_port mysql "$MYSQL_PORT")
  sp[buyer]=$(recorded_port mysql-buyer "$SITE_BUYER_PORT")
  sp[seller]=$(recorded_port mysql-seller "$SITE_SELLER_PORT")
  sp[replica]=$(recorded_port mysql-replica "$SITE_REPLICA_PORT")
  rdp=$(recorded_port redis "$REDIS_PORT")
  kb=$(bootstrap_line) || die "kafka: no bootstrap address"
  (
    umask 077
    cat >"$ENV_FILE.tmp" <<EOF
OF_MYSQL_HOST=127.0.0.1
OF_MYSQL_PORT=$myp
OF_MYSQL_USER=orderfleet
OF_MYSQL_PASSWORD=$pw
OF_MYSQL_DB=orderfleet
OF_MYSQL_BUYER_DB=orderfleet_buyer
OF_MYSQL_SELLER_DB=orderfleet_seller
OF_SITE_BUYER_HOST=127.0.0.1
OF_SITE_BUYER_PORT=${sp[buyer]}
OF_SITE_SELLER_HOST=127.0.0.1
OF_SITE_SELLER_PORT=${sp[seller]}
OF_SITE_REPLICA_HOST=127.0.0.1
OF_SITE_REPLICA_PORT=${sp[replica]}
OF_REDIS_HOST=127.0.0.1
OF_REDIS_PORT=$rdp
OF_KAFKA_BOOTSTRAP=$kb
OF_STATE_DIR=$STATE
EOF
    mv "$ENV_FILE.tmp" "$ENV_FILE"
    # client options for 'stack.sh mysql' (keeps the password off the command line)
    cat >"$CLIENT_CNF.tmp" <<EOF
[client]
host=127.0.0.1
port=$myp
user=orderfleet
password=$pw
[mariadb-client]
database=orderfleet
EOF
    mv "$CLIENT_CNF.tmp" "$CLIENT_CNF"
    # the same for 'stack.sh mysql --site NAME' (the replica's database is the seller's)
    local "${MY_VARS[@]}"
    for site in buyer seller replica; do
      my_vars "$site"
      cat >"$M_CLIENT.tmp" <<EOF
[client]
host=127.0.0.1
port=${sp[$site]}
user=orderfleet
password=$pw
[mariadb-client]
database=$M_DB
EOF
      mv "$M_CLIENT.tmp" "$M_CLIENT"
    done
  )
  chmod 600 "$ENV_FILE" "$CLIENT_CNF" "$SECRETS"/client-{buyer,seller,replica}.cnf
  say "wrote $ENV_FILE (eval \"\$(scripts/stack.sh env)\" to use it)"
}

# ---------------------------------------------------------------- commands

with_lock() { # serialise up/down on one state dir (daemons are started with 9>&-)
  exec 9>>"$STATE/.lock"
  flock -w 120 9 || die "another stack.sh holds $STATE/.lock"
}

# MariaDB's and Redis's default ports (33306, 36379 …) lie in Linux's ephemeral range (32768–60999): a busy machine can
# hand one to a client socket as its local port, and the server's bind then fails until that socket's TIME_WAIT ends.
# As root, the stack's ports are added to net.ipv4.ip_local_reserved_ports (kept until reboot; existing entries stay).
reserve_ports() {
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports cur p added=()
  [[ -w $f ]] || return 0
  cur=$(cat "$f")
  for p in "$MYSQL_PORT" "$SITE_BUYER_PORT" "$SITE_SELLER_PORT" "$SITE_REPLICA_PORT" "$REDIS_PORT"; do
    if ! [[ "$p" =~ ^[0-9]+$ ]] || ((p < 32768)); then continue; fi
    port_listed "$p" "$cur" && continue
    port_listed "$p" "${added[*]}" && continue
    added+=("$p")
  done
  ((${#added[@]})) || return 0
  local IFS=,
  if printf '%s\n' "${cur:+$cur,}${added[*]}" >"$f" 2>/dev/null; then
    IFS=' '
    say "reserved ports ${added[*]} from the kernel's ephemeral range (net.ipv4.ip_local_reserved_ports)"
  fi
}

port_listed() { # PORT LIST: LIST is the kernel's "a,b-c,…" form (or space-separated ports)
  local r
  for r in ${2//,/ }; do
    if [[ "$r" == *-* ]]; then
      (($1 >= ${r%-*} && $1 <= ${r#*-})) && return 0
    elif [[ "$r" == "$1" ]]; then
      return 0
    fi
  done
  return 1
}

cmd_up() {
  local t0=${EPOCHREALTIME/[.,]/}
  # check what Kafka needs before starting anything
  if ! kafka_present; then
    warn "kafka: Apache Kafka $(kafka_version) is not installed in $KAFKA_LIB"
    kafka_fix_hint >&2
    exit 1
  fi
  [[ -x "$BUILD_DIR/bin/ordctl" ]] || { say "$BUILD_DIR/bin/ordctl not found (it creates the topics); build first: make build"; exit 1; }
  [[ "$STATE" != *[[:space:]]* ]] || die "OF_STATE_DIR must not contain spaces (mariadb-install-db and my.cnf do not cope): $STATE"
  [[ "$SITES" == [01] ]] || die "OF_SITES must be 1 (run the site servers) or 0 (skip them), not '$SITES'"
  prepare_dirs
  with_lock
  reserve_ports
  mysql_up main
  redis_up
  broker_up # the JVMs start while the site servers do
  if sites_on; then
    mysql_up buyer
    mysql_up seller
    mysql_up replica
  else
    say "sites: skipped (OF_SITES=0)"
  fi
  broker_wait
  write_env
  local ms=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
  say "up ($((ms / 1000)).$(printf '%03d' $((ms % 1000)))s)"
}

cmd_down() {
  local purge=0
  case "${1:-}" in
    "") ;;
    --purge) purge=1 ;;
    *) die "usage: stack.sh down [--purge]" ;;
  esac
  if [[ -d "$STATE" ]]; then
    with_lock
    broker_down
    redis_down
    mysql_down replica
    mysql_down seller
    mysql_down buyer
    mysql_down main
  else
    say "nothing running (no state dir $STATE)"
  fi
  if ((purge)) && [[ -d "$STATE" ]]; then
    # refuse anything that does not look like a state dir of ours
    case "$STATE" in / | "$HOME" | "$REPO" | /tmp | /work) die "refusing to purge $STATE" ;; esac
    if [[ -e "$STATE/stack.env" || -d "$MY_DIR" || -d "$RUN" ]] || only_lock_in "$STATE"; then
      rm -rf -- "$STATE"
      say "purged $STATE"
    else
      die "refusing to purge $STATE: does not look like a stack state dir"
    fi
  fi
}

only_lock_in() { # DIR: holds nothing but .lock
  local f
  for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [[ -e "$f" && "$f" != "$1/.lock" ]] && return 1
  done
  return 0
}

stopped_line() { # component label pidfile
  if [[ -f "$3" ]]; then say "$2 stopped (stale pid file $(basename "$3"))"; else say "$2 stopped"; fi
}

# my_status INSTANCE: one status line; true if it runs and answers
my_status() {
  local "${MY_VARS[@]}" pid p label note=""
  my_vars "$1"
  label=$(printf '%-15s' "$M_LABEL:")
  if [[ "$1" != main ]] && ! my_set_up "$1"; then
    say "$label not set up"
    return 1
  fi
  if pid=$(QUIET_STALE=1 my_running "$1"); then
    p=$(recorded_port "$M_KEY" "$M_PORT")
    if my_ping "$1"; then
      if [[ "$1" == replica ]]; then
        local -A SS
        if slave_status && [[ -n "${SS[Master_Host]:-}" ]]; then
          note="; replication io=${SS[Slave_IO_Running]:-?} sql=${SS[Slave_SQL_Running]:-?}"
        else
          note="; replication not configured"
        fi
      fi
      say "$label running (pid $pid, 127.0.0.1:$p$note)"
      return 0
    fi
    say "$label not answering (pid $pid, 127.0.0.1:$p)"
  else
    stopped_line "$M_LABEL" "$label" "$M_PID"
  fi
  return 1
}

cmd_status() {
  local pid p up=0 want=3 inst
  my_status main && up=$((up + 1))
  for inst in buyer seller replica; do
    my_set_up "$inst" || { my_status "$inst" || true; continue; }
    want=$((want + 1))
    my_status "$inst" && up=$((up + 1))
  done
  if pid=$(QUIET_STALE=1 running redis); then
    p=$(recorded_port redis "$REDIS_PORT")
    if redis_ping; then
      say "redis:          running (pid $pid, 127.0.0.1:$p)"
      up=$((up + 1))
    else
      say "redis:          not answering (pid $pid, 127.0.0.1:$p)"
    fi
  else
    stopped_line redis "redis:         " "$RD_PID"
  fi
  local b n kup=0
  b=$(kf_count)
  for ((n = 1; n <= b; n++)); do
    if pid=$(QUIET_STALE=1 kf_running "$n"); then
      if port_busy "$(kf_port "$n")"; then
        say "kafka-$n:        running (pid $pid, 127.0.0.1:$(kf_port "$n"))"
        kup=$((kup + 1))
      else
        say "kafka-$n:        not answering (pid $pid, 127.0.0.1:$(kf_port "$n"))"
      fi
    else
      stopped_line "kafka-$n" "kafka-$n:       " "$(kf_pidf "$n")"
    fi
  done
  ((kup == b)) && up=$((up + 1))
  ((up == want)) || exit 3
}

cmd_env() {
  [[ -f "$ENV_FILE" ]] || die "no $ENV_FILE: run 'scripts/stack.sh up' first"
  local line k v
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[A-Z_][A-Z0-9_]*= ]] || continue
    k=${line%%=*} v=${line#*=}
    if [[ "$v" =~ ^[A-Za-z0-9_./:,@%+-]*$ ]]; then
      printf 'export %s=%s\n' "$k" "$v"
    else
      printf 'export %s=%q\n' "$k" "$v" # e.g. a state dir with spaces
    fi
  done <"$ENV_FILE"
}

cmd_mysql() { # [--site NAME] [client args...]
  local cnf=$CLIENT_CNF
  case "${1:-}" in
    --site | --site=*)
      local site
      if [[ "$1" == --site ]]; then site=${2:-} && shift $(($# > 1 ? 2 : 1)); else site=${1#--site=} && shift; fi
      site_name "$site"
      my_set_up "$site" || die "mysql-$site: not set up in $STATE (OF_SITES=0?): run 'scripts/stack.sh up'"
      cnf=$SECRETS/client-$site.cnf
      ;;
  esac
  [[ -f "$cnf" ]] || die "no client config $cnf: run 'scripts/stack.sh up' first"
  exec mariadb --defaults-file="$cnf" "$@"
}

cmd_site() { # stop|start NAME [--kill]
  local action=$1 name="" kill=0 a pid p
  shift
  for a in "$@"; do
    case "$a" in
      --kill) [[ "$action" == stop ]] || die "usage: stack.sh site-start buyer|seller|replica"; kill=1 ;;
      *) [[ -z "$name" ]] || die "usage: stack.sh site-$action buyer|seller|replica"; name=$a ;;
    esac
  done
  site_name "$name"
  [[ -d "$STATE" ]] || die "no state dir $STATE: run 'scripts/stack.sh up' first"
  with_lock
  if [[ "$action" == stop ]]; then
    my_stop "$name" "$kill"
    return 0
  fi
  local "${MY_VARS[@]}"
  my_vars "$name"
  my_set_up "$name" || die "$M_LABEL: not set up in $STATE: run 'scripts/stack.sh up' first"
  if pid=$(my_running "$name"); then
    say "$M_LABEL: already running (pid $pid, 127.0.0.1:$(recorded_port "$M_KEY" "$M_PORT"))"
    return 0
  fi
  p=$(recorded_port "$M_KEY" "$M_PORT")
  check_port "$M_LABEL" "$p"
  my_start "$name" "$p"
  say "$M_LABEL: started (pid $(head -n1 "$M_PID" 2>/dev/null || echo '?'), 127.0.0.1:$p)"
}

repl_line() { # the one-line replication state; false unless both threads run
  local -A SS
  my_set_up replica || die "mysql-replica: not set up in $STATE (OF_SITES=0?): run 'scripts/stack.sh up'"
  QUIET_STALE=1 my_running replica >/dev/null || die "mysql-replica: not running (scripts/stack.sh site-start replica)"
  slave_status || die "mysql-replica: not answering over its socket (scripts/stack.sh status)"
  [[ -n "${SS[Master_Host]:-}" ]] || die "mysql-replica: no replication configured: run 'scripts/stack.sh up'"
  printf 'io=%s sql=%s behind=%s gtid_io_pos=%s seller_gtid=%s\n' "${SS[Slave_IO_Running]:-?}" \
    "${SS[Slave_SQL_Running]:-?}" "${SS[Seconds_Behind_Master]:-?}" "${SS[Gtid_IO_Pos]:-}" "$(seller_gtid)"
  [[ "${SS[Slave_IO_Running]:-}" == Yes && "${SS[Slave_SQL_Running]:-}" == Yes ]]
}

cmd_replication() { # stop|start|status
  local n pos
  case "${1:-}" in
    stop | start)
      (($# == 1)) || die "usage: stack.sh replication stop|start|status"
      my_running replica >/dev/null || die "mysql-replica: not running"
      echo "${1^^} SLAVE" | admin_sql replica || die "mysql-replica: ${1^^} SLAVE failed"
      if [[ "$1" == start ]]; then
        # report once the threads run and the replica has caught up with the seller, or after 5 s
        # (the IO thread keeps connecting while the seller is down)
        for ((n = 50; n > 0; n--)); do repl_line >/dev/null && break; sleep 0.1; done
        pos=$(seller_gtid)
        if ((n > 0)) && [[ "$pos" != '?' ]]; then
          admin_sql replica -e "SELECT MASTER_GTID_WAIT('$pos', 5)" >/dev/null || true
        fi
        say "replication: started: $(repl_line || true)"
      else
        say "replication: stopped: $(repl_line || true)"
      fi
      ;;
    status)
      (($# == 1)) || die "usage: stack.sh replication stop|start|status"
      repl_line || exit 3
      ;;
    *) die "usage: stack.sh replication stop|start|status" ;;
  esac
}

cmd_logs() {
  local follow=0 n=30
  while (($#)); do
    case "$1" in
      -f) follow=1 ;;
      -n) n=${2:?-n needs a number}; shift ;;
      *) die "usage: stack.sh logs [-f] [-n N]" ;;
    esac
    shift
  done
  local f files=()
  for f in "$MY_LOG" "$LOGS"/mysql-{buyer,seller,replica}.log "$RD_LOG" "$LOGS"/kafka-[0-9].log "$LOGS"/*.log; do
    [[ -f "$f" ]] && [[ ! " ${files[*]} " == *" $f "* ]] && files+=("$f") # also workers' logs (make run)
  done
  ((${#files[@]})) || die "no logs in $LOGS"
  if ((follow)); then exec tail -n "$n" -F "${files[@]}"; fi
  tail -n "$n" "${files[@]}"
}

usage() { # the Usage lines of the header
  sed -n '/^# Usage:/,/^#$/{/^#$/d;s/^# //;p}' "${BASH_SOURCE[0]}"
  exit 2
}

cmd=${1:-}
(($#)) && shift
case "$cmd" in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status "$@" ;;
  env) cmd_env "$@" ;;
  mysql) cmd_mysql "$@" ;;
  site-stop) cmd_site stop "$@" ;;
  site-start) cmd_site start "$@" ;;
  replication) cmd_replication "$@" ;;
  logs) cmd_logs "$@" ;;
  kafka-config) kf_config "${1:-1}" "${2:-$KAFKA_BROKERS}" ;; # what 'up' writes for node N of B (it_compose)
  -h | --help | help) usage ;;
  *) usage ;;
esac
