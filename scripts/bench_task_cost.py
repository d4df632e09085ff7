#!/usr/bin/env python3
"""Issue 20.3: what one task costs on the MariaDB server, statement by statement. 1,000
migrations (CREATE TABLE + INSERT) fed to one `mariadb` client session, bare and with quickup's
per-task bookkeeping spelled out, and `quickup run` itself; rounds rotated, each on a fresh
database. Reported: wall time and the server's CPU (utime + stime of mariadbd from /proc), which
on a server whose data directory is on tmpfs is what a row really costs, without the disk's noise.

    QUICKUP_SERVICES_DIR=/dev/shm/qs QUICKUP_MARIADB_PORT=23306 QUICKUP_REDIS_PORT=26379 \\
      QUICKUP_CLICKHOUSE_HTTP_PORT=28123 QUICKUP_CLICKHOUSE_TCP_PORT=29000 bash scripts/services.sh start
    eval "$(QUICKUP_SERVICES_DIR=/dev/shm/qs bash scripts/services.sh env)"
    python3 scripts/bench_task_cost.py [--quickup .build/release/quickup ...] [--rounds 6]

Variants: bare (the statements alone); noop (`DO 0` per task: one more round trip); upsert
(quickup's row write: previous SUCCESS + this RUNNING, INSERT … ON DUPLICATE KEY UPDATE); insert
(one RUNNING row, nothing else); update2 (two rows updated by id in one statement); packet1
(the upsert and the task's statements in one multi-statement packet, as `quickup run` sends
them); packet10 (ten tasks with their upserts in one packet: the design docs/PERFORMANCE.md
names as what would close issue 20.3; the server stops at a packet's first failing statement).
"""
import argparse, os, pathlib, shutil, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_peers as peers

N = 1000
COLS = "task_id, component, version_from, version_to, task_version, stage, task_name, kind, checksum, status, attempt, start_time, end_time, duration_ms, error, run_id, site"
UPDATES = ", ".join(f"{c} = VALUES({c})" for c in COLS.split(", ") if c not in ("task_id", "run_id", "attempt"))
DDL = ("CREATE TABLE upgrade_log (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, task_id VARCHAR(255) NOT NULL, component VARCHAR(128) NOT NULL, "
       "version_from VARCHAR(64) NOT NULL, version_to VARCHAR(64) NOT NULL, task_version VARCHAR(64) NOT NULL, stage VARCHAR(32) NOT NULL, "
       "task_name VARCHAR(255) NOT NULL, kind VARCHAR(32) NOT NULL, checksum VARCHAR(128) NULL, status VARCHAR(16) NOT NULL, attempt INT NOT NULL, "
       "start_time BIGINT NOT NULL, end_time BIGINT NULL, duration_ms BIGINT NULL, error TEXT NULL, run_id VARCHAR(64) NOT NULL, site VARCHAR(128) NULL, "
       "PRIMARY KEY (id), UNIQUE KEY upgrade_log_attempt (task_id, run_id, attempt), KEY upgrade_log_task_start (task_id, start_time)) "
       "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n")  # as MariaDBUpgradeLog creates it

def row(n, status, ended):
    t = 1764700000000 + n * 3
    end = f"{t + 2}, 2" if ended else "NULL, NULL"
    return f"('app:V1.0.1:m{n}', 'app', 'V1.0.0', 'V1.0.1', 'V1.0.1', 'pre_stop', 'migration {n}', 'sql', 'sha256:{n:064d}', '{status}', 1, {t}, {end}, NULL, 'run-1', 'BENCH')"

def scripts(root):
    task = lambda n: f"CREATE TABLE bench_{n} (id INT PRIMARY KEY, name VARCHAR(32));\nINSERT INTO bench_{n} VALUES (1, 'x');\n"
    per = {
        "bare": lambda n: "",
        "noop": lambda n: "DO 0;\n",
        "upsert": lambda n: f"INSERT INTO upgrade_log ({COLS}) VALUES {', '.join(([row(n - 1, 'SUCCESS', True)] if n else []) + [row(n, 'RUNNING', False)])} ON DUPLICATE KEY UPDATE {UPDATES};\n",
        "insert": lambda n: f"INSERT INTO upgrade_log ({COLS}) VALUES {row(n, 'RUNNING', False)};\n",
        "update2": lambda n: f"UPDATE upgrade_log SET status = IF(id = {n + 1}, 'RUNNING', 'SUCCESS'), end_time = IF(id = {n + 1}, NULL, 1) WHERE id IN ({n}, {n + 1});\n",
    }
    paths = {}
    for size in (1, 10):
        # A custom delimiter makes the client send everything up to it as one multi-statement packet.
        path = os.path.join(root, f"packet{size}.sql")
        with open(path, "w") as f:
            f.write(DDL + "DELIMITER //\n")
            for first in range(0, N, size):
                body = "".join(per["upsert"](n) + task(n) for n in range(first, min(N, first + size)))
                f.write(body.rstrip().rstrip(";") + "//\n")
        paths[f"packet{size}"] = path
    for name, extra in per.items():
        path = os.path.join(root, f"{name}.sql")
        with open(path, "w") as f:
            if name != "bare" and name != "noop": f.write(DDL)
            if name == "update2": f.write(f"INSERT INTO upgrade_log ({COLS}) VALUES {', '.join(row(n, 'QUEUED', False) for n in range(N))};\n")
            for n in range(N): f.write(extra(n) + task(n))
        paths[name] = path
    return paths

def server_cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quickup", action="append", default=[], help="a quickup build to time as well (repeatable)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--variants", help="only these client variants, comma-separated (e.g. bare,packet1)")
    a = ap.parse_args()
    pid = int(open(pathlib.Path(peers.defaults).parent / "run" / "mariadbd.pid").read())
    root = tempfile.mkdtemp(prefix="qu-task-cost-")
    try:
        measure(a, pid, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)

def client(path):
    def run(db, i):
        with open(path) as script:
            return peers.timed(["mariadb", f"--defaults-extra-file={peers.defaults}", db], stdin=script)
    return run

def measure(a, pid, root):
    peers.generate()  # the quickup release of bench_peers (1,000 tasks)
    keep = a.variants.split(",") if a.variants else None
    tools = {name: client(path) for name, path in scripts(root).items() if keep is None or name in keep}
    for k, binary in enumerate(a.quickup):
        tools[f"quickup#{k + 1}"] = lambda db, i, b=binary: peers.run_quickup(db, i, binary=b)
    names = list(tools)
    wall = {n: [] for n in names}; cpu = {n: [] for n in names}
    for r in range(a.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            db = f"qu_cost_{r}"
            peers.fresh(db); peers.settle(); time.sleep(peers.PAUSE)
            c0 = server_cpu(pid)
            wall[name].append(tools[name](db, r))
            cpu[name].append(server_cpu(pid) - c0)
            peers.mariadb(f"DROP DATABASE {db}")
    print(f"{N} migrations, median of {a.rounds} rotated rounds:")
    base = "bare" if "bare" in names else names[0]
    for name in names:
        ratios = sorted(w / b for w, b in zip(wall[name], wall[base]))
        print(f"  {name:10s} wall {statistics.median(wall[name]):5.2f} s  server CPU {statistics.median(cpu[name]):5.2f} s "
              f"(+{(statistics.median(cpu[name]) - statistics.median(cpu[base])) * 1000 / N:4.2f} ms/task over {base}); "
              f"/ {base} per round: median {statistics.median(ratios):.3f} ({' '.join(f'{r:.2f}' for r in ratios)})")
    for k, binary in enumerate(a.quickup): print(f"  quickup#{k + 1} = {binary}")

if __name__ == "__main__":
    main()
