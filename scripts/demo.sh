#!/usr/bin/env bash
# Builds quickup and runs `quickup demo` (embedded SQLite, no server needed).
# Only the `quickup` executable, what it links, and `quickup-launch` (each tool's first process,
# a small C program) are built: no tests, no benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
if [ ! -x .build/debug/quickup ]; then
    echo "demo.sh: first build of quickup and its packages: about 6 minutes on an idle 2-core machine, up to ~18 on a busy one" >&2
fi
swift build --product quickup
swift build --product quickup-launch
.build/debug/quickup demo "$@"
