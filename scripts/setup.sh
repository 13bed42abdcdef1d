#!/usr/bin/env bash
# setup.sh -- install what orderfleet needs (idempotent, quick when all is there): Debian packages from
# Debian's archive, then Apache Kafka's jars from Maven Central (tools/kafka/pom.xml) into a cache folder.
# Usage: scripts/setup.sh [--with-compose] [--with-browser]
#   --with-compose  also install docker-compose (only needed to validate compose/).
#   --with-browser  also install Debian's chromium and a CJK font (only needed by the ops console's browser test,
#                   tests/integration/it_console.sh, which asks for it), and Node.js with npm when missing.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git ca-certificates   # toolchain
  clang-format              # the format check of make test (.clang-format)
  librdkafka-dev            # Kafka client; also ships rdkafka_mock.h (of-devbroker: fault injection in tests)
  libhiredis-dev            # Redis client
  libmariadb-dev            # MySQL/MariaDB client API (libmysqlclient compatible)
  protobuf-c-compiler libprotobuf-c-dev   # event schemas
  libcriterion-dev          # unit tests
  libcjson-dev              # JSON lines of the platform adapter (raw trades), small and strict
  libssl-dev                # HMAC-SHA256 webhook signatures
  libcurl4-openssl-dev      # HTTP calls to merchants (delivery)
  libmicrohttpd-dev         # the flash-sale gateway's HTTP server (of-gateway)
  libdeflate-dev            # the decision trace is stored compressed (MariaDB's COMPRESS() format, a zlib stream)
  zlib1g-dev                # the unit tests read the compressed traces back with zlib, as MariaDB does
  mariadb-server mariadb-client   # local system of record
  redis-server redis-tools        # dedupe keys, Lua scripts
  openjdk-17-jre-headless maven   # Apache Kafka of the local stack: the JVM that runs it, the client that fetches it
  python3                   # trade generators of the crash tests and bench/, the flash-sale load client (it_flash)
  curl                      # the delivery and flash-sale tests talk HTTP (test merchant's mode, the gateway)
)
for arg in "$@"; do
  case $arg in
    --with-compose) PKGS+=(docker-compose) ;;
    --with-browser)
      echo "setup: --with-browser: Debian's chromium (headless, for tests/integration/it_console.sh) and a CJK font"
      PKGS+=(chromium fonts-wqy-zenhei)
      command -v npm >/dev/null || PKGS+=(nodejs npm) ;;
    *) echo "setup: unknown option $arg (--with-compose, --with-browser)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$st" == "install ok installed" ]] || missing+=("$p")
done
# fetch_kafka: the jars of tools/kafka/pom.xml into $KAFKA_LIB, once per pom content (a stamp file).
fetch_kafka() {
  # shellcheck source=scripts/lib/kafka.sh
  source "$(dirname "${BASH_SOURCE[0]}")/lib/kafka.sh"
  local pom stamp tmp
  pom=$KAFKA_REPO/tools/kafka/pom.xml
  stamp=$(sha256sum "$pom" | cut -c1-16)
  if [[ -f "$KAFKA_LIB/.complete" && "$(cat "$KAFKA_LIB/.complete")" == "$stamp" ]]; then
    echo "setup: Apache Kafka $(kafka_version) present ($KAFKA_LIB)"
    return 0
  fi
  echo "setup: fetching Apache Kafka $(kafka_version) from Maven Central into $KAFKA_LIB (about 55 MB, once)"
  mkdir -p "$KAFKA_HOME"
  tmp=$(mktemp -d "$KAFKA_HOME/lib.XXXXXX")
  if ! mvn -B -q -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    >"$KAFKA_HOME/fetch.log" 2>&1; then
    tail -n 20 "$KAFKA_HOME/fetch.log" >&2
    rm -rf "$tmp"
    echo "setup: could not fetch Apache Kafka with maven (log: $KAFKA_HOME/fetch.log). Maven Central must be" >&2
    echo "       reachable (a proxy goes in ~/.m2/settings.xml); or point OF_KAFKA_HOME at a folder whose lib/" >&2
    echo "       holds the jars and a .complete file" >&2
    return 1
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || { rm -rf "$tmp"; echo "setup: maven fetched no kafka jar" >&2; return 1; }
  printf '%s\n' "$stamp" >"$tmp/.complete"
  rm -rf "$KAFKA_LIB"
  mv "$tmp" "$KAFKA_LIB"
  echo "setup: Apache Kafka $(kafka_version): $(ls "$KAFKA_LIB" | wc -l) jars in $KAFKA_LIB"
}

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PKGS[@]} packages present"
  fetch_kafka
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Daemons are started by scripts/stack.sh in a private folder, never by the package's init scripts.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
# apt's output goes to a log, shown only when apt fails (make run and make test stay readable)
APT_LOG=$(mktemp "${TMPDIR:-/tmp}/orderfleet-apt.XXXXXX")
if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
  >"$APT_LOG" 2>&1; then
  echo "setup: apt-get failed; its output ($APT_LOG):" >&2
  tail -n 40 "$APT_LOG" >&2
fi
missing_after=()
for p in "${missing[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || missing_after+=("$p")
done
if ((${#missing_after[@]})); then
  echo "setup: could not install: ${missing_after[*]} (apt's output: $APT_LOG)" >&2
  exit 1
fi
rm -f "$APT_LOG"
fetch_kafka
echo "setup: done"
