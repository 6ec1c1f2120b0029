#!/usr/bin/env bash
# A/B of two built checkouts on the large-file path (issue 12), the real binaries, TLS on:
# `cftp get` and `cftp put` of one random file with each tree's own `cftp server`, the trees
# alternating within every round. Prints medians of MiB/s and of CPU-seconds per GiB of the
# client (/usr/bin/time: user + system) and of the server (/proc/PID/stat around each
# transfer), and the server's peak RSS over its idle RSS (VmHWM, reset before each transfer).
# CPU per GiB is the figure to read on a loaded machine.
#   bash apps/bench/scripts/ab-large.sh BASE_TREE NEW_TREE [MiB=512] [rounds=3] [verbs="get put"]
# BASE_TREE, NEW_TREE: repository roots with `turbo run build` done (e.g. a copy of main).
# Needs Node 24 on PATH (source scripts/env.sh), openssl and /usr/bin/time.
set -euo pipefail
BASE=$(cd "$1" && pwd)
NEW=$(cd "$2" && pwd)
MIB=${3:-512}
ROUNDS=${4:-3}
VERBS=${5:-get put}
WORK=$(mktemp -d)
declare -A PID PORT FP
cleanup() {
  for t in base new; do
    if [ -n "${PID[$t]:-}" ]; then kill "${PID[$t]}" 2>/dev/null || true; wait "${PID[$t]}" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/local"
head -c $((MIB * 1048576)) /dev/urandom > "$WORK/local/src.bin"
TICKS=$(getconf CLK_TCK)

start() { # tag tree
  local t=$1 tree=$2
  mkdir -p "$WORK/$t/root" "$WORK/$t/state"
  cp "$WORK/local/src.bin" "$WORK/$t/root/big.bin"
  node "$tree/apps/cli/dist/main.js" server 0 --root "$WORK/$t/root" --host 127.0.0.1 \
    --state "$WORK/$t/state" --quiet > "$WORK/$t/server.out" 2> /dev/null &
  PID[$t]=$!
  for _ in $(seq 600); do grep -q listening "$WORK/$t/server.out" 2>/dev/null && break; sleep 0.1; done
  PORT[$t]=$(sed -nE 's/.*:([0-9]+), root.*/\1/p' "$WORK/$t/server.out" | head -1)
  if [ -z "${PORT[$t]}" ]; then echo "cftp server ($t) did not start" >&2; exit 1; fi
  FP[$t]="SHA256:$(openssl x509 -in "$WORK/$t/state/server-cert.pem" -outform der | openssl dgst -sha256 -binary | base64 | tr -d '=')"
}
start base "$BASE"
start new "$NEW"
sleep 1
declare -A IDLE
for t in base new; do IDLE[$t]=$(awk '/VmRSS/ { print $2 }' "/proc/${PID[$t]}/status"); done

server_cpu() { awk -v t="$TICKS" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }

run() { # tag verb -> "wall client_cpu server_cpu peak_over_idle_MiB"
  local t=$1 verb=$2 tree before after pid peak
  if [ "$t" = base ]; then tree=$BASE; else tree=$NEW; fi
  pid=${PID[$t]}
  echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true
  before=$(server_cpu "$pid")
  if [ "$verb" = get ]; then
    /usr/bin/time -f '%e %U %S' -o "$WORK/time" node "$tree/apps/cli/dist/main.js" get \
      --fingerprint "${FP[$t]}" "127.0.0.1:${PORT[$t]}:/big.bin" "$WORK/local/got.bin" > /dev/null
    cmp -s "$WORK/local/got.bin" "$WORK/local/src.bin" || { echo "get ($t): file differs" >&2; exit 1; }
    rm -f "$WORK/local/got.bin"
  else
    /usr/bin/time -f '%e %U %S' -o "$WORK/time" node "$tree/apps/cli/dist/main.js" put \
      --fingerprint "${FP[$t]}" "$WORK/local/src.bin" "127.0.0.1:${PORT[$t]}:/up.bin" > /dev/null
    cmp -s "$WORK/$t/root/up.bin" "$WORK/local/src.bin" || { echo "put ($t): file differs" >&2; exit 1; }
    rm -f "$WORK/$t/root/up.bin"
  fi
  after=$(server_cpu "$pid")
  peak=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  awk -v b="$before" -v a="$after" -v p="$peak" -v i="${IDLE[$t]}" \
    '{ printf "%s %.3f %.3f %.1f\n", $1, $2 + $3, a - b, (p - i) / 1024 }' "$WORK/time"
}

for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="base new"; else order="new base"; fi
  for verb in $VERBS; do
    for t in $order; do echo "$verb $t $(run "$t" "$verb")"; sync; done
  done
done > "$WORK/samples"

echo "$MIB MiB x $ROUNDS rounds, TLS, whole cftp command; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "transfer tree   MiB/s  client CPU-s/GiB  server CPU-s/GiB  server peak-idle MiB (medians)"
for verb in $VERBS; do
  for t in base new; do
    grep "^$verb $t " "$WORK/samples" | awk -v mib="$MIB" -v v="$verb" -v d="$t" '
      { w[NR] = mib / $3; c[NR] = $4 * 1024 / mib; s[NR] = $5 * 1024 / mib; r[NR] = $6 }
      function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
      END { printf "%-8s %-5s %6.0f  %16.2f  %16.2f  %10.1f\n", v, d, med(w, NR), med(c, NR), med(s, NR), med(r, NR) }'
  done
done
