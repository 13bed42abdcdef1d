#!/usr/bin/env bash
# kafka.sh -- Apache Kafka's own command-line tools against the local stack's cluster.
#
# Usage: scripts/kafka.sh TOOL [ARGS...]
#   TOOL: topics | consumer-groups | console-consumer | console-producer | get-offsets | configs |
#         metadata-quorum | log-dirs | delete-records | storage
# The same tools as kafka-topics.sh, kafka-consumer-groups.sh ... of a Kafka distribution, run from the
# jars that scripts/setup.sh fetched (tools/kafka/pom.xml). --bootstrap-server is added from the stack's
# state folder (OF_STATE_DIR, default <repo>/.state) unless given. Examples:
#   scripts/kafka.sh consumer-groups --describe --all-groups
#   scripts/kafka.sh topics --describe --topic trade.raw
#   scripts/kafka.sh console-consumer --topic deadletter --from-beginning --max-messages 5
#   scripts/kafka.sh consumer-groups --group orderfleet.trade-submit --topic trade.raw --reset-offsets --to-earliest --execute
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/kafka.sh
source "$REPO/scripts/lib/kafka.sh"

usage() {
  sed -n '4,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}
tool=${1:-}
case "$tool" in
  "" | -h | --help | help) usage; [[ -n "$tool" ]]; exit $? ;;
esac
shift
cls=$(kafka_tool_class "$tool") || { printf 'kafka.sh: unknown tool %s (one of: %s)\n' "$tool" "$KAFKA_TOOLS" >&2; exit 2; }

args=("$@")
if [[ "$tool" != storage ]] && ! printf '%s\n' "$@" | grep -qx -- '--bootstrap-server'; then
  STATE=$(realpath -m -- "${OF_STATE_DIR:-$REPO/.state}")
  bs=""
  if [[ -f "$STATE/stack.env" ]]; then bs=$(sed -n 's/^OF_KAFKA_BOOTSTRAP=//p' "$STATE/stack.env" | head -n1); fi
  if [[ -z "$bs" ]]; then
    echo "kafka.sh: no bootstrap address in $STATE/stack.env: start the stack (scripts/stack.sh up) or pass --bootstrap-server" >&2
    exit 2
  fi
  args=(--bootstrap-server "$bs" "$@")
fi
kafka_java "$cls" "${args[@]}"
