#!/usr/bin/env bash
# Builds quickup and runs `quickup demo` (embedded SQLite, no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
swift build --product quickup
.build/debug/quickup demo "$@"
