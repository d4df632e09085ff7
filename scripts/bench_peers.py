#!/usr/bin/env python3
"""Issue 5 item 9: 1,000 trivial migrations (CREATE TABLE + INSERT) on the local MariaDB of
scripts/services.sh, run by quickup, dbmate, yoyo-migrations and the raw `mariadb` client (one
session, same statements), each on a fresh database, median of N runs, in the same session.

Usage: scripts/bench.sh peers   (installs the peers into .build-bench/venv, builds quickup)
Secrets go through option files and environment variables, never through arguments.
BENCH_BASELINE=/path/to/an/older/quickup adds that build as one more tool, for an A/B in the same
run; BENCH_SKIP=yoyo leaves out tools by name (comma-separated) when only a ratio is wanted.
Besides medians it prints the median of per-round ratios: each round runs every tool once, back
to back, so those ratios are less disturbed by load that comes and goes on a shared machine.
"""
import os, statistics, subprocess, sys, time, tempfile, pathlib

N = int(os.environ.get("BENCH_MIGRATIONS", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PAUSE = float(os.environ.get("BENCH_PAUSE", "1"))
root = pathlib.Path(__file__).resolve().parent.parent
work = root / ".build-bench" / "peers"
venv = root / ".build-bench" / "venv" / "bin"
quickup = root / ".build" / "release" / "quickup"
env = os.environ
host, port = env["QUICKUP_TEST_MARIADB_HOST"], env["QUICKUP_TEST_MARIADB_PORT"]
user, password = env["QUICKUP_TEST_MARIADB_USER"], env["QUICKUP_TEST_MARIADB_PASSWORD"]
defaults = env["QUICKUP_TEST_MARIADB_DEFAULTS"]

def sql(n):
    return f"CREATE TABLE bench_{n} (id INT PRIMARY KEY, name VARCHAR(32));\nINSERT INTO bench_{n} VALUES (1, 'x');\n"

def mariadb(statement, db=""):
    subprocess.run(["mariadb", f"--defaults-extra-file={defaults}", "-e", statement] + ([db] if db else []), check=True)

def generate():
    import shutil
    shutil.rmtree(work, ignore_errors=True)
    (work / "dbmate").mkdir(parents=True)
    (work / "yoyo").mkdir()
    version = work / "quickup" / "app" / "upgrade" / "V1.0.1"
    (version / "sql").mkdir(parents=True)
    props = []
    with open(work / "all.sql", "w") as whole:
        for n in range(N):
            (work / "dbmate" / f"{20260101000000 + n}_m{n}.sql").write_text(f"-- migrate:up\n{sql(n)}\n-- migrate:down\n")
            (work / "yoyo" / f"{n:05d}_m{n}.sql").write_text(sql(n))
            (version / "sql" / f"{n}.sql").write_text(sql(n))
            whole.write(sql(n))
            props.append(f"sql.m{n}.id=m{n}\nsql.m{n}.description=migration {n}\nsql.m{n}.file=sql/{n}.sql\nsql.m{n}.stage=pre_stop\n")
    (version / "upgrade_tasks_V1.0.1.properties").write_text("".join(props))
    (work / "quickup" / "app" / "component.yaml").write_text("datasources:\n  - name: db\n    type: mariadb\n")

def fresh(db):
    mariadb(f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}")

admin = pathlib.Path(defaults).parent / "admin.cnf"

def settle():
    """Every tool starts from the same server state. 1,000 CREATE TABLEs leave ~3,000 dirty pages
    in the test server's 64 MB buffer pool (~4,000 pages): whoever ran next had to flush them while
    it ran, which moved single rounds by ±40 %. With scripts/services.sh's admin file (root over
    the socket) the pages are flushed first; otherwise only the pause stands between the tools."""
    subprocess.run(["sync"], check=True)
    if not admin.exists():
        return
    def admin_sql(statement):
        return subprocess.run(["mariadb", f"--defaults-extra-file={admin}", "-N", "-e", statement],
                              check=True, capture_output=True, text=True).stdout.strip()
    pct = admin_sql("SELECT @@innodb_max_dirty_pages_pct")
    try:
        admin_sql("SET GLOBAL innodb_max_dirty_pages_pct = 0")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            dirty = int(admin_sql("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'").split()[-1])
            if dirty < 10:
                break
            time.sleep(0.1)
    finally:
        admin_sql(f"SET GLOBAL innodb_max_dirty_pages_pct = {pct}")
    subprocess.run(["sync"], check=True)

def timed(cmd, **kw):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start

def run_quickup(db, i, binary=quickup):
    envfile = work / "env.yaml"
    envfile.write_text(f"site: BENCH\ndatasources:\n  db: {{type: mariadb, host: {host}, port: {port}, user: {user}, password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: {db}}}\n")
    state = work / f"state-{i}"
    return timed([str(binary), "run", "--release", str(work / "quickup"), "--env", str(envfile), "--from", "V1.0.0",
                  "--to", "V1.0.1", "--state", str(state), "--quiet"])

def run_dbmate(db, i):
    e = dict(os.environ, DATABASE_URL=f"mysql://{user}:{password}@{host}:{port}/{db}")
    return timed([str(venv / "dbmate"), "--no-dump-schema", "--migrations-dir", str(work / "dbmate"), "migrate"], env=e)

def run_yoyo(db, i):
    ini = work / "yoyo.ini"
    ini.write_text(f"[DEFAULT]\ndatabase = mysql://{user}:{password}@{host}:{port}/{db}\nbatch_mode = on\nverbosity = 0\n")
    return timed([str(venv / "yoyo"), "apply", "--config", str(ini), str(work / "yoyo")], cwd=work)

def run_client(db, i):
    with open(work / "all.sql") as f:
        return timed(["mariadb", f"--defaults-extra-file={defaults}", db], stdin=f)

def main():
    generate()
    tools = [("quickup", run_quickup), ("dbmate", run_dbmate), ("yoyo", run_yoyo), ("mariadb client, one session", run_client)]
    if env.get("BENCH_BASELINE"):
        tools.insert(1, ("quickup baseline", lambda db, i: run_quickup(db, i, binary=env["BENCH_BASELINE"])))
    skip = set(filter(None, env.get("BENCH_SKIP", "").split(",")))
    tools = [(name, fn) for name, fn in tools if name.split(" ")[0] not in skip]
    results = {name: [] for name, _ in tools}
    for i in range(RUNS):
        # Interleaved so machine noise hits every tool alike, and rotated so that no tool always
        # follows the same one: dropping the previous tool's 1,000 tables leaves the server work
        # (file removal) that slows whoever comes next; the pause lets most of it finish.
        shift = i % len(tools)
        for name, fn in tools[shift:] + tools[:shift]:
            db = f"qu_peer_{i}"
            fresh(db)
            settle()
            time.sleep(PAUSE)
            results[name].append(fn(db, i))
            mariadb(f"DROP DATABASE {db}")
    q = statistics.median(results["quickup"])
    print(f"{N} migrations, median of {RUNS} (seconds; ratio = tool / quickup):")
    for name, times in results.items():
        m = statistics.median(times)
        print(f"  {name:30s} {m:7.2f} s   min {min(times):6.2f}  max {max(times):6.2f}   {m / q:5.2f}x")
    print("median of per-round ratios (quickup / tool):")
    for name, times in results.items():
        if name != "quickup":
            ratios = [a / b for a, b in zip(results["quickup"], times)]
            print(f"  quickup / {name:30s} {statistics.median(ratios):5.2f}x   (rounds: {' '.join(f'{r:.2f}' for r in ratios)})")

if __name__ == "__main__":
    main()
