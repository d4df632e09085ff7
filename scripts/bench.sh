#!/usr/bin/env bash
# Benchmarks of docs/PERFORMANCE.md. Figures come from here, never from tests.
#   scripts/bench.sh plan        load + validate + plan of generated 500- and 100,000-task releases (P5)
#   scripts/bench.sh mariadb-script --statements 10000   a script through MariaDBConnection vs the mariadb client
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
what="${1:-plan}"
swift build -c release --product quickup-bench >/dev/null
bench=.build/release/quickup-bench
case "$what" in
  plan)
    # Each size in its own process so peak RSS is that size's own.
    "$bench" --tasks 500 --runs 50
    "$bench" --tasks 100000 --runs 5
    ;;
  *)
    "$bench" "$@"
    ;;
esac
