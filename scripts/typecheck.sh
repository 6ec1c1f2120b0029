#!/usr/bin/env bash
# `npm run typecheck`: install if needed, then type-check every package's sources
# (`turbo run typecheck`, one `tsc --noEmit -p .` each) and every test file, which no
# package tsconfig includes (tsconfig.tests.json; apps/e2e and apps/hostile are tests only).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CFTP_REPO"

bash scripts/bootstrap.sh
turbo run typecheck --output-logs=errors-only "$@"
tsc -p tsconfig.tests.json
