#!/usr/bin/env bash
# A/B of the session digest (issue 12, docs/protocol.md §7.1) with the real binaries, TLS on:
# `cftp get` and `cftp put` of one random file, BLAKE3 (default) and `--digest sha256`
# alternating within every round; prints the median CPU-seconds per GiB of the client
# (/usr/bin/time: user + system) and of the server (/proc/PID/stat around each transfer),
# and MiB/s. CPU per GiB is the figure to read on a loaded machine.
#   bash apps/bench/scripts/ab-digest.sh [MiB=512] [rounds=3]
# Needs Node 24 on PATH (source scripts/env.sh), a build (turbo run build), openssl and
# /usr/bin/time. Cleans up after itself.
set -euo pipefail
MIB=${1:-512}
ROUNDS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
CLI="$HERE/../../cli/dist/main.js"
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/root" "$WORK/local" "$WORK/state"
head -c $((MIB * 1048576)) /dev/urandom > "$WORK/local/src.bin"
cp "$WORK/local/src.bin" "$WORK/root/big.bin"
node "$CLI" server 0 --root "$WORK/root" --host 127.0.0.1 --state "$WORK/state" --quiet \
  > "$WORK/server.out" 2> /dev/null &
SERVER_PID=$!
for _ in $(seq 600); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -nE 's/.*:([0-9]+), root.*/\1/p' "$WORK/server.out" | head -1)
if [ -z "$PORT" ]; then echo "cftp server did not start (source scripts/env.sh for Node 24)" >&2; exit 1; fi
FP="SHA256:$(openssl x509 -in "$WORK/state/server-cert.pem" -outform der | openssl dgst -sha256 -binary | base64 | tr -d '=')"
TICKS=$(getconf CLK_TCK)
server_cpu() { awk -v t="$TICKS" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$SERVER_PID/stat"; }

run() { # verb digest -> "wall client_cpu server_cpu"
  local verb=$1 digest=$2 before after
  before=$(server_cpu)
  if [ "$verb" = get ]; then
    /usr/bin/time -f '%e %U %S' -o "$WORK/time" node "$CLI" get --fingerprint "$FP" --digest "$digest" \
      "127.0.0.1:$PORT:/big.bin" "$WORK/local/got.bin" > /dev/null
    rm -f "$WORK/local/got.bin"
  else
    /usr/bin/time -f '%e %U %S' -o "$WORK/time" node "$CLI" put --fingerprint "$FP" --digest "$digest" \
      "$WORK/local/src.bin" "127.0.0.1:$PORT:/up.bin" > /dev/null
    rm -f "$WORK/root/up.bin"
  fi
  after=$(server_cpu)
  awk -v b="$before" -v a="$after" '{ printf "%s %.3f %.3f\n", $1, $2 + $3, a - b }' "$WORK/time"
}

for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="blake3 sha256"; else order="sha256 blake3"; fi
  for verb in get put; do
    for digest in $order; do echo "$verb $digest $(run "$verb" "$digest")"; done
  done
done > "$WORK/samples"

echo "$MIB MiB x $ROUNDS rounds, TLS, whole cftp command; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "transfer     digest   MiB/s  client CPU-s/GiB  server CPU-s/GiB  (medians)"
for verb in get put; do
  for digest in blake3 sha256; do
    grep "^$verb $digest " "$WORK/samples" | awk -v mib="$MIB" -v v="$verb" -v d="$digest" '
      { w[NR] = mib / $3; c[NR] = $4 * 1024 / mib; s[NR] = $5 * 1024 / mib }
      function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
      END { printf "%-12s %-8s %5.0f  %16.2f  %16.2f\n", v, d, med(w, NR), med(c, NR), med(s, NR) }'
  done
done
