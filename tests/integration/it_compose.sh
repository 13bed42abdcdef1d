#!/usr/bin/env bash
# it_compose.sh -- static validation of the Docker Compose stack in compose/ (docs/compose.md).
#
# Needs only the docker-compose client, no Docker engine: it renders the stack with
# `docker-compose config` and checks the result against the code, which is the source of truth:
#   - every expected service is there, and every workers/<name>/ has a service running of-<name>
#   - kafka-init creates exactly the topics of the table (ordctl topics), each with its partition count
#   - the shared fleet environment covers the configuration keys of common/runtime/of_config.c, points at
#     the compose services, and its ${OF_X:-default} defaults equal the code's defaults
#   - start order (depends_on conditions), restart policy, stop grace period
#   - no literal password in compose/, and `config` fails when a password variable is unset
#   - the Dockerfile installs the -dev packages of scripts/setup.sh
# It cannot build the image or start the stack (no engine here).
#
# Skips (exit 0) when docker-compose is missing, unless OF_REQUIRE_COMPOSE=1 (CI), where a missing
# tool is a failure. OF_REPO selects the repository (default: the one holding this script).
set -euo pipefail

REPO=${OF_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
CDIR=$REPO/compose
YML=$CDIR/docker-compose.yml

if ! command -v docker-compose >/dev/null 2>&1; then
    if [[ "${OF_REQUIRE_COMPOSE:-0}" == 1 ]]; then
        echo "it_compose: FAIL: docker-compose is not installed and OF_REQUIRE_COMPOSE=1" \
            "(install it: scripts/setup.sh --with-compose)" >&2
        exit 1
    fi
    echo "it_compose: SKIP: docker-compose is not installed (scripts/setup.sh --with-compose;" \
        "set OF_REQUIRE_COMPOSE=1 to make this a failure)"
    exit 0
fi

fails=0
ok() { echo "ok   - $*"; }
fail() {
    echo "FAIL - $*" >&2
    fails=$((fails + 1))
}
check() { # check DESCRIPTION COMMAND...: ok if the command succeeds
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
: >"$TMP/empty.env"

# Dummy secrets, distinctive enough to grep for. compose/.env is ignored (--env-file an empty
# file) and the caller's environment is dropped (env -i), so only what is passed here counts.
APP_PW="it-compose-app-pw-$$"
ROOT_PW="it-compose-root-pw-$$"
compose() { # compose [VAR=value...] -- ARGS...
    local vars=()
    while [[ $1 != -- ]]; do
        vars+=("$1")
        shift
    done
    shift
    env -i PATH="$PATH" HOME="${HOME:-/tmp}" "${vars[@]}" \
        docker-compose --env-file "$TMP/empty.env" -f "$YML" "$@"
}

echo "it_compose: $(docker-compose version --short 2>/dev/null || docker-compose version | head -1)," \
    "repo $REPO"

# ---------------------------------------------------------------- files
for f in docker-compose.yml Dockerfile .env.example mariadb-init/01-databases.sql; do
    [[ -f $CDIR/$f ]] || fail "compose/$f is missing"
done
if [[ ! -f $YML ]]; then
    echo "it_compose: FAIL: $YML not found" >&2
    exit 1
fi

# ---------------------------------------------------------------- render
CFG=$TMP/config.yml
if ! compose OF_MYSQL_PASSWORD="$APP_PW" OF_MYSQL_ROOT_PASSWORD="$ROOT_PW" -- config >"$CFG" 2>"$TMP/err"; then
    echo "it_compose: FAIL: docker-compose config with both passwords set failed:" >&2
    cat "$TMP/err" >&2
    exit 1
fi
ok "docker-compose config renders the stack ($(wc -l <"$CFG") lines)"

# Helpers over the rendered YAML (docker-compose 1.29 layout: services at indent 2, their keys at 4).
svc_block() { # the lines of service $1, without its name line
    awk -v s="  $1:" '$0 == s { on = 1; next } on && /^ {0,2}[^ ]/ { exit } on { print }' "$CFG"
}
svc_list() { # items of list key $2 of service $1, one a line
    svc_block "$1" | awk -v k="    $2:" '
        $0 == k { on = 1; next }
        on && /^ *- / { sub(/^ *- /, ""); print; next }
        on { exit }'
}
svc_env() { # value of environment variable $2 of service $1, quotes removed; empty if absent
    svc_block "$1" | awk -v k="$2" '
        /^    environment:$/ { on = 1; next }
        on && /^ {0,4}[^ ]/ { exit }
        on {
            line = $0; sub(/^ +/, "", line)
            if (index(line, k ": ") == 1) {
                v = substr(line, length(k) + 3)
                if (v ~ /^".*"$/ || v ~ /^'\''.*'\''$/) v = substr(v, 2, length(v) - 2)
                print v; exit
            }
        }'
}
svc_scalar() { # value of scalar key $2 of service $1
    svc_block "$1" | sed -n "s/^    $2: *//p" | head -1 | sed "s/^[\"']\(.*\)[\"']\$/\1/"
}
dep_cond() { # condition of service $1 on dependency $2
    svc_block "$1" | awk -v d="      $2:" '
        /^    depends_on:$/ { on = 1; next }
        on && /^ {0,4}[^ ]/ { exit }
        on && $0 == d { hit = 1; next }
        hit && /^        condition:/ { sub(/^ *condition: */, ""); print; exit }
        hit && /^      [^ ]/ { exit }'
}

# ---------------------------------------------------------------- services
compose OF_MYSQL_PASSWORD="$APP_PW" OF_MYSQL_ROOT_PASSWORD="$ROOT_PW" -- config --services \
    | sort >"$TMP/services"
for s in kafka kafka-init mariadb redis migrate trade-submit ordctl; do
    check "service $s is defined" grep -qx "$s" "$TMP/services"
done

# Every worker binary has its service, and every of-* service has its worker (no future workers).
workers=() # workers with a service: the per-worker checks below look at these
for d in "$REPO"/workers/*/; do
    w=$(basename "$d")
    cmd=$(svc_list "$w" command | head -1)
    check "worker workers/$w/ has service $w running of-$w (found: '${cmd:-none}')" \
        test "$cmd" == "of-$w"
    [[ $cmd != "of-$w" ]] || workers+=("$w")
done
while read -r s; do
    cmd=$(svc_list "$s" command | head -1)
    [[ $cmd == of-* ]] || continue
    check "service $s runs $cmd, built from workers/${cmd#of-}/" test -d "$REPO/workers/${cmd#of-}"
done <"$TMP/services"

# ---------------------------------------------------------------- topics
# The tables come from the code itself (`ordctl topics` / `ordctl config` print common/runtime/of_topics.c and
# common/runtime/of_config.c), so the test follows the code whatever its formatting.
ORDCTL=${OF_BUILD_DIR:-$REPO/build}/bin/ordctl
[[ -x $ORDCTL ]] || { echo "it_compose: FAIL: $ORDCTL not built (set OF_BUILD_DIR)" >&2; exit 1; }
"$ORDCTL" topics | sed -n 's/^| `\([^`]*\)` | \([0-9][0-9]*\) |.*/\1:\2/p' | sort >"$TMP/topics.table"
n_table=$(wc -l <"$TMP/topics.table")
if [[ $n_table -eq 0 ]]; then
    fail "ordctl topics printed no table"
else
    ok "topic table (ordctl topics): $n_table topics ($(tr '\n' ' ' <"$TMP/topics.table"))"
fi
svc_list kafka-init command | sort >"$TMP/topics.compose"
missing=$(comm -23 "$TMP/topics.table" "$TMP/topics.compose" | tr '\n' ' ')
extra=$(comm -13 "$TMP/topics.table" "$TMP/topics.compose" | tr '\n' ' ')
check "kafka-init creates every topic of the table with its partition count${missing:+ (missing or wrong: $missing)}" \
    test -z "$missing"
check "kafka-init creates nothing outside the table${extra:+ (extra or wrong: $extra)}" test -z "$extra"
# The script as written (the rendered one is folded across lines).
entry=$(awk '/^  kafka-init:$/ { on = 1; next } on && /^  [^ #]/ { exit } on && /^ +[^ #]/ { print }' "$YML")
# shellcheck disable=SC2016 # literal compose text
for w in /opt/kafka/bin/kafka-topics.sh --create --if-not-exists '--partitions "$${spec##*:}"' \
    '--replication-factor 1' kafka:9092; do
    check "kafka-init script has: $w" grep -qF -- "$w" <<<"$entry"
done
check "kafka: topic auto-creation is off" test "$(svc_env kafka KAFKA_AUTO_CREATE_TOPICS_ENABLE)" == false
check "kafka: advertises PLAINTEXT://kafka:9092" \
    test "$(svc_env kafka KAFKA_ADVERTISED_LISTENERS)" == PLAINTEXT://kafka:9092
check "kafka: KRaft broker+controller" test "$(svc_env kafka KAFKA_PROCESS_ROLES)" == broker,controller
# The broker settings of the local stack (scripts/stack.sh writes them for one node) are compose's too:
# every key but those naming the host's ports, paths, ids and thread counts is KAFKA_<KEY> with the same value.
props=$TMP/server.properties
OF_STATE_DIR=$TMP/no-stack bash "$REPO/scripts/stack.sh" kafka-config 1 1 >"$props" 2>/dev/null || true
check "local stack's broker settings rendered" grep -q '^process.roles=' "$props"
while IFS='=' read -r k v; do
    case "$k" in '' | \#* | node.id | controller.quorum.voters | listeners | advertised.listeners | log.dirs | \
        num.*threads* | background.threads | controller.listener.names | inter.broker.listener.name | \
        listener.security.protocol.map | process.roles) continue ;; esac
    env=KAFKA_$(tr 'a-z.' 'A-Z_' <<<"$k")
    check "kafka: $env=$v as in the local stack" test "$(svc_env kafka "$env")" == "$v"
done <"$props"

# ---------------------------------------------------------------- fleet environment
"$ORDCTL" config | awk -F' [|] ' '/^[|] `OF_/ {
        k = $1; gsub(/[|` ]/, "", k); d = $3
        if (d == "(empty)" || d == "**required**") d = ""
        print k "=" d }' >"$TMP/defaults.code"
cut -d= -f1 "$TMP/defaults.code" | sort >"$TMP/keys.code"
check "configuration keys (ordctl config): $(wc -l <"$TMP/keys.code")" test -s "$TMP/keys.code"

# x-fleet-env as written (before interpolation): "KEY VALUE" lines.
awk '/^x-fleet-env:/ { on = 1; next } on && /^[^ #]/ { exit }
     on && /^  OF_[A-Z0-9_]*:/ { k = $1; sub(/:$/, "", k); v = $0; sub(/^ *[^:]*: */, "", v); print k, v }' \
    "$YML" >"$TMP/fleet.env"
check "x-fleet-env anchor found with $(wc -l <"$TMP/fleet.env") keys" test -s "$TMP/fleet.env"
cut -d' ' -f1 "$TMP/fleet.env" | sort >"$TMP/keys.fleet"

# Keys deliberately left out of x-fleet-env (reasons in the compose file's comment).
printf '%s\n' OF_INSTANCE_ID OF_KAFKA_GROUP OF_REDIS_PASSWORD OF_SCHEMA_DIR OF_LUA_DIR OF_KAFKA_SASL_USERNAME \
    OF_KAFKA_SASL_PASSWORD OF_GATEWAY_TOKENS OF_GATEWAY_USER_SECRET OF_PAY_PROVIDER_SECRET OF_CONSOLE_TOKEN | sort >"$TMP/keys.unset"
uncovered=$(sort -u "$TMP/keys.fleet" "$TMP/keys.unset" | comm -23 "$TMP/keys.code" - | tr '\n' ' ')
check "every key of common/runtime/of_config.c is in x-fleet-env or deliberately unset${uncovered:+ (neither: $uncovered)}" \
    test -z "$uncovered"
# OF_* names used anywhere in the compose file: config keys, or the compose-only variables.
printf '%s\n' OF_IMAGE OF_MYSQL_ROOT_PASSWORD >"$TMP/vars.compose_only"
unknown=$(grep -v '^ *#' "$YML" | grep -o 'OF_[A-Z0-9_]*' | sort -u \
    | comm -23 - <(sort -u "$TMP/keys.code" "$TMP/vars.compose_only") | tr '\n' ' ')
check "every OF_* name in compose/docker-compose.yml is a known key${unknown:+ (unknown: $unknown)}" \
    test -z "$unknown"
while read -r key val; do
    if [[ $val =~ ^\$\{([A-Z0-9_]+):-(.*)\}$ ]]; then
        var=${BASH_REMATCH[1]} def=${BASH_REMATCH[2]}
        code=$(sed -n "s/^$key=//p" "$TMP/defaults.code")
        check "x-fleet-env $key: \${$var:-$def} overrides its own key, default = code's ('$code')" \
            test "$var=$def" == "$key=$code"
    fi
done <"$TMP/fleet.env"

fleet_services=(migrate ordctl)
for s in "${fleet_services[@]}" "${workers[@]}"; do
    for kv in OF_MYSQL_HOST=mariadb OF_MYSQL_PORT=3306 OF_MYSQL_USER=orderfleet "OF_MYSQL_PASSWORD=$APP_PW" \
        OF_MYSQL_DB=orderfleet OF_REDIS_HOST=redis OF_REDIS_PORT=6379 OF_KAFKA_BOOTSTRAP=kafka:9092 \
        OF_KAFKA_PROFILE=production; do
        got=$(svc_env "$s" "${kv%%=*}")
        [[ $got == "${kv#*=}" ]] || fail "$s: ${kv%%=*} is '$got', expected '${kv#*=}'"
    done
    while read -r k; do
        svc_block "$s" | grep -q "^ *$k:" || fail "$s: $k of x-fleet-env is missing"
    done <"$TMP/keys.fleet"
    for k in OF_KAFKA_GROUP OF_INSTANCE_ID; do
        ! svc_block "$s" | grep -q "^ *$k:" || fail "$s: sets $k (shared value would merge groups/ids)"
    done
    ok "$s: fleet environment (mariadb:3306, redis:6379, kafka:9092, production profile, all x-fleet-env keys)"
done
check "mariadb: MARIADB_PASSWORD is OF_MYSQL_PASSWORD" test "$(svc_env mariadb MARIADB_PASSWORD)" == "$APP_PW"
check "mariadb: MARIADB_ROOT_PASSWORD is OF_MYSQL_ROOT_PASSWORD" \
    test "$(svc_env mariadb MARIADB_ROOT_PASSWORD)" == "$ROOT_PW"
check "mariadb: MARIADB_USER/DATABASE match the fleet's OF_MYSQL_USER/DB" \
    test "$(svc_env mariadb MARIADB_USER)/$(svc_env mariadb MARIADB_DATABASE)" == \
    "$(svc_env trade-submit OF_MYSQL_USER)/$(svc_env trade-submit OF_MYSQL_DB)"
SQL=$CDIR/mariadb-init/01-databases.sql
for k in OF_MYSQL_BUYER_DB OF_MYSQL_SELLER_DB; do
    db=$(svc_env trade-submit "$k")
    check "mariadb-init creates $db ($k)" grep -qiE "^CREATE DATABASE( IF NOT EXISTS)? \`?$db\`? " "$SQL"
    check "mariadb-init grants $db to 'orderfleet'@'%'" \
        grep -qiE "^GRANT ALL( PRIVILEGES)? ON \`?$db\`?\.\* TO '?orderfleet'?@'%'" "$SQL"
done

# ---------------------------------------------------------------- start order, lifecycle
check "kafka-init waits for kafka healthy" test "$(dep_cond kafka-init kafka)" == service_healthy
check "migrate waits for mariadb healthy" test "$(dep_cond migrate mariadb)" == service_healthy
check "migrate runs ordctl migrate" test "$(svc_list migrate command | tr '\n' ' ')" == "ordctl migrate "
for s in kafka mariadb redis; do
    check "$s has a healthcheck" grep -q '^    healthcheck:' <(svc_block "$s")
    check "$s keeps its data in a named volume" grep -qE '^ *- [a-z0-9-]+:/' <(svc_block "$s")
done
check "redis: append-only file on" grep -qx -- '--appendonly' <(svc_list redis command)
for w in "${workers[@]}"; do
    check "$w waits for migrate to complete" test "$(dep_cond "$w" migrate)" == service_completed_successfully
    check "$w waits for kafka-init to complete" test "$(dep_cond "$w" kafka-init)" == service_completed_successfully
    check "$w waits for redis healthy" test "$(dep_cond "$w" redis)" == service_healthy
    check "$w: restart unless-stopped" test "$(svc_scalar "$w" restart)" == unless-stopped
    check "$w: stop_grace_period 45s (D-RT-8)" test "$(svc_scalar "$w" stop_grace_period)" == 45s
    check "$w: no container_name/ports (--scale must work)" \
        test -z "$(svc_block "$w" | grep -E '^    (container_name|ports):')"
done

# ---------------------------------------------------------------- secrets
leaks=$(grep -n -v '^ *#' "$YML" | grep -E '[A-Z_]*PASSWORD[A-Z_]*:[[:space:]]*[^[:space:]]' \
    | grep -vE 'PASSWORD[A-Z_]*:[[:space:]]*\$\{' || true)
check "no password key with a literal value in docker-compose.yml${leaks:+: $leaks}" test -z "$leaks"
weak=$(grep -v '^ *#' "$YML" | grep -oE '\$\{[A-Z0-9_]*PASSWORD[A-Z0-9_]*[^}]*\}' | grep -v ':?' || true)
check "every \${...PASSWORD...} is required (:?), never defaulted${weak:+: $weak}" test -z "$weak"
check "the dummy passwords reach the rendered config" grep -qF "$APP_PW" "$CFG"
check "no dummy password inside compose/ (it only came from the environment)" \
    test -z "$(grep -rlF -e "$APP_PW" -e "$ROOT_PW" "$CDIR" || true)"
check "mariadb-init SQL sets no password" test -z "$(grep -v '^ *--' "$SQL" | grep -iE 'IDENTIFIED|PASSWORD' || true)"
filled=$(grep -E '^[A-Z0-9_]*PASSWORD[A-Z0-9_]*=.+' "$CDIR/.env.example" || true)
check "compose/.env.example leaves every password empty${filled:+: $filled}" test -z "$filled"

for var in OF_MYSQL_PASSWORD OF_MYSQL_ROOT_PASSWORD; do
    for how in unset empty; do
        vars=(OF_MYSQL_PASSWORD="$APP_PW" OF_MYSQL_ROOT_PASSWORD="$ROOT_PW")
        if [[ $var == OF_MYSQL_PASSWORD ]]; then vars=("${vars[1]}"); else vars=("${vars[0]}"); fi
        [[ $how == empty ]] && vars+=("$var=")
        if compose "${vars[@]}" -- config >/dev/null 2>"$TMP/err"; then
            fail "docker-compose config succeeds with $var $how"
            continue
        fi
        msg=$(sed -n 's/.*": //p' "$TMP/err" | tail -1) # the :? message, after the echoed template
        if [[ $msg == *"$var"* ]]; then
            ok "docker-compose config fails with $var $how: $msg"
        else
            fail "docker-compose config fails with $var $how, but the message does not name it: $(cat "$TMP/err")"
        fi
    done
done

# ---------------------------------------------------------------- image
DF=$CDIR/Dockerfile
devpkgs=$(sed -n '/^PKGS=(/,/^)/p' "$REPO/scripts/setup.sh" | sed 's/#.*//' | tr -s ' \t' '\n' \
    | grep -E -- '-dev$|^protobuf-c-compiler$|^build-essential$|^cmake$|^pkg-config$' \
    | grep -vxE 'libcriterion-dev|zlib1g-dev') # the unit tests' own packages: the image builds with OF_TESTS=OFF
for p in $devpkgs; do
    grep -qE "(^|[[:space:]])$p([[:space:]]|\$)" "$DF" || fail "Dockerfile does not install $p (scripts/setup.sh does)"
done
ok "Dockerfile build stage installs the build packages of scripts/setup.sh ($(wc -w <<<"$devpkgs"))"
check "Dockerfile: build stage debian:bookworm" grep -qx 'FROM debian:bookworm AS build' "$DF"
check "Dockerfile: runtime stage debian:bookworm-slim" grep -qx 'FROM debian:bookworm-slim' "$DF"
check "Dockerfile: builds with -DOF_TESTS=OFF" grep -q -- '-DOF_TESTS=OFF' "$DF"
check "Dockerfile: installs to /usr/local" grep -q -- '--prefix /usr/local' "$DF"
user=$(sed -n 's/^USER *//p' "$DF" | tail -1)
user=${user%%:*}
check "Dockerfile: runs as a non-root user ('$user')" grep -qvxE '|root|0' <<<"$user"
check "fleet services build compose/Dockerfile from the repository root" \
    test "$(svc_block trade-submit | sed -n 's/^      context: //p') $(svc_block trade-submit \
        | sed -n 's/^      dockerfile: //p')" == "$REPO compose/Dockerfile"

# ---------------------------------------------------------------- monitoring
PROM=$CDIR/prometheus/prometheus.yml
admin_port=$(svc_env trade-submit OF_ADMIN_PORT)
check "fleet services serve their admin port (OF_ADMIN_PORT=$admin_port, OF_ADMIN_BIND=0.0.0.0)" \
    test "$admin_port" -gt 0 -a "$(svc_env trade-submit OF_ADMIN_BIND)" == 0.0.0.0
check "prometheus scrapes port $admin_port" grep -qE "^ +port: $admin_port\$" "$PROM"
scraped=$(awk '/^ *- names:/ { on = 1 } on { print } on && /\]/ { exit }' "$PROM" | tr -d '[],' | tr -s ' \n' '\n' |
    grep -vE '^(-|names:)?$' | sort)
for w in "${workers[@]}"; do
    grep -qx "$w" <<<"$scraped" || fail "prometheus.yml does not scrape service $w"
done
ok "prometheus.yml scrapes every worker service ($(wc -w <<<"$scraped"))"
for s in prometheus grafana; do check "service $s is defined" grep -qx "$s" "$TMP/services"; done
check "the Grafana dashboard is valid JSON with panels" \
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d["panels"] else 1)' \
    "$CDIR/grafana/dashboards/orderfleet.json"
if command -v promtool >/dev/null; then # Debian's prometheus package (not installed by scripts/setup.sh)
    check "promtool: alerts.yml is valid" promtool check rules "$CDIR/prometheus/alerts.yml"
    # the rule file's path inside the container is /etc/prometheus/alerts.yml: check the config with it in place
    sed "s|/etc/prometheus/alerts.yml|$CDIR/prometheus/alerts.yml|" "$PROM" >"$TMP/prometheus.yml"
    check "promtool: prometheus.yml is valid" promtool check config "$TMP/prometheus.yml"
fi

echo
if ((fails)); then
    echo "it_compose: FAILED ($fails checks)" >&2
    exit 1
fi
echo "it_compose: PASS"
