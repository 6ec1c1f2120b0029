#!/usr/bin/env bash
# `npm run pack [-- --out DIR] [--no-build]`: builds, then writes the publishable tarballs to
# dist-packages/ (or DIR): every library in packages/ that is not private, and the CLI as
# `cftp`. `pnpm pack` turns workspace:^ ranges into real versions.
#
# The CLI is the workspace package @cftp/cli (private, so that `pnpm publish -r` or
# `changeset publish` can never publish it under that name); its tarball is renamed to `cftp`
# here. Renaming the workspace package instead would touch every app that depends on it and
# every changeset that names it. Publish with `npm publish dist-packages/<file>.tgz`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CFTP_REPO"

out="dist-packages"
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;; # the caller has just built (the packed-install test)
    *) echo "pack: unknown argument $1 (expected --out DIR, --no-build)" >&2; exit 2 ;;
  esac
done

if [ "$build" -eq 1 ]; then
  bash scripts/bootstrap.sh
  turbo run build --output-logs=errors-only
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/*.tgz

# pack DIR: one tarball into $out; prints its path.
pack() {
  (cd "$1" && pnpm pack --pack-destination "$out" --json) |
    node -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{console.log(JSON.parse(s).filename)})'
}

for dir in packages/*/; do
  dir="${dir%/}"
  private=$(node -p "require('./$dir/package.json').private === true")
  if [ "$private" = "true" ]; then continue; fi # e.g. test-only packages
  for file in README.md LICENSE dist/index.d.ts; do
    [ -f "$dir/$file" ] || { echo "pack: $dir/$file is missing" >&2; exit 1; }
  done
  echo "pack: $(basename "$(pack "$dir")")"
done

# The CLI: pack the workspace package (so its ranges are rewritten), then rename it inside.
cli_tarball=$(pack apps/cli)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tar -xzf "$cli_tarball" -C "$stage"
rm -f "$cli_tarball"
node -e '
  const fs = require("node:fs");
  const file = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.name = "cftp";
  delete pkg.private;
  delete pkg.devDependencies; // nothing an installer needs
  delete pkg.scripts; // workspace build scripts; the tarball ships built files
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$stage/package/package.json"
(cd "$stage/package" && npm pack --pack-destination "$out" --silent --loglevel=error >/dev/null)
echo "pack: $(cd "$out" && ls cftp-[0-9]*.tgz)"
