#!/usr/bin/env bash
# `npm test`: install if needed, build, lint, run every vitest project once, and print one
# closing line `N passed, N failed, N skipped` that sums all of it (lint and the test
# type check count as one check each).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CFTP_REPO"

results=".test-results"
rm -rf "$results" && mkdir -p "$results"
failed_steps=0

step() { # name, command...: runs a setup step; a failure is counted and reported
  local name=$1; shift
  if ! "$@"; then
    echo "test: step '$name' failed" >&2
    failed_steps=$((failed_steps + 1))
    return 1
  fi
}

# The S3 tests' store (a real Ceph cluster, ../shared/s3, issue 17) takes 15-80 s to install
# and start: begin it now, beside the build and the checks. The s3 project's global set-up
# runs s3-up.sh again, which waits for this one and then only prints the settings. Stopped
# at exit, unless it was running before this run (then it is someone else's).
s3_scripts="$CFTP_REPO/../shared/s3"
s3_started=""
stop_s3() {
  [ -n "$s3_started" ] || return 0
  wait "$s3_started" 2>/dev/null
  if ! grep -q 'already running' "$results/s3-up.log" 2>/dev/null; then
    bash "$s3_scripts/s3-down.sh" >>"$results/s3-up.log" 2>&1 || echo "test: s3-down.sh failed (see $results/s3-up.log)" >&2
  fi
}
if [ -f "$s3_scripts/s3-up.sh" ]; then
  bash "$s3_scripts/s3-up.sh" >/dev/null 2>"$results/s3-up.log" &
  s3_started=$!
  trap stop_s3 EXIT
  # The s3 tests' set-up reads it to learn whether the store goes away after this run.
  export CFTP_S3_UP_LOG="$CFTP_REPO/$results/s3-up.log"
fi

if ! step install bash scripts/bootstrap.sh || ! step build turbo run build --output-logs=errors-only; then
  echo "0 passed, ${failed_steps} failed, 0 skipped"
  exit 1
fi

# Real components that tests need and the machine may lack (Debian packages): installed here
# once, before vitest starts, so no test pays for apt-get (each test set-up checks again).
step prometheus bash scripts/ensure-prometheus.sh || true

# Lint/format, the type check of tests (tsc -b covers src only) and the shape rules (file size,
# import cycles, no package importing apps/) count as one check each.
checks_failed=0
step lint biome check . || checks_failed=$((checks_failed + 1))
step typecheck-tests tsc -p tsconfig.tests.json || checks_failed=$((checks_failed + 1))
step shape node scripts/check-shape.mjs || checks_failed=$((checks_failed + 1))

vitest run --reporter=default --reporter=json --outputFile="$results/vitest.json" "$@"
vitest_status=$?

node scripts/summary.mjs "$results/vitest.json" --extra-passed $((3 - checks_failed)) --extra-failed "$checks_failed" --run-status "$vitest_status"
summary_status=$?
if [ "$vitest_status" -ne 0 ] || [ "$checks_failed" -ne 0 ] || [ "$summary_status" -ne 0 ]; then
  exit 1
fi
