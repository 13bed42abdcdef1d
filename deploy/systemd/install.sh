#!/usr/bin/env bash
# install.sh -- install the systemd units of the fleet (docs/operations.md, "systemd"): of-worker@.service once per
# worker type as of-<worker>@.service, and orderfleet.target; the binaries are expected in BINDIR.
# Usage: deploy/systemd/install.sh [--unit-dir DIR] [--bindir DIR]
#   --unit-dir  where the units go (default /etc/systemd/system)
#   --bindir    where of-* are installed (default /usr/local/bin, as `cmake --install`)
# It does not enable or start anything: `systemctl enable --now of-trade-submit@1.service ...` does.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UNIT_DIR=/etc/systemd/system BINDIR=/usr/local/bin
while (($#)); do
  case $1 in
    --unit-dir) UNIT_DIR=$2; shift 2 ;;
    --bindir) BINDIR=$2; shift 2 ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
WORKERS=(trade-submit trade-modify sweep delivery retry-ladder dlq-recorder flash payment-finish order-sync gateway)
mkdir -p "$UNIT_DIR"
for w in "${WORKERS[@]}"; do
  [[ -x $BINDIR/of-$w ]] || echo "install.sh: warning: $BINDIR/of-$w is missing" >&2
  sed "s|^ExecStart=/usr/local/bin/%p|ExecStart=$BINDIR/%p|" "$HERE/of-worker@.service" >"$UNIT_DIR/of-$w@.service"
done
install -m 644 "$HERE/orderfleet.target" "$UNIT_DIR/orderfleet.target"
echo "install.sh: ${#WORKERS[@]} templates of-<worker>@.service and orderfleet.target in $UNIT_DIR"
