#!/usr/bin/env bash
# Installs what CFTP needs from the repository's own files: the pinned Node and pnpm
# (.tools, via the machine's npm), then the workspace dependencies (pnpm, frozen lockfile).
# Idempotent and quiet when everything is already in place.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CFTP_REPO"

log() { printf 'cftp-setup: %s\n' "$*" >&2; }

tools_stamp=".tools/node_modules/.cftp-installed"
if [ ! -f "$tools_stamp" ] || [ ".tools/package-lock.json" -nt "$tools_stamp" ]; then
  log "installing pinned Node and pnpm into .tools (first run only)"
  npm install --prefix .tools --no-audit --no-fund --loglevel=error >&2
  touch "$tools_stamp"
fi

deps_stamp="node_modules/.cftp-installed"
if [ ! -f "$deps_stamp" ] || [ pnpm-lock.yaml -nt "$deps_stamp" ] || [ package.json -nt "$deps_stamp" ]; then
  log "installing workspace dependencies"
  if [ -n "${CI:-}" ]; then
    pnpm install --frozen-lockfile --reporter=append-only >&2
  else
    pnpm install --reporter=append-only >&2
  fi
  touch "$deps_stamp"
fi
