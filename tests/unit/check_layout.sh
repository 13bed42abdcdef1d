#!/usr/bin/env bash
# check_layout.sh -- the layout of common/ (docs/architecture.md, "Layout") holds: rules/ is pure, so no file there
# includes a header that talks to a server (MariaDB, Redis, Kafka producer/consumer, HTTP, the outbox, the worker
# loop); every .c of common/ sits in runtime/, rules/ or io/; a function's file follows from its name (each
# exported of_<module>_* function is defined in of_<module>.c, with the few prefixes listed below).
set -euo pipefail
REPO=${OF_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$REPO/common"
fails=0
fail() { echo "FAIL - $*" >&2; fails=$((fails + 1)); }

# Every header a rules/ file reaches, directly or through other headers (the compiler's own dependency list, -MM;
# -MG lets the generated protobuf headers be missing), must not be one that talks to a server.
forbidden='/(of_(db|redis|kafka|http|outbox|ledger|worker|migrate|file)\.h|io/.*\.h|mysql\.h|mariadb/.*|hiredis/.*|curl/.*)$'
incs=()
while IFS= read -r d; do incs+=("-I$d"); done < <(find . -type d)
while IFS= read -r c; do
  deps=$(${CC:-cc} -std=c11 -MM -MG "${incs[@]}" "$c" 2>&1) || { fail "$c: the compiler cannot list its headers: $deps"; continue; }
  while IFS= read -r h; do
    [[ -n "$h" ]] && fail "rules/ must stay pure: $c reaches $h"
  done < <(tr ' \\' '\n\n' <<<"${deps#*:}" | grep -E "$forbidden" | sort -u)
done < <(find rules -name '*.c' | sort)

while IFS= read -r f; do
  case "$f" in runtime/* | rules/* | io/*) ;; *) fail "$f: every source of common/ lives in runtime/, rules/ or io/" ;; esac
done < <(find . -name '*.[ch]' | sed 's|^\./||')

# exported functions: defined at column 0, not static; the file's module name must prefix the function's name
# (a few modules use a short prefix: catalog of_cat_, customer of_cust_, config of_cfg_, db of_rows_ for results,
# err of_seterr, log of_info/of_warn/of_error/of_debug, metrics of_metric_, trace of_logs_, str of_utf8_,
# time of_now_/of_mono_, topics of_topic_, kafka of_producer_/of_consumer_)
while IFS=: read -r file fn; do
  m=$(basename "$file" .c)
  short=""
  case $m in
    of_catalog) short="of_cat_ of_settings_" ;; of_customer) short="of_cust_" ;; of_config) short="of_cfg_" ;;
    of_db) short="of_rows_" ;; of_err) short="of_seterr" ;; of_log) short="of_info of_warn of_error of_debug" ;;
    of_metrics) short="of_metric_" ;; of_trace) short="of_logs_" ;; of_str) short="of_utf8_" ;;
    of_time) short="of_now_ of_mono_" ;; of_topics) short="of_topic_" ;;
    of_kafka) short="of_producer_ of_consumer_" ;;
  esac
  ok=0
  [[ $fn == "$m" || $fn == "${m}_"* ]] && ok=1
  for p in $short; do [[ $fn == "$p"* ]] && ok=1; done
  ((ok)) || fail "$file: $fn is not named after its file (of_${m#of_}_…): move it to the file its name says"
done < <(grep -rnoE '^[A-Za-z][A-Za-z0-9_ ]*[ *](of_[a-z0-9_]+)\(' --include='*.c' . | sed -E 's|^\./||; s|:[0-9]+:.*[ *](of_[a-z0-9_]+)\($|:\1|')

if ((fails)); then
  echo "check_layout: $fails problem(s)" >&2
  exit 1
fi
echo "check_layout: common/ is laid out by layer, rules/ is pure, every exported function lives in its own module"
