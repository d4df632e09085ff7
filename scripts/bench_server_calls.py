#!/usr/bin/env python3
"""Issue 20.3: what the MariaDB server does for each tool — its system calls counted with
`strace -c -f` attached to mariadbd while bench_peers' 1,000 migrations are fed to it by one
`mariadb` session (bare, and with quickup's upgrade_log row per task spelled out, as in
bench_task_cost.py) and by `quickup run`. Equal counts of fdatasync/pwrite64/fallocate/openat say
the server does the same work for quickup as for the client sending the same row: whatever else
quickup costs is on its own side of the socket. Each variant on a fresh database after the
server settled (dirty pages flushed). Needs strace and the right to attach to mariadbd.

    eval "$(bash scripts/services.sh env)"          # the disk server (or the tmpfs one)
    python3 scripts/bench_server_calls.py QUICKUP_BINARY [--rounds 2]
"""
import argparse, os, pathlib, re, shutil, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_peers as peers
import bench_task_cost as cost

CALLS = ("fdatasync", "fsync", "pwrite64", "fallocate", "openat", "sendto", "recvfrom")

def counted(pid, run):
    """Runs `run()` with strace counting mariadbd's calls; returns (wall, {call: count})."""
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
        tracer = subprocess.Popen(["strace", "-c", "-f", "-p", str(pid), "-o", out.name], stderr=subprocess.DEVNULL)
        time.sleep(1)  # attached to every thread before the work starts
        wall = run()
        tracer.send_signal(2)
        tracer.wait()
        counts = {}
        for line in out:
            fields = line.split()
            if len(fields) >= 5 and fields[-1] in CALLS and re.fullmatch(r"\d+", fields[3]):
                counts[fields[-1]] = int(fields[3])
        return wall, counts

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("quickup", help="the quickup build to run")
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    pid = int(open(pathlib.Path(peers.defaults).parent / "run" / "mariadbd.pid").read())
    root = tempfile.mkdtemp(prefix="qu-server-calls-")
    try:
        peers.generate()
        scripts = cost.scripts(root)
        envfile = peers.work / "env-calls.yaml"
        envfile.write_text(f"site: BENCH\ndatasources:\n  db: {{type: mariadb, host: {peers.host}, port: {peers.port}, user: {peers.user}, "
                           f"password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: qu_calls}}\n")
        state = peers.work / "state-calls"
        def client(name):
            return lambda: peers.timed(["mariadb", f"--defaults-extra-file={peers.defaults}", "qu_calls"], stdin=open(scripts[name]))
        def quickup():
            shutil.rmtree(state, ignore_errors=True)
            return peers.timed([a.quickup, "run", "--release", str(peers.work / "quickup"), "--env", str(envfile),
                                "--from", "V1.0.0", "--to", "V1.0.1", "--state", str(state), "--quiet"])
        variants = {"client, bare": client("bare"), "client + quickup's row (upsert)": client("upsert"), "quickup run": quickup}
        results = {name: [] for name in variants}
        for r in range(a.rounds):
            names = list(variants)
            for name in names[r % len(names):] + names[:r % len(names)]:
                peers.fresh("qu_calls"); peers.settle(); time.sleep(peers.PAUSE)
                results[name].append(counted(pid, variants[name]))
        peers.mariadb("DROP DATABASE IF EXISTS qu_calls")
        print(f"{peers.N} migrations; mariadbd's system calls while each ran (strace -c -f), median of {a.rounds}:")
        print(f"  {'variant':34} {'wall':>7} " + " ".join(f"{c:>10}" for c in CALLS))
        for name, runs in results.items():
            wall = statistics.median(w for w, _ in runs)
            print(f"  {name:34} {wall:6.2f}s " + " ".join(f"{statistics.median(c.get(call, 0) for _, c in runs):>10.0f}" for call in CALLS))
        print("  (wall times are under strace: compare counts, not times)")
    finally:
        shutil.rmtree(root, ignore_errors=True)

if __name__ == "__main__":
    main()
