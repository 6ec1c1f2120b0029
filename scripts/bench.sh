#!/usr/bin/env bash
# `npm run bench [-- --quick]`: install if needed, build, then run the bench harness
# (apps/bench) with the given arguments. Prints a markdown table, writes bench-results.json.
# See docs/performance.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CFTP_REPO"

bash scripts/bootstrap.sh
turbo run build --filter=@cftp/bench... --output-logs=errors-only >&2
exec node apps/bench/dist/main.js "$@"
