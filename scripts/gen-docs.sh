#!/usr/bin/env bash
# gen-docs.sh -- regenerate the tables of docs/topics.md and docs/config.md from the code
# (common/runtime/of_topics.c, common/runtime/of_config.c). tests/integration/it_cli.sh fails when they drift.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORDCTL=${1:-$REPO/build/bin/ordctl}
{
  cat <<'MD'
# Topics

The one topic table of orderfleet. It is generated from `common/runtime/of_topics.c` (`make docs`); the local
stack creates exactly these topics on Apache Kafka (`ordctl topics create`), `compose/` creates them too, and
`tests/integration/it_cli.sh` fails when this page and the code disagree.

Every message value is a protobuf message of `proto/` and carries `EventMeta` (event id, time, producer,
causation id). `OF_TOPIC_PREFIX` is prepended to every name.

MD
  "$ORDCTL" topics
  cat <<'MD'

## Notes
- **Keys and order.** Kafka keeps order per partition; the key decides the partition. Raw trades are
  keyed by buyer so one customer's trades are handled in order by one instance
  (docs/architecture.md, "Keys and ordering").
- **Partitions** bound the parallelism of a worker type: at most one active instance per partition.
  Raising a topic's count later moves keys to other partitions (`ordctl topics check` reports a topic with
  fewer partitions than the table).
- **Retry rungs** (`retry.*`) and the dead-letter topic carry envelopes (`RetryEnvelope`,
  `DeadLetter`) that keep the original bytes, key and origin topic.
MD
} >"$REPO/docs/topics.md"
{
  cat <<'MD'
# Configuration reference

Generated from `common/runtime/of_config.c` (`make docs`). Every worker and `ordctl` read the same keys:
defaults, then an optional file (`--config FILE` or `$OF_CONFIG`; `KEY=value` lines, `#` comments,
optional `export `, optional quotes), then the environment, which wins. Every value is validated at
start-up; a bad one stops the process with exit code 78 and a message naming the key and the reason.
Secrets (`OF_MYSQL_PASSWORD`, `OF_REDIS_PASSWORD`) come only from the environment or the file and are
never logged. The local stack writes a complete file: `.state/stack.env`. An `OF_*` name that is no key (a typo)
is ignored with a start-up warning naming the nearest key (`msg="unknown configuration key, ignored"`); the
`OF_*` variables of the scripts (`OF_STATE_DIR`, `OF_BUILD_DIR`, `OF_TEST_*`, `OF_FLEET_*`, `OF_MERCHANT_*`
secret refs …) are not keys and stay quiet (docs/operations.md, "Unknown keys"). `scripts/fleet.sh` reads its
own `OF_FLEET_*` knobs (instances per worker type) from the environment or this file (docs/operations.md,
"The fleet").

MD
  "$ORDCTL" config
} >"$REPO/docs/config.md"
echo "gen-docs: wrote docs/topics.md and docs/config.md"
