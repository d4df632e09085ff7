#!/usr/bin/env python3
"""Issue 20.3: `quickup run` of bench_peers' 1,000 migrations, builds alternated, each run on a
fresh database after the server settled; reports each build's wall times and its own CPU
(user + sys) and voluntary context switches — what a build costs on the client side.

    eval "$(QUICKUP_SERVICES_DIR=/dev/shm/qs bash scripts/services.sh env)"   # or the disk server's
    python3 scripts/bench_quickup_runs.py OLD/quickup NEW/quickup [--rounds 6] [--tasks 1]
"""
import argparse, pathlib, resource, shutil, statistics, subprocess, sys, time
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_peers as peers

def one(binary, db, release):
    envfile = peers.work / "env.yaml"
    envfile.write_text(f"site: BENCH\ndatasources:\n  db: {{type: mariadb, host: {peers.host}, port: {peers.port}, user: {peers.user}, password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: {db}}}\n")
    state = peers.work / "state-runs"
    shutil.rmtree(state, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, "run", "--release", release, "--env", str(envfile), "--from", "V1.0.0", "--to", "V1.0.1",
                    "--state", str(state), "--quiet"], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, after.ru_nvcsw - before.ru_nvcsw

def fewer(n):
    """bench_peers' release with its first n migrations only."""
    source = peers.work / "quickup" / "app"
    target = peers.work / f"quickup-{n}" / "app"
    shutil.rmtree(target.parent, ignore_errors=True)
    version = target / "upgrade" / "V1.0.1"
    (version / "sql").mkdir(parents=True)
    shutil.copy(source / "component.yaml", target / "component.yaml")
    for k in range(n): shutil.copy(source / "upgrade" / "V1.0.1" / "sql" / f"{k}.sql", version / "sql" / f"{k}.sql")
    lines = (source / "upgrade" / "V1.0.1" / "upgrade_tasks_V1.0.1.properties").read_text().splitlines(keepends=True)
    (version / "upgrade_tasks_V1.0.1.properties").write_text("".join(l for l in lines if int(l.split(".")[1][1:]) < n))
    return str(target.parent)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("quickup", nargs="+", help="quickup builds to compare")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--tasks", type=int, default=peers.N, help="only the first N migrations (1: a run's fixed cost)")
    a = ap.parse_args()
    peers.generate()
    release = str(peers.work / "quickup")
    if a.tasks < peers.N: release = fewer(a.tasks)
    results = {b: [] for b in a.quickup}
    for r in range(a.rounds):
        for binary in a.quickup[r % len(a.quickup):] + a.quickup[:r % len(a.quickup)]:
            db = "qu_runs"
            peers.fresh(db); peers.settle(); time.sleep(peers.PAUSE)
            results[binary].append(one(binary, db, release))
            peers.mariadb(f"DROP DATABASE {db}")
    for binary, runs in results.items():
        walls = sorted(w for w, _, _ in runs)
        print(f"{binary}: wall {' '.join(f'{w:.3f}' for w in walls)} (median {statistics.median(walls):.3f} s) | "
              f"CPU median {statistics.median(c for _, c, _ in runs):.3f} s | voluntary switches median {statistics.median(v for _, _, v in runs):.0f}")

if __name__ == "__main__":
    main()
