#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what it needs, starts the local test
# servers (MariaDB, Redis, ClickHouse on loopback), builds once and runs every test from that build.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICKUP_DEPS_TEST=1 source scripts/deps.sh
bash scripts/services.sh start
eval "$(bash scripts/services.sh env)"
swift build --build-tests
swift test --skip-build --disable-xctest "$@"
