#!/usr/bin/env bash
# setup.sh -- install what orderfleet needs from Debian's archive (idempotent, quick when all is there).
# Usage: scripts/setup.sh [--with-compose]
#   --with-compose  also install docker-compose (only needed to validate compose/).
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git ca-certificates   # toolchain
  clang-format              # the format check of make test (.clang-format)
  librdkafka-dev            # Kafka client; also ships rdkafka_mock.h used by the dev broker
  libhiredis-dev            # Redis client
  libmariadb-dev            # MySQL/MariaDB client API (libmysqlclient compatible)
  protobuf-c-compiler libprotobuf-c-dev   # event schemas
  libcriterion-dev          # unit tests
  libcjson-dev              # JSON lines of the platform adapter (raw trades), small and strict
  libssl-dev                # HMAC-SHA256 webhook signatures
  libcurl4-openssl-dev      # HTTP calls to merchants (delivery)
  mariadb-server mariadb-client   # local system of record
  redis-server redis-tools        # dedupe keys, Lua scripts
)
if [[ "${1:-}" == "--with-compose" ]]; then PKGS+=(docker-compose); fi

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$st" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PKGS[@]} packages present"
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
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
  | grep -vE '^(Selecting|Preparing|Unpacking|Setting up|Processing|\(Reading)' || true
missing_after=()
for p in "${missing[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || missing_after+=("$p")
done
if ((${#missing_after[@]})); then
  echo "setup: could not install: ${missing_after[*]}" >&2
  exit 1
fi
echo "setup: done"
