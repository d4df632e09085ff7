#!/usr/bin/env bash
# scripts/services.sh — real MariaDB, Redis and ClickHouse servers for quickup's tests.
#
#   scripts/services.sh start            install (apt) if missing, start all three, wait until they answer
#   scripts/services.sh stop             stop all three (TERM, then KILL after a timeout)
#   scripts/services.sh status           print each server's state; exit 1 if any is not running
#   scripts/services.sh env              print `export QUICKUP_TEST_…=…` lines (eval "$(scripts/services.sh env)")
#   scripts/services.sh restart-mariadb  stop MariaDB gracefully and start it again
#   scripts/services.sh kill-mariadb [SIGNAL]  kill MariaDB abruptly (default SIGKILL), as a crash would
#
# Every server listens on 127.0.0.1 only, on non-default ports, with its data, config and logs under
# ${QUICKUP_SERVICES_DIR:-<repo>/.build-services}. Passwords live only in mode-600 files there, never in
# process arguments. See docs/SERVICES.md.
set -euo pipefail

SCRIPT_PATH="$(readlink -f -- "${BASH_SOURCE[0]}")"   # follows symlinks to the real checkout
SCRIPT_DIR="$(dirname -- "$SCRIPT_PATH")"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"

SERVICES_DIR="${QUICKUP_SERVICES_DIR:-$REPO_ROOT/.build-services}"
case "$SERVICES_DIR" in /*) ;; *) SERVICES_DIR="$PWD/${SERVICES_DIR#./}" ;; esac
SERVICES_DIR="${SERVICES_DIR%/}"
SETTINGS_FILE="$SERVICES_DIR/settings.env"

START_TIMEOUT="${QUICKUP_SERVICES_TIMEOUT:-90}"      # seconds to wait for a server to answer
STOP_TIMEOUT="${QUICKUP_SERVICES_STOP_TIMEOUT:-30}"  # seconds between TERM and KILL
HOST=127.0.0.1
ALL_SERVICES=(mariadb redis clickhouse)

APT_PACKAGES=(mariadb-server mariadb-client redis-server clickhouse-server clickhouse-client
              libmariadb-dev libhiredis-dev curl)

# name | default. Each can be overridden by an environment variable of the same name at `start`;
# the values in force are kept in $SETTINGS_FILE so that later commands (env, status…) agree.
SETTING_DEFAULTS=(
  QUICKUP_MARIADB_PORT=13306
  QUICKUP_MARIADB_USER=quickup
  QUICKUP_MARIADB_PASSWORD=quickup-mariadb-test-pw
  QUICKUP_MARIADB_DATABASE=quickup_test
  QUICKUP_REDIS_PORT=16379
  QUICKUP_REDIS_PASSWORD=quickup-redis-test-pw
  QUICKUP_CLICKHOUSE_HTTP_PORT=18123
  QUICKUP_CLICKHOUSE_TCP_PORT=19000
  QUICKUP_CLICKHOUSE_USER=quickup
  QUICKUP_CLICKHOUSE_PASSWORD=quickup-clickhouse-test-pw
  QUICKUP_CLICKHOUSE_DATABASE=quickup_test
)

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
log()  { printf 'services: %s\n' "$*" >&2; }
die()  { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }
now()  { date +%s; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# Quote a value for a POSIX shell (single quotes).
shquote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# settings --------------------------------------------------------------------------------------
declare -A PERSISTED=()
load_settings() {
  if [ -f "$SETTINGS_FILE" ]; then
    local line key value
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in ''|'#'*) continue ;; esac
      key="${line%%=*}"; value="${line#*=}"
      PERSISTED[$key]="$value"
    done < "$SETTINGS_FILE"
  fi
  local pair name default
  for pair in "${SETTING_DEFAULTS[@]}"; do
    name="${pair%%=*}"; default="${pair#*=}"
    if [ -n "${!name+x}" ]; then :                         # explicit environment override
    elif [ -n "${PERSISTED[$name]+x}" ]; then printf -v "$name" '%s' "${PERSISTED[$name]}"
    else printf -v "$name" '%s' "$default"
    fi
  done
  validate_settings
}

validate_settings() {
  local name value
  for name in QUICKUP_MARIADB_PORT QUICKUP_REDIS_PORT QUICKUP_CLICKHOUSE_HTTP_PORT QUICKUP_CLICKHOUSE_TCP_PORT; do
    value="${!name}"
    if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -lt 1024 ] || [ "$value" -gt 65535 ]; then
      die "$name=$value is not a port number in 1024-65535"
    fi
  done
  # Values go into SQL, XML and config files unescaped: keep them to a safe alphabet.
  for name in QUICKUP_MARIADB_USER QUICKUP_MARIADB_PASSWORD QUICKUP_MARIADB_DATABASE QUICKUP_REDIS_PASSWORD \
              QUICKUP_CLICKHOUSE_USER QUICKUP_CLICKHOUSE_PASSWORD QUICKUP_CLICKHOUSE_DATABASE; do
    value="${!name}"
    [[ "$value" =~ ^[A-Za-z0-9._-]+$ ]] || die "$name must match [A-Za-z0-9._-]+"
  done
  for name in QUICKUP_MARIADB_DATABASE QUICKUP_CLICKHOUSE_DATABASE; do
    [[ "${!name}" =~ ^[A-Za-z0-9_]+$ ]] || die "$name must match [A-Za-z0-9_]+"
  done
}

save_settings() {
  local tmp="$SETTINGS_FILE.tmp.$$" pair name
  (
    umask 077
    {
      printf '# written by scripts/services.sh start — the settings of the running servers\n'
      for pair in "${SETTING_DEFAULTS[@]}"; do name="${pair%%=*}"; printf '%s=%s\n' "$name" "${!name}"; done
    } > "$tmp"
  )
  mv -f "$tmp" "$SETTINGS_FILE"
}

# The settings a service was started with must not silently change under it.
check_settings_unchanged() {  # service
  local svc="$1" name
  [ -f "$SETTINGS_FILE" ] || return 0
  for name in $(settings_of "$svc"); do
    if [ -n "${PERSISTED[$name]+x}" ] && [ "${PERSISTED[$name]}" != "${!name}" ]; then
      die "$svc is running with $name=${PERSISTED[$name]} but ${!name} was asked for: run '$0 stop' first"
    fi
  done
}
settings_of() {
  case "$1" in
    mariadb)    echo QUICKUP_MARIADB_PORT QUICKUP_MARIADB_USER QUICKUP_MARIADB_PASSWORD QUICKUP_MARIADB_DATABASE ;;
    redis)      echo QUICKUP_REDIS_PORT QUICKUP_REDIS_PASSWORD ;;
    clickhouse) echo QUICKUP_CLICKHOUSE_HTTP_PORT QUICKUP_CLICKHOUSE_TCP_PORT QUICKUP_CLICKHOUSE_USER \
                     QUICKUP_CLICKHOUSE_PASSWORD QUICKUP_CLICKHOUSE_DATABASE ;;
  esac
}

# paths -----------------------------------------------------------------------------------------
svc_dir()     { printf '%s/%s' "$SERVICES_DIR" "$1"; }
pid_file()    { printf '%s/%s/server.pid' "$SERVICES_DIR" "$1"; }
config_file() {  # the file whose path is in the server's command line (identifies our process)
  case "$1" in
    mariadb)    printf '%s/my.cnf' "$(svc_dir mariadb)" ;;
    redis)      printf '%s/redis.conf' "$(svc_dir redis)" ;;
    clickhouse) printf '%s/config.xml' "$(svc_dir clickhouse)" ;;
  esac
}
server_logs() {  # logs worth showing when a server fails
  local d; d="$(svc_dir "$1")"
  case "$1" in
    mariadb)    echo "$d/log/error.log $d/log/stdout.log" ;;
    redis)      echo "$d/log/redis.log $d/log/stdout.log" ;;
    clickhouse) echo "$d/log/clickhouse-server.err.log $d/log/clickhouse-server.log $d/log/stdout.log" ;;
  esac
}

# Unix socket paths are limited to 107 bytes: fall back to /tmp for deep checkouts.
mariadb_socket() {
  local sock; sock="$(svc_dir mariadb)/run/mariadb.sock"
  if [ "${#sock}" -gt 100 ]; then
    sock="${TMPDIR:-/tmp}/quickup-mariadb-$(printf '%s' "$SERVICES_DIR" | cksum | cut -d' ' -f1).sock"
  fi
  printf '%s' "$sock"
}

# processes -------------------------------------------------------------------------------------
# Alive and not a zombie (a killed server stays a zombie until pid 1 reaps it, which can take a while).
is_alive() {  # pid
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    local stat; stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [ "${stat%% *}" != Z ] || return 1
  fi
}

# Prints the recorded pid if that process is alive AND is our server (guards against pid reuse).
running_pid() {  # service
  local pf pid marker
  pf="$(pid_file "$1")"
  [ -f "$pf" ] || return 1
  pid="$(cat "$pf" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  is_alive "$pid" || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    marker="$(config_file "$1")"
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  fi
  printf '%s' "$pid"
}

# Start a server detached from this shell: own session, stdin from /dev/null, output to its log,
# lock fd closed so the server does not hold our lock.
launch() {  # service logfile command...
  local svc="$1" logf="$2"; shift 2
  # Remember where each log ends now, so that a failure shows only this run's lines.
  local f
  for f in $(server_logs "$svc"); do printf '%s %s\n' "$(stat -c %s "$f" 2>/dev/null || echo 0)" "$f"; done \
    > "$(svc_dir "$svc")/.log-offsets"
  printf '\n==== %s starting: %s\n' "$(date '+%F %T')" "$*" >> "$logf"
  setsid nohup "$@" < /dev/null >> "$logf" 2>&1 9>&- &
  local pid=$!
  printf '%s\n' "$pid" > "$(pid_file "$svc")"
  log "$svc: started pid $pid"
}

show_log_tail() {  # service
  local f offset offsets
  offsets="$(svc_dir "$1")/.log-offsets"
  for f in $(server_logs "$1"); do
    [ -s "$f" ] || continue
    offset="$(awk -v f="$f" '$2 == f { print $1 }' "$offsets" 2>/dev/null || true)"
    printf -- '---- last lines of %s (this run) ----\n' "$f" >&2
    tail -c "+$(( ${offset:-0} + 1 ))" "$f" | tail -n 40 >&2
  done
}

# Wait until `check_fn` succeeds; fail early if the server process died.
wait_ready() {  # service check_fn
  local svc="$1" check="$2" deadline pid
  deadline=$(( $(now) + START_TIMEOUT ))
  pid="$(cat "$(pid_file "$svc")" 2>/dev/null || true)"
  while :; do
    if "$check"; then return 0; fi
    if [ -n "$pid" ] && ! is_alive "$pid"; then
      show_log_tail "$svc"
      die "$svc: server process $pid exited during startup (logs above, under $(svc_dir "$svc")/log)"
    fi
    if [ "$(now)" -ge "$deadline" ]; then
      show_log_tail "$svc"
      die "$svc: not answering after ${START_TIMEOUT}s (pid $pid; logs above)"
    fi
    sleep 0.2
  done
}

# Signal a server (if running) without waiting; prints the pid signalled.
signal_service() {  # service signal
  local pid
  pid="$(running_pid "$1")" || { rm -f "$(pid_file "$1")"; return 1; }
  kill "-$2" "$pid" 2>/dev/null || true
  printf '%s' "$pid"
}

wait_gone() {  # service pid
  local svc="$1" pid="$2" deadline
  deadline=$(( $(now) + STOP_TIMEOUT ))
  while is_alive "$pid"; do
    if [ "$(now)" -ge "$deadline" ]; then
      log "$svc: pid $pid still alive after ${STOP_TIMEOUT}s, sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$(( $(now) + 10 ))
    fi
    sleep 0.1
  done
  rm -f "$(pid_file "$svc")"
}

# Is something (not ours) already listening on the port?
port_in_use() {  # port
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}
service_ports() {
  case "$1" in
    mariadb)    echo "$QUICKUP_MARIADB_PORT" ;;
    redis)      echo "$QUICKUP_REDIS_PORT" ;;
    clickhouse) echo "$QUICKUP_CLICKHOUSE_HTTP_PORT $QUICKUP_CLICKHOUSE_TCP_PORT" ;;
  esac
}
require_free_ports() {  # service
  local svc="$1" port
  for port in $(service_ports "$svc"); do
    port_in_use "$port" && die "$svc: port $HOST:$port is already in use by another process; choose another one (see docs/SERVICES.md)"
  done
  return 0
}

with_lock() {
  mkdir -p "$SERVICES_DIR"
  exec 9> "$SERVICES_DIR/.lock"
  flock -w 600 9 || die "could not lock $SERVICES_DIR/.lock"
}

# ---------------------------------------------------------------------------------------------
# packages
# ---------------------------------------------------------------------------------------------
ensure_packages() {
  local missing=() pkg
  command -v dpkg-query > /dev/null || die "dpkg-query not found: install ${APT_PACKAGES[*]} by hand"
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  local sudo=()
  if ! is_root; then
    command -v sudo > /dev/null || die "missing packages (${missing[*]}) and not root: install them first"
    sudo=(sudo -n)
  fi
  log "installing ${missing[*]}"
  # Debian's maintainer scripts would start system-wide servers on the default ports; where no
  # policy-rc.d exists, forbid that for the duration of the install (as Debian's docker images do).
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [ ! -e "$policy" ] && is_root; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; added_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local rc=0
  {
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
         --no-install-recommends "${missing[@]}"
  } > "$SERVICES_DIR/apt.log" 2>&1 || rc=$?
  if [ -n "$added_policy" ]; then rm -f "$policy"; trap - EXIT; fi
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$SERVICES_DIR/apt.log" >&2
    die "apt-get failed (full log: $SERVICES_DIR/apt.log)"
  fi
}

# ---------------------------------------------------------------------------------------------
# MariaDB
# ---------------------------------------------------------------------------------------------
mariadb_server_bin() {
  local b
  for b in /usr/sbin/mariadbd /usr/sbin/mysqld; do [ -x "$b" ] && { printf '%s' "$b"; return; }; done
  command -v mariadbd || command -v mysqld || die "mariadbd not found"
}

mariadb_write_config() {
  local d sock; d="$(svc_dir mariadb)"; sock="$(mariadb_socket)"
  mkdir -p "$d/data" "$d/run" "$d/log" "$d/tmp"
  local run_as=""
  is_root && run_as="user = root"
  (
    umask 077
    cat > "$d/my.cnf" <<EOF
# generated by scripts/services.sh — private MariaDB for quickup's tests
[mariadbd]
$run_as
datadir = $d/data
tmpdir = $d/tmp
socket = $sock
pid-file = $d/run/mariadbd.pid
port = $QUICKUP_MARIADB_PORT
bind-address = $HOST
skip-name-resolve
log-error = $d/log/error.log
general_log = 0
general_log_file = $d/log/general.log
log_output = FILE,TABLE
slow_query_log = 0
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
max_connections = 150
max_allowed_packet = 64M
performance_schema = OFF
innodb_buffer_pool_size = 64M
loose-innodb_buffer_pool_size_max = 256M
innodb_log_file_size = 32M
innodb_log_buffer_size = 8M
innodb_flush_log_at_trx_commit = 2
key_buffer_size = 8M
aria_pagecache_buffer_size = 8M
query_cache_size = 0
query_cache_type = 0
table_open_cache = 400
tmp_table_size = 16M
max_heap_table_size = 16M
skip-log-bin

[client]
socket = $sock
EOF
    # Admin connection for this script: unix socket, authenticated by the OS user (no password).
    cat > "$d/admin.cnf" <<EOF
[client]
socket = $sock
user = $(id -un)
EOF
    # Test client connection: TCP as the test user. Use with --defaults-extra-file.
    cat > "$d/client.cnf" <<EOF
# generated by scripts/services.sh — mariadb --defaults-extra-file=$d/client.cnf
[client]
host = $HOST
port = $QUICKUP_MARIADB_PORT
user = $QUICKUP_MARIADB_USER
password = $QUICKUP_MARIADB_PASSWORD

[mysql]
database = $QUICKUP_MARIADB_DATABASE
EOF
  )
}

mariadb_admin_sql() {  # reads SQL from stdin
  mariadb --defaults-file="$(svc_dir mariadb)/admin.cnf" --batch --skip-column-names
}

mariadb_ping() {
  mariadb-admin --defaults-file="$(svc_dir mariadb)/admin.cnf" --connect-timeout=2 ping > /dev/null 2>&1
}

mariadb_initialize() {
  local d; d="$(svc_dir mariadb)"
  [ -f "$d/.initialized" ] && return 0
  log "mariadb: initializing data directory"
  rm -rf "$d/data"; mkdir -p "$d/data"
  local args=(--defaults-file="$d/my.cnf" --skip-test-db --skip-name-resolve --auth-root-authentication-method=socket)
  if is_root; then args+=(--user=root); else args+=(--auth-root-socket-user="$(id -un)"); fi
  if ! mariadb-install-db "${args[@]}" > "$d/log/install-db.log" 2>&1; then
    tail -n 40 "$d/log/install-db.log" >&2
    die "mariadb: mariadb-install-db failed (log: $d/log/install-db.log)"
  fi
  touch "$d/.initialized"
}

mariadb_launch() {
  local d; d="$(svc_dir mariadb)"
  mariadb_write_config
  mariadb_initialize
  # --defaults-file must be the first argument.
  launch mariadb "$d/log/stdout.log" "$(mariadb_server_bin)" --defaults-file="$d/my.cnf"
}

mariadb_bootstrap() {
  local u="$QUICKUP_MARIADB_USER" p="$QUICKUP_MARIADB_PASSWORD" db="$QUICKUP_MARIADB_DATABASE" h
  {
    # shellcheck disable=SC2016 # backquotes are SQL identifier quotes
    printf 'CREATE DATABASE IF NOT EXISTS `%s`;\n' "$db"
    # mariadb-install-db grants a proxy to root@<hostname>, which --skip-name-resolve warns about.
    printf "DELETE FROM mysql.proxies_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1');\n"
    for h in 127.0.0.1 localhost; do
      printf "CREATE USER IF NOT EXISTS '%s'@'%s' IDENTIFIED BY '%s';\n" "$u" "$h" "$p"
      printf "ALTER USER '%s'@'%s' IDENTIFIED BY '%s';\n" "$u" "$h" "$p"
      printf "GRANT ALL PRIVILEGES ON *.* TO '%s'@'%s' WITH GRANT OPTION;\n" "$u" "$h"
    done
    printf 'FLUSH PRIVILEGES;\n'
  } | mariadb_admin_sql || die "mariadb: creating user/database failed"
  # Check what the tests will do: TCP login as the test user.
  mariadb --defaults-extra-file="$(svc_dir mariadb)/client.cnf" --batch --skip-column-names \
    -e 'SELECT 1' > /dev/null || die "mariadb: test user cannot log in over TCP"
}

mariadb_ready() {
  wait_ready mariadb mariadb_ping
  mariadb_bootstrap
  log "mariadb: ready on $HOST:$QUICKUP_MARIADB_PORT (socket $(mariadb_socket))"
}

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------
redis_write_config() {
  local d; d="$(svc_dir redis)"
  mkdir -p "$d/data" "$d/log" "$d/run"
  (
    umask 077
    cat > "$d/redis.conf" <<EOF
# generated by scripts/services.sh — private Redis for quickup's tests
port $QUICKUP_REDIS_PORT
bind $HOST
protected-mode yes
requirepass $QUICKUP_REDIS_PASSWORD
daemonize no
supervised no
dir $d/data
pidfile $d/run/redis.pid
logfile $d/log/redis.log
loglevel notice
# no persistence
save ""
appendonly no
maxmemory 256mb
maxmemory-policy noeviction
databases 16
# keep the config path in the process title so that we recognise our process
proc-title-template "{title} {listen-addr} {config-file}"
EOF
  )
}

redis_cli() {  # the password goes through the environment, not argv
  REDISCLI_AUTH="$QUICKUP_REDIS_PASSWORD" redis-cli -h "$HOST" -p "$QUICKUP_REDIS_PORT" "$@"
}
redis_ping() { [ "$(redis_cli ping 2>/dev/null)" = PONG ]; }

redis_launch() {
  redis_write_config
  launch redis "$(svc_dir redis)/log/stdout.log" "$(command -v redis-server)" "$(config_file redis)"
}

redis_ready() {
  wait_ready redis redis_ping
  log "redis: ready on $HOST:$QUICKUP_REDIS_PORT"
}

# ---------------------------------------------------------------------------------------------
# ClickHouse (Debian's 18.16)
# ---------------------------------------------------------------------------------------------
clickhouse_write_config() {
  local d; d="$(svc_dir clickhouse)"
  mkdir -p "$d/data" "$d/tmp" "$d/log" "$d/user_files" "$d/format_schemas"
  local pw_sha; pw_sha="$(printf '%s' "$QUICKUP_CLICKHOUSE_PASSWORD" | sha256sum | cut -d' ' -f1)"
  (
    umask 077
    cat > "$d/config.xml" <<EOF
<?xml version="1.0"?>
<!-- generated by scripts/services.sh — private ClickHouse for quickup's tests -->
<yandex>
    <logger>
        <level>information</level>
        <log>$d/log/clickhouse-server.log</log>
        <errorlog>$d/log/clickhouse-server.err.log</errorlog>
        <size>20M</size>
        <count>2</count>
    </logger>
    <listen_host>$HOST</listen_host>
    <http_port>$QUICKUP_CLICKHOUSE_HTTP_PORT</http_port>
    <tcp_port>$QUICKUP_CLICKHOUSE_TCP_PORT</tcp_port>
    <max_connections>256</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>32</max_concurrent_queries>
    <uncompressed_cache_size>16777216</uncompressed_cache_size>
    <mark_cache_size>16777216</mark_cache_size>
    <path>$d/data/</path>
    <tmp_path>$d/tmp/</tmp_path>
    <user_files_path>$d/user_files/</user_files_path>
    <format_schema_path>$d/format_schemas/</format_schema_path>
    <users_config>$d/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mlock_executable>false</mlock_executable>
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <partition_by>toYYYYMM(event_date)</partition_by>
        <flush_interval_milliseconds>1000</flush_interval_milliseconds>
    </query_log>
</yandex>
EOF
    cat > "$d/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>1000000000</max_memory_usage>
            <background_pool_size>4</background_pool_size>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <!-- passwordless local admin -->
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <$QUICKUP_CLICKHOUSE_USER>
            <password_sha256_hex>$pw_sha</password_sha256_hex>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </$QUICKUP_CLICKHOUSE_USER>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
    # clickhouse-client --config-file=… (native protocol, test user)
    cat > "$d/client.xml" <<EOF
<config>
    <host>$HOST</host>
    <port>$QUICKUP_CLICKHOUSE_TCP_PORT</port>
    <user>$QUICKUP_CLICKHOUSE_USER</user>
    <password>$QUICKUP_CLICKHOUSE_PASSWORD</password>
</config>
EOF
    # curl -H @file … (HTTP, test user)
    printf 'X-ClickHouse-User: %s\nX-ClickHouse-Key: %s\n' \
      "$QUICKUP_CLICKHOUSE_USER" "$QUICKUP_CLICKHOUSE_PASSWORD" > "$d/http-headers"
  )
}

clickhouse_http() {  # SQL as $1; runs as the test user; prints the result
  curl -sS --fail-with-body --max-time 10 -H @"$(svc_dir clickhouse)/http-headers" \
    "http://$HOST:$QUICKUP_CLICKHOUSE_HTTP_PORT/" --data-binary "$1"
}
clickhouse_ping() { [ "$(clickhouse_http 'SELECT 1' 2>/dev/null)" = 1 ]; }

clickhouse_launch() {
  local d; d="$(svc_dir clickhouse)"
  clickhouse_write_config
  local bin=/usr/sbin/clickhouse-server
  [ -x "$bin" ] || bin="$(command -v clickhouse-server)" || die "clickhouse-server not found"
  # Runs fine as root when given its own config; no pid file (a stale one blocks a restart).
  launch clickhouse "$d/log/stdout.log" "$bin" --config-file="$d/config.xml"
}

clickhouse_ready() {
  wait_ready clickhouse clickhouse_ping
  clickhouse_http "CREATE DATABASE IF NOT EXISTS $QUICKUP_CLICKHOUSE_DATABASE" > /dev/null \
    || die "clickhouse: could not create database $QUICKUP_CLICKHOUSE_DATABASE"
  log "clickhouse: ready on $HOST:$QUICKUP_CLICKHOUSE_HTTP_PORT (http), $HOST:$QUICKUP_CLICKHOUSE_TCP_PORT (native)"
}

# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------
start_services() {  # services...
  local svc launched=() need_launch=()
  for svc in "$@"; do
    if running_pid "$svc" > /dev/null; then check_settings_unchanged "$svc"
    else need_launch+=("$svc"); fi
  done
  if [ "${#need_launch[@]}" -gt 0 ]; then
    # Check every port before launching anything, so that a conflict leaves nothing half-started.
    for svc in "${need_launch[@]}"; do require_free_ports "$svc"; done
    ensure_packages
    for svc in "${need_launch[@]}"; do rm -f "$(pid_file "$svc")"; "${svc}_launch"; launched+=("$svc"); done
    save_settings
    # Wait for them in turn (they start in parallel).
    for svc in "${launched[@]}"; do "${svc}_ready"; done
  fi
  for svc in "$@"; do
    [[ " ${launched[*]} " == *" $svc "* ]] && continue
    wait_ready "$svc" "${svc}_ping"   # returns at once when it answers
    log "$svc: already running (pid $(running_pid "$svc"))"
  done
}

stop_services() {  # services...
  local svc pids=() names=() pid
  for svc in "$@"; do
    if pid="$(signal_service "$svc" TERM)"; then
      kill -CONT "$pid" 2>/dev/null || true   # a frozen (SIGSTOPped) server must see the TERM
      log "$svc: stopping pid $pid"; pids+=("$pid"); names+=("$svc")
    else
      log "$svc: not running"
    fi
  done
  local i
  for i in "${!pids[@]}"; do wait_gone "${names[$i]}" "${pids[$i]}"; log "${names[$i]}: stopped"; done
}

cmd_status() {
  local svc pid state rc=0 where
  for svc in "${ALL_SERVICES[@]}"; do
    case "$svc" in
      mariadb)    where="$HOST:$QUICKUP_MARIADB_PORT socket $(mariadb_socket)" ;;
      redis)      where="$HOST:$QUICKUP_REDIS_PORT" ;;
      clickhouse) where="$HOST:$QUICKUP_CLICKHOUSE_HTTP_PORT (http) $HOST:$QUICKUP_CLICKHOUSE_TCP_PORT (native)" ;;
    esac
    if pid="$(running_pid "$svc")"; then
      if "${svc}_ping"; then state="running"; else state="NOT ANSWERING"; rc=1; fi
      printf '%-11s %-14s pid %-8s %s\n' "$svc" "$state" "$pid" "$where"
    else
      printf '%-11s %-14s %-12s %s\n' "$svc" "stopped" "" "$where"; rc=1
    fi
  done
  printf 'directory   %s\n' "$SERVICES_DIR"
  return "$rc"
}

cmd_env() {
  local m c
  m="$(svc_dir mariadb)"; c="$(svc_dir clickhouse)"
  emit() { printf 'export %s=%s\n' "$1" "$(shquote "$2")"; }
  emit QUICKUP_SERVICES_DIR               "$SERVICES_DIR"
  emit QUICKUP_TEST_SERVICES_SCRIPT       "$SCRIPT_PATH"
  emit QUICKUP_TEST_MARIADB_HOST          "$HOST"
  emit QUICKUP_TEST_MARIADB_PORT          "$QUICKUP_MARIADB_PORT"
  emit QUICKUP_TEST_MARIADB_USER          "$QUICKUP_MARIADB_USER"
  emit QUICKUP_TEST_MARIADB_PASSWORD      "$QUICKUP_MARIADB_PASSWORD"
  emit QUICKUP_TEST_MARIADB_DATABASE      "$QUICKUP_MARIADB_DATABASE"
  emit QUICKUP_TEST_MARIADB_SOCKET        "$(mariadb_socket)"
  emit QUICKUP_TEST_MARIADB_DEFAULTS      "$m/client.cnf"
  emit QUICKUP_TEST_REDIS_HOST            "$HOST"
  emit QUICKUP_TEST_REDIS_PORT            "$QUICKUP_REDIS_PORT"
  emit QUICKUP_TEST_REDIS_PASSWORD        "$QUICKUP_REDIS_PASSWORD"
  emit QUICKUP_TEST_CLICKHOUSE_HOST       "$HOST"
  emit QUICKUP_TEST_CLICKHOUSE_HTTP_PORT  "$QUICKUP_CLICKHOUSE_HTTP_PORT"
  emit QUICKUP_TEST_CLICKHOUSE_TCP_PORT   "$QUICKUP_CLICKHOUSE_TCP_PORT"
  emit QUICKUP_TEST_CLICKHOUSE_USER       "$QUICKUP_CLICKHOUSE_USER"
  emit QUICKUP_TEST_CLICKHOUSE_PASSWORD   "$QUICKUP_CLICKHOUSE_PASSWORD"
  emit QUICKUP_TEST_CLICKHOUSE_DATABASE   "$QUICKUP_CLICKHOUSE_DATABASE"
  emit QUICKUP_TEST_CLICKHOUSE_CLIENT_CONFIG "$c/client.xml"
  emit QUICKUP_TEST_CLICKHOUSE_HTTP_HEADERS  "$c/http-headers"
}

cmd_kill_mariadb() {
  local sig="${1:-KILL}" pid
  sig="${sig#SIG}"
  kill -l "$sig" > /dev/null 2>&1 || die "kill-mariadb: unknown signal '$1'"
  if pid="$(signal_service mariadb "$sig")"; then
    log "mariadb: sent SIG$sig to pid $pid"
    case "$sig" in
      KILL|TERM|INT|QUIT|ABRT|SEGV|9|15)  # fatal: wait until it is gone
        local deadline=$(( $(now) + STOP_TIMEOUT ))
        while is_alive "$pid" && [ "$(now)" -lt "$deadline" ]; do sleep 0.1; done
        is_alive "$pid" || rm -f "$(pid_file mariadb)" ;;
    esac
  else
    log "mariadb: not running"
  fi
}

usage() {  # exit-code
  sed -n '2,13p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//' >&2
  exit "$1"
}

main() {
  local cmd="${1:-}"; [ $# -gt 0 ] && shift
  case "$cmd" in
    start|stop|status|env|restart-mariadb|kill-mariadb) ;;
    -h|--help|help) usage 0 ;;
    '') usage 2 ;;
    *) log "unknown command '$cmd'"; usage 2 ;;
  esac
  load_settings
  case "$cmd" in
    start)           with_lock; start_services "${ALL_SERVICES[@]}" ;;
    stop)            with_lock; stop_services "${ALL_SERVICES[@]}" ;;
    restart-mariadb) with_lock; stop_services mariadb; start_services mariadb ;;
    kill-mariadb)    with_lock; cmd_kill_mariadb "$@" ;;
    status)          cmd_status ;;
    env)             cmd_env ;;
  esac
}

main "$@"
