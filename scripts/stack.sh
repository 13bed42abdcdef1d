#!/usr/bin/env bash
# stack.sh -- the local stack: MariaDB, Redis and Apache Kafka (KRaft) as plain
# processes on loopback, in a private state folder. See docs/local-stack.md.
# Kafka's jars come from Maven Central through scripts/setup.sh (tools/kafka/pom.xml).
#
# Usage: scripts/stack.sh up | down [--purge] | status | env | mysql [client args...] | logs [-f] [-n N]
#
# Knobs (environment, all optional):
#   OF_STATE_DIR      state folder            (default: <repo>/.state)
#   OF_MYSQL_PORT     MariaDB TCP port        (default: 33306)
#   OF_REDIS_PORT     Redis TCP port          (default: 36379)
#   OF_KAFKA_PORT     first Kafka client port (default: 29092; node N listens on +N-1, its controller on +10+N-1)
#   OF_KAFKA_BROKERS  Kafka nodes             (default: 1; 3 = replication 3, min.insync.replicas 2)
#   OF_KAFKA_HEAP     JVM heap per node       (default: 1g for one node, 512m each for three)
#   OF_KAFKA_HOME     Kafka jar cache         (default: ~/.cache/orderfleet/kafka-<version>, filled by setup.sh)
#   OF_BUILD_DIR      CMake build folder      (default: <repo>/build; ordctl creates the topics)
#   OF_TOPICS_ARGS    extra 'ordctl topics create' arguments, e.g. "--namespaces 17" (the test stack)
# The state folder is the identity of a stack: ports are recorded there when a
# component starts, and down/status/mysql use the recorded ones.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/kafka.sh
source "$REPO/scripts/lib/kafka.sh"

abspath() { realpath -m -- "$1"; } # canonical (matches /proc/PID/cwd), need not exist

STATE=$(abspath "${OF_STATE_DIR:-$REPO/.state}")
MYSQL_PORT=${OF_MYSQL_PORT:-33306}
REDIS_PORT=${OF_REDIS_PORT:-36379}
KAFKA_PORT=${OF_KAFKA_PORT:-29092}
KAFKA_BROKERS=${OF_KAFKA_BROKERS:-1}
BUILD_DIR=$(abspath "${OF_BUILD_DIR:-$REPO/build}")

ME=$(id -un)                       # OS user; also the unix-socket admin account in MariaDB
LOGS=$STATE/logs
RUN=$STATE/run
SECRETS=$STATE/secrets
MY_DIR=$STATE/mysql
MY_DATA=$MY_DIR/data
MY_SOCK=$MY_DIR/mysqld.sock
MY_CNF=$MY_DIR/my.cnf
MY_PID=$RUN/mysqld.pid
MY_LOG=$LOGS/mysql.log
RD_DIR=$STATE/redis
RD_SOCK=$RD_DIR/redis.sock
RD_PID=$RUN/redis.pid
RD_LOG=$LOGS/redis.log
KF_DIR=$STATE/kafka
PW_FILE=$SECRETS/mysql_password
CLIENT_CNF=$SECRETS/client.cnf
ENV_FILE=$STATE/stack.env

MYSQL_WAIT=60
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

# running COMPONENT: prints the pid if the component runs, else removes a stale pid file.
running() {
  local pidf name dir pid
  case "$1" in
    mysql) pidf=$MY_PID name=mariadbd dir=$MY_DATA ;;
    redis) pidf=$RD_PID name=redis-server dir=$RD_DIR ;;
  esac
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
    die "$1: port $2 on 127.0.0.1 is already in use by another process (see 'ss -ltnp | grep :$2'); pick another port: OF_MYSQL_PORT / OF_REDIS_PORT / OF_KAFKA_PORT (see docs/local-stack.md)"
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

admin_sql() { # run SQL from stdin as the unix-socket admin account
  mariadb --no-defaults --socket="$MY_SOCK" --user="$ME" --batch --skip-column-names
}

write_my_cnf() {
  cat >"$MY_CNF" <<EOF
# Generated by scripts/stack.sh -- local profile, not for production.
[mariadbd]
datadir=$MY_DATA
socket=$MY_SOCK
port=$MYSQL_PORT
bind-address=127.0.0.1
pid-file=$MY_PID
log-error=$MY_LOG
tmpdir=$MY_DIR/tmp
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
transaction-isolation=READ-COMMITTED
max_connections=200
# ~600 prepared statements per trade-submit connection (docs/operations.md)
max_prepared_stmt_count=65528
innodb_buffer_pool_size=256M
innodb_log_file_size=128M
# Local profile: the redo log is written at commit but fsync'ed about once a
# second, so an OS crash or power loss can lose the last second of commits
# (a mariadbd crash alone loses nothing). See docs/local-stack.md.
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
EOF
}

mysql_password() { # create once; never printed
  if [[ ! -s "$PW_FILE" ]]; then
    local raw pw
    raw=$(LC_ALL=C tr -dc 'A-Za-z0-9' < <(head -c 2048 /dev/urandom))
    pw=${raw:0:24}
    ((${#pw} == 24)) || die "could not generate a password"
    (umask 077 && printf '%s\n' "$pw" >"$PW_FILE.tmp" && mv "$PW_FILE.tmp" "$PW_FILE")
  fi
  chmod 600 "$PW_FILE"
  head -n1 "$PW_FILE"
}

mysql_provision() { # databases, app user, grants: idempotent, run on every up
  local pw db
  pw=$(mysql_password)
  {
    for db in orderfleet orderfleet_buyer orderfleet_seller; do
      echo "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4;"
    done
    for host in 127.0.0.1 localhost; do
      echo "CREATE USER IF NOT EXISTS 'orderfleet'@'$host' IDENTIFIED BY '$pw';"
      echo "ALTER USER 'orderfleet'@'$host' IDENTIFIED BY '$pw';"
      for db in orderfleet orderfleet_buyer orderfleet_seller; do
        echo "GRANT ALL PRIVILEGES ON \`$db\`.* TO 'orderfleet'@'$host';"
      done
    done
  } | admin_sql || die "mysql: provisioning databases/user failed (see $MY_LOG)"
}

mysql_up() {
  local pid
  if pid=$(running mysql); then
    local p; p=$(recorded_port mysql "$MYSQL_PORT")
    say "mysql: already running (pid $pid, 127.0.0.1:$p)"
    [[ "$p" == "$MYSQL_PORT" ]] || warn "mysql: OF_MYSQL_PORT=$MYSQL_PORT ignored, it runs on $p (down first to change)"
    mysql_provision
    return 0
  fi
  ((${#MY_SOCK} < 100)) || die "mysql: socket path too long (${#MY_SOCK} chars, unix limit ~107): use a shorter OF_STATE_DIR"
  check_port mysql "$MYSQL_PORT"
  write_my_cnf
  if [[ ! -f "$MY_DIR/.initialized" ]]; then
    say "mysql: initialising data dir (first run)"
    rm -rf "$MY_DATA"
    mkdir -p "$MY_DATA"
    if ! mariadb-install-db --defaults-file="$MY_CNF" --user="$ME" --datadir="$MY_DATA" \
      --auth-root-authentication-method=socket --skip-test-db >>"$MY_LOG" 2>&1; then
      log_tail "$MY_LOG"
      die "mysql: mariadb-install-db failed"
    fi
    touch "$MY_DIR/.initialized"
  fi
  local starter n tries=0
  while :; do
    rm -f "$MY_SOCK" "$MY_SOCK.lock"
    local mark; mark=$(wc -l <"$MY_LOG" 2>/dev/null || echo 0)
    (cd "$MY_DATA" && exec setsid nohup mariadbd --defaults-file="$MY_CNF" --user="$ME" </dev/null >>"$MY_LOG" 2>&1 9>&-) &
    starter=$! n=$((MYSQL_WAIT * 10))
    # The port can be held for a moment by a client socket that took it as its ephemeral port (33306 … lie in
    # Linux's ephemeral range): a bind refusal is tried again a few times.
    while sleep 0.1; alive "$starter" && ! mariadb-admin --no-defaults --socket="$MY_SOCK" --user="$ME" \
      --connect-timeout=2 ping >/dev/null 2>&1 && ((n-- > 0)); do :; done
    alive "$starter" || ! tail -n +"$((mark + 1))" "$MY_LOG" | grep -q 'Address already in use' || ((++tries > 30)) ||
      { warn "mysql: port $MYSQL_PORT busy (a client's ephemeral port in TIME_WAIT?): trying again in 2 s"; sleep 2; continue; }
    break
  done
  until mariadb-admin --no-defaults --socket="$MY_SOCK" --user="$ME" --connect-timeout=2 ping >/dev/null 2>&1; do
    if ! alive "$starter"; then
      log_tail "$MY_LOG"
      die "mysql: mariadbd exited during startup"
    fi
    if ((n-- <= 0)); then
      log_tail "$MY_LOG"
      die "mysql: not answering after ${MYSQL_WAIT}s (still starting? see $MY_LOG)"
    fi
    sleep 0.1
  done
  printf '%s\n' "$MYSQL_PORT" >"$RUN/mysql.port"
  pid=$(head -n1 "$MY_PID" 2>/dev/null || echo "$starter")
  mysql_provision
  say "mysql: started (pid $pid, 127.0.0.1:$MYSQL_PORT)"
}

mysql_down() {
  local pid
  if ! pid=$(running mysql); then
    say "mysql: not running"
    return 0
  fi
  if mariadb-admin --no-defaults --socket="$MY_SOCK" --user="$ME" --connect-timeout=5 shutdown >/dev/null 2>&1 &&
    wait_gone "$pid" 60; then
    say "mysql: stopped (mariadb-admin shutdown, pid $pid)"
  else
    kill -TERM "$pid" 2>/dev/null || true
    if wait_gone "$pid" 30; then
      say "mysql: stopped (SIGTERM, pid $pid)"
    else
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || die "mysql: pid $pid survives SIGKILL"
      say "mysql: killed (SIGKILL, pid $pid; InnoDB will recover on next start)"
    fi
  fi
  rm -f "$MY_PID" "$MY_SOCK" "$MY_SOCK.lock"
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
  kf_wait_ready
  say "kafka: running (Apache Kafka $(kafka_version), KRaft, $b node(s), $(bootstrap_line))"
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
  local pw myp rdp kb
  pw=$(mysql_password)
  myp=$(recorded_port mysql "$MYSQL_PORT")
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
  )
  chmod 600 "$ENV_FILE" "$CLIENT_CNF"
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
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports cur want p
  [[ -w $f ]] || return 0
  cur=$(cat "$f")
  want=$cur
  for p in "$MYSQL_PORT" "$REDIS_PORT"; do
    ((p >= 32768)) || continue
    [[ ,$want, == *,$p,* ]] && continue
    want=${want:+$want,}$p
  done
  [[ $want == "$cur" ]] && return 0
  if printf '%s\n' "$want" >"$f" 2>/dev/null; then
    say "reserved ports $MYSQL_PORT, $REDIS_PORT from the kernel's ephemeral range (net.ipv4.ip_local_reserved_ports)"
  fi
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
  prepare_dirs
  with_lock
  reserve_ports
  mysql_up
  redis_up
  broker_up
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
    mysql_down
  else
    say "nothing running (no state dir $STATE)"
  fi
  if ((purge)) && [[ -d "$STATE" ]]; then
    # refuse anything that does not look like a state dir of ours
    case "$STATE" in / | "$HOME" | "$REPO" | /tmp | /work) die "refusing to purge $STATE" ;; esac
    if [[ -e "$STATE/stack.env" || -d "$MY_DIR" || -d "$RUN" || -z "$(ls -A "$STATE" | grep -vx .lock)" ]]; then
      rm -rf -- "$STATE"
      say "purged $STATE"
    else
      die "refusing to purge $STATE: does not look like a stack state dir"
    fi
  fi
}

stopped_line() { # component label pidfile
  if [[ -f "$3" ]]; then say "$2 stopped (stale pid file $(basename "$3"))"; else say "$2 stopped"; fi
}

cmd_status() {
  local pid up=0 p
  if pid=$(QUIET_STALE=1 running mysql); then
    p=$(recorded_port mysql "$MYSQL_PORT")
    if mariadb-admin --no-defaults --socket="$MY_SOCK" --user="$ME" --connect-timeout=2 ping >/dev/null 2>&1; then
      say "mysql:     running (pid $pid, 127.0.0.1:$p)"
      up=$((up + 1))
    else
      say "mysql:     not answering (pid $pid, 127.0.0.1:$p)"
    fi
  else
    stopped_line mysql "mysql:    " "$MY_PID"
  fi
  if pid=$(QUIET_STALE=1 running redis); then
    p=$(recorded_port redis "$REDIS_PORT")
    if redis_ping; then
      say "redis:     running (pid $pid, 127.0.0.1:$p)"
      up=$((up + 1))
    else
      say "redis:     not answering (pid $pid, 127.0.0.1:$p)"
    fi
  else
    stopped_line redis "redis:    " "$RD_PID"
  fi
  local b n kup=0
  b=$(kf_count)
  for ((n = 1; n <= b; n++)); do
    if pid=$(QUIET_STALE=1 kf_running "$n"); then
      if port_busy "$(kf_port "$n")"; then
        say "kafka-$n:   running (pid $pid, 127.0.0.1:$(kf_port "$n"))"
        kup=$((kup + 1))
      else
        say "kafka-$n:   not answering (pid $pid, 127.0.0.1:$(kf_port "$n"))"
      fi
    else
      stopped_line "kafka-$n" "kafka-$n:  " "$(kf_pidf "$n")"
    fi
  done
  ((kup == b)) && up=$((up + 1))
  ((up == 3)) || exit 3
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

cmd_mysql() {
  [[ -f "$CLIENT_CNF" ]] || die "no client config: run 'scripts/stack.sh up' first"
  exec mariadb --defaults-file="$CLIENT_CNF" "$@"
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
  for f in "$MY_LOG" "$RD_LOG" "$LOGS"/kafka-[0-9].log "$LOGS"/*.log; do
    [[ -f "$f" ]] && [[ ! " ${files[*]} " == *" $f "* ]] && files+=("$f") # also workers' logs (make run)
  done
  ((${#files[@]})) || die "no logs in $LOGS"
  if ((follow)); then exec tail -n "$n" -F "${files[@]}"; fi
  tail -n "$n" "${files[@]}"
}

usage() {
  sed -n '5p' "${BASH_SOURCE[0]}" | sed 's/^# //'
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
  logs) cmd_logs "$@" ;;
  kafka-config) kf_config "${1:-1}" "${2:-$KAFKA_BROKERS}" ;; # what 'up' writes for node N of B (it_compose)
  -h | --help | help) usage ;;
  *) usage ;;
esac
