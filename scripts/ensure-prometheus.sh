#!/usr/bin/env bash
# Makes sure `promtool` and `prometheus` (Debian's `prometheus` package) are on PATH, for the
# metrics e2e test (apps/e2e/test/metrics.test.ts) and `npm test`. Idempotent: does nothing
# when both are there; otherwise installs the package with apt-get. Exits non-zero with a
# clear message when that is not possible, so the tests fail instead of skipping.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi

fail() {
  echo "ensure-prometheus: $1; install Debian's 'prometheus' package (it provides promtool and prometheus)" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "promtool/prometheus not found and apt-get is not available"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  fail "promtool/prometheus not found and installing needs root (or password-less sudo)"
fi

echo "ensure-prometheus: installing the prometheus package with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# `npm test` starts the S3 store's install (../shared/s3/s3-up.sh, also apt-get) beside this
# one. apt-get fails at once on a lock another apt-get holds ("Could not get lock"): dpkg's
# lock is waited for with DPkg::Lock::Timeout, and `apt-get update`, whose list lock that
# option does not cover (apt 2.6), is retried every 2 s for up to 10 minutes.
lock_wait=(-o DPkg::Lock::Timeout=600)
apt_update() {
  local tries=300 log
  log=$(mktemp)
  until "${as_root[@]}" apt-get update "${lock_wait[@]}" -qq >"$log" 2>&1; do
    if ! grep -q 'Could not get lock' "$log" || [ "$tries" -le 0 ]; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
    tries=$((tries - 1))
    sleep 2
  done
  cat "$log" >&2
  rm -f "$log"
}
apt_update || fail "apt-get update failed"
"${as_root[@]}" apt-get install "${lock_wait[@]}" -y -qq --no-install-recommends prometheus >&2 ||
  fail "apt-get install prometheus failed"
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 ||
  fail "the prometheus package is installed but promtool/prometheus are not on PATH"
