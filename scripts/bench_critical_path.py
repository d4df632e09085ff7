#!/usr/bin/env python3
"""Issue 20.3: quickup's own time on the run's critical path, per task. Runs `quickup run` of
bench_peers' 1,000 migrations under `perf record` of two tracepoints only (the component thread's
`recvfrom` returning and `sendto` starting) and reports, per run, the median gap between the last
result read and the next packet sent (quickup's own work between two round trips), the median
from that packet to its last result (the server's side, waits included), and their sum. Builds
alternate, each on a fresh database after the server settled; compare builds within one call,
as the machine's speed moves from minute to minute. Needs perf and root (or perf_event_paranoid).

    eval "$(bash scripts/services.sh env)"      # or the tmpfs server's
    python3 scripts/bench_critical_path.py OLD/quickup NEW/quickup [--rounds 3]

Each round also runs the `mariadb` client sending exactly quickup's packets (bench_task_cost's
packet1: the upgrade_log upsert and the task's statements, one packet per task): the floor.
"""
import argparse, pathlib, shutil, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_peers as peers
import bench_task_cost

EVENTS = "syscalls:sys_exit_recvfrom,syscalls:sys_enter_sendto"

def gaps(data):
    """Per task: (own work, server side) in microseconds, from the thread that sent the most packets."""
    lines = subprocess.run(["perf", "script", "-i", data, "-F", "tid,time,event"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    events = [(int(f[0]), float(f[1].rstrip(":")), f[2]) for f in (l.split() for l in lines) if len(f) >= 3]
    sends = {}
    for tid, _, event in events:
        if "sendto" in event: sends[tid] = sends.get(tid, 0) + 1
    thread = max(sends, key=sends.get)
    own, server = [], []
    last_send = last_result = None
    for tid, at, event in events:
        if tid != thread: continue
        if "recvfrom" in event:
            last_result = at
        else:
            if last_send is not None and last_result is not None:
                own.append((at - last_result) * 1e6)
                server.append((last_result - last_send) * 1e6)
            last_send, last_result = at, None
    # The first tasks include connecting and the first reads: left out, as the last few.
    return own[50:-5], server[50:-5]

def traced(command, data, **kw):
    subprocess.run(["perf", "record", "-q", "-o", data, "-e", EVENTS] + command, check=True, stdout=subprocess.DEVNULL, **kw)

def client(script, work):
    db = "qu_critical"
    peers.fresh(db); peers.settle(); time.sleep(peers.PAUSE)
    data = str(work / "perf.data")
    with open(script) as stdin:
        traced(["mariadb", f"--defaults-extra-file={peers.defaults}", db], data, stdin=stdin)
    peers.mariadb(f"DROP DATABASE {db}")
    return gaps(data)

def one(binary, release, work):
    db = "qu_critical"
    peers.fresh(db); peers.settle(); time.sleep(peers.PAUSE)
    env = work / "env.yaml"
    env.write_text(f"site: BENCH\ndatasources:\n  db: {{type: mariadb, host: {peers.host}, port: {peers.port}, user: {peers.user}, "
                   f"password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: {db}}}\n")
    state = work / "state"
    shutil.rmtree(state, ignore_errors=True)
    data = str(work / "perf.data")
    traced([binary, "run", "--release", release, "--env", str(env), "--from", "V1.0.0", "--to", "V1.0.1", "--state", str(state),
            "--quiet"], data)
    peers.mariadb(f"DROP DATABASE {db}")
    return gaps(data)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("quickup", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    peers.generate()
    release = str(peers.work / "quickup")
    work = pathlib.Path(tempfile.mkdtemp(prefix="qu-critical-"))
    try:
        packet1 = bench_task_cost.scripts(str(work))["packet1"]
        for r in range(a.rounds):
            for binary in ["client (packet1)"] + a.quickup:
                own, server = client(packet1, work) if binary.startswith("client") else one(binary, release, work)
                print(f"round {r + 1} {binary}: own work {statistics.median(own):6.1f} us, server side {statistics.median(server):7.1f} us, "
                      f"per task {statistics.median(own) + statistics.median(server):7.1f} us (medians of {len(own)} tasks)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
