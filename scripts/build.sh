#!/usr/bin/env bash
# `npm run build [-- turbo flags]`: install if needed, then build every package with the
# pinned Node and tools on PATH (env.sh), so the build never runs on the machine's own Node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CFTP_REPO"

bash scripts/bootstrap.sh
exec turbo run build "$@"
