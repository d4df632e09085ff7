#!/usr/bin/env bash
# Backup benchmark (F3, issue 16; docs/PERFORMANCE.md): a ROWS-row MariaDB table (5,000,000 by
# default) backed up and restored by quickup (quickup-bench backup) and by the plain Debian
# client commands it is compared with, plus the in-server copy (CREATE TABLE … LIKE + INSERT …
# SELECT). Needs the test servers (eval "$(bash scripts/services.sh env)") and a release build:
#   swift build -c release --product quickup-bench && bash scripts/bench-backup.sh
set -euo pipefail
ROWS=${ROWS:-5000000}
DB=${DB:-hbk_bench}
BIN=${BIN:-.build/release/quickup-bench}
DIR=$(mktemp -d)
CNF="$DIR/client.cnf"
umask 077
printf '[client]\nuser=%s\npassword="%s"\nhost=%s\nport=%s\nprotocol=TCP\n' \
  "$QUICKUP_TEST_MARIADB_USER" "$QUICKUP_TEST_MARIADB_PASSWORD" "$QUICKUP_TEST_MARIADB_HOST" "$QUICKUP_TEST_MARIADB_PORT" > "$CNF"
sql() { mariadb --defaults-extra-file="$CNF" "$@"; }
t() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'; }
trap 'sql -e "DROP DATABASE IF EXISTS $DB; DROP DATABASE IF EXISTS ${DB}_copy" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
sql -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB; CREATE DATABASE IF NOT EXISTS ${DB}_copy"
sql "$DB" -e "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(12,2), note VARCHAR(100)) ENGINE=InnoDB;
  INSERT INTO t SELECT seq, CONCAT('name-', seq), seq % 100000 / 7, REPEAT(CHAR(65 + seq % 26), 20 + seq % 40) FROM seq_1_to_$ROWS;"
echo "rows: $ROWS"
echo "plain mariadb-dump --single-transaction: $(t sh -c "mariadb-dump --defaults-extra-file=$CNF --single-transaction --quick $DB t > $DIR/plain.sql") s"
echo "plain mariadb < dump: $(t sh -c "mariadb --defaults-extra-file=$CNF $DB < $DIR/plain.sql") s"
echo "in-server copy (CREATE TABLE LIKE + INSERT SELECT): $(t sql -e "DROP TABLE IF EXISTS ${DB}_copy.t; CREATE TABLE ${DB}_copy.t LIKE $DB.t; INSERT INTO ${DB}_copy.t SELECT * FROM $DB.t") s"
echo "in-server restore (DROP + CREATE LIKE + INSERT SELECT): $(t sql -e "DROP TABLE $DB.t; CREATE TABLE $DB.t LIKE ${DB}_copy.t; INSERT INTO $DB.t SELECT * FROM ${DB}_copy.t") s"
echo "CHECKSUM TABLE alone: $(t sh -c "mariadb --defaults-extra-file=$CNF $DB -e 'CHECKSUM TABLE t' > /dev/null") s"
echo "quickup:"
"$BIN" backup --database "$DB" --table t --dir "$DIR/quickup"
