# scripts/lib/kafka.sh -- Apache Kafka of the local stack (sourced by scripts/stack.sh and scripts/kafka.sh).
#
# Kafka 4.x in KRaft mode (no ZooKeeper), run from the jars that scripts/setup.sh fetched from Maven
# Central (tools/kafka/pom.xml) into the cache folder $KAFKA_HOME/lib. One node per broker, each a
# combined broker+controller, each with its cwd in its own node folder of the state folder:
#   $STATE/kafka/cluster.id             the KRaft cluster id, made once (formatting uses it)
#   $STATE/kafka/node-N/server.properties, data/ (log.dirs), log4j2.yaml
#   $STATE/run/kafka-N.pid, $STATE/logs/kafka-N.log
# Ports: client listener OF_KAFKA_PORT + N - 1, controller listener OF_KAFKA_PORT + 10 + N - 1.

KAFKA_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# kafka_version: the version pinned in tools/kafka/pom.xml (the one place it is written)
kafka_version() {
  sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_REPO/tools/kafka/pom.xml" | head -n1
}

# KAFKA_HOME: the cache folder of one Kafka version (override with OF_KAFKA_HOME)
KAFKA_HOME=${OF_KAFKA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/orderfleet/kafka-$(kafka_version)}
KAFKA_LIB=$KAFKA_HOME/lib

kafka_fix_hint() {
  printf 'fetch it with: bash scripts/setup.sh  (Debian packages maven and openjdk-17-jre-headless, then\n'
  printf '  mvn dependency:copy-dependencies on tools/kafka/pom.xml from Maven Central into %s)\n' "$KAFKA_LIB"
}

# kafka_present: the jars are in the cache and java runs
kafka_present() {
  [[ -f "$KAFKA_LIB/.complete" ]] && command -v java >/dev/null 2>&1
}

# kafka_java CLASS ARGS...: run a Kafka class from the cache (tools: quiet logging to stderr)
kafka_java() {
  local cls=$1
  shift
  kafka_present || {
    printf 'kafka: Apache Kafka %s is not in %s\n' "$(kafka_version)" "$KAFKA_LIB" >&2
    kafka_fix_hint >&2
    return 69
  }
  java -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_REPO/tools/kafka/log4j2-tools.yaml" \
    -cp "$KAFKA_LIB/*" "$cls" "$@"
}

# kafka_tool_class NAME: the main class of one of Kafka's command-line tools
kafka_tool_class() {
  case "$1" in
    topics) echo org.apache.kafka.tools.TopicCommand ;;
    consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    console-producer) echo org.apache.kafka.tools.ConsoleProducer ;;
    get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
    configs) echo kafka.admin.ConfigCommand ;;
    metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
    log-dirs) echo org.apache.kafka.tools.LogDirsCommand ;;
    delete-records) echo org.apache.kafka.tools.DeleteRecordsCommand ;;
    storage) echo kafka.tools.StorageTool ;;
    *) return 1 ;;
  esac
}
KAFKA_TOOLS="topics consumer-groups console-consumer console-producer get-offsets configs metadata-quorum log-dirs delete-records storage"
