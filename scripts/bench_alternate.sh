#!/bin/bash
# Whole-process timings of quickup builds, alternated on the same release (issue 20.1):
#   RELEASE=DIR [WARM=1] bash scripts/bench_alternate.sh N "ARGS" BIN...
# runs `BIN ARGS --release DIR` N times per build, builds alternated, output discarded, and prints
# per build the min / median wall time and CPU (user + sys) and the peak RSS. WARM=1 reads every
# file of the release before each run, so each starts with the files in the page cache.
set -euo pipefail
N=$1; ARGS=$2; shift 2
R=${RELEASE:?set RELEASE to the release directory}
declare -A W C M
times=$(mktemp)
trap 'rm -f "$times"' EXIT
for _ in $(seq "$N"); do for Q in "$@"; do
  if [ -n "${WARM:-}" ]; then find "$R" -type f -print0 | xargs -0 cat > /dev/null; fi
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S %M" "$Q" $ARGS --release "$R" > /dev/null 2> "$times" || true
  read -r w u s m < <(tail -1 "$times")
  W[$Q]+="$w "; C[$Q]+="$(echo "$u + $s" | bc) "; M[$Q]=$m
done; done
stats() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {printf "min %.2f med %.2f", a[1], a[int((NR+1)/2)]}'; }
for Q in "$@"; do
  echo "$Q | $ARGS | wall $(echo "${W[$Q]}" | stats) | rss ${M[$Q]} KB | cpu $(echo "${C[$Q]}" | stats)"
done
