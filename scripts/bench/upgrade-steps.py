#!/usr/bin/env python3
"""Benchmark of `quickup upgrade` (issue 15, docs/PERFORMANCE.md): quickup's own overhead per
step, and the observed stop-the-world outage against its irreducible parts.

Builds a site like the tests' UpgradeSite (one component on two `local` hosts, real
`quickup demo-service` processes, SQLite), runs `quickup upgrade --yes --mode stop-the-world`
ROUNDS times (each on a fresh site) and reads the journal's upgrade_step rows:

- overhead of a step that does no work of its own (backup, gate with --yes, a stage without
  tasks): its whole duration, from RUNNING to SUCCESS in the journal;
- overhead of stop/start: the step's duration minus the time the host measured for the service
  (SIGTERM → process gone; start command → ready);
- outage: from the service's last stop to its first readiness (what the summary prints), against
  stop + in_stop tasks + start of one host.

Usage: scripts/bench/upgrade-steps.py [QUICKUP_BINARY] [ROUNDS] [START_DELAY_SECONDS | java]

START_DELAY_SECONDS (default 0) makes the service's start command sleep that long before the
service runs: a service that takes that long to become ready, as a real one does, so the outage
ratio can be read for a service whose own stop/start time is not a few milliseconds. `java`
runs a real JVM service instead (scripts/bench/BenchService.java, compiled with the machine's
javac, started as the upgrade tests start theirs): the test site's own kind of service.
"""
import json, os, shutil, socket, sqlite3, subprocess, sys, tempfile, time

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/quickup")
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
java = len(sys.argv) > 3 and sys.argv[3] == "java"
start_delay = float(sys.argv[3]) if len(sys.argv) > 3 and not java else 0.0
classes = None
if java:
    classes = tempfile.mkdtemp(prefix="quickup-bench-java-")
    subprocess.run(["javac", "-d", classes, os.path.join(os.path.dirname(os.path.abspath(__file__)), "BenchService.java")], check=True)
    service = f"java -Xmx64m -XX:TieredStopAtLevel=1 -Xshare:auto -cp {classes} BenchService"
else:
    service = f"{binary} demo-service"


def free_pair():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def site(root):
    port = free_pair()
    rel = f"{root}/release"
    write(f"{rel}/release.yaml", "name: bench\ncomponents: [app]\n")
    write(f"{rel}/app/component.yaml", "plugin_class: core\ndatasources:\n  - {name: db, type: sqlite}\npackage: package\nkeep: [conf/site.yml]\n")
    write(f"{rel}/app/upgrade/V1.1.0/upgrade_tasks_V1.1.0.properties",
          "sql.schema.id=B-1\nsql.schema.description=schema\nsql.schema.file=sql/schema.sql\nsql.schema.stage=in_stop\nsql.schema.compatible_version=V1.0.0\n")
    write(f"{rel}/app/upgrade/V1.1.0/sql/schema.sql", "CREATE TABLE t2 (id INTEGER);\n")
    for v in ["V1.0.0", "V1.1.0"]:
        write(f"{rel}/app/package/{v}/VERSION", v + "\n")
    write(f"{root}/app.db", "")
    write(f"{root}/env.yaml", f"""site: BENCH-{port}
thresholds: {{cpu_idle_min: 0}}
datasources:
  db: {{type: sqlite, path: {root}/app.db}}
hosts:
  - {{name: a, kind: local, state_dir: {root}/a/quickup, components: [app]}}
  - {{name: b, kind: local, port_offset: 1, state_dir: {root}/b/quickup, components: [app]}}
services:
  app:
    start: {f"sleep {start_delay}; " if start_delay else ""}exec {service} --port {{port}} --dir {{install_dir}}/current
    process_match: {service.split()[-1]} --port {{port}} --dir
    port: {port}
    health_url: http://127.0.0.1:{{port}}/health
    install_dir: {root}/{{host}}/app
    stop_grace: 5s
""")
    for host, offset in [("a", 0), ("b", 1)]:
        d = f"{root}/{host}/app"
        os.makedirs(f"{d}/releases")
        shutil.copytree(f"{rel}/app/package/V1.0.0", f"{d}/releases/V1.0.0")
        os.symlink("releases/V1.0.0", f"{d}/current")
        subprocess.Popen(["setsid"] + service.split() + ["--port", str(port + offset), "--dir", f"{d}/current"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for offset in [0, 1]:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port + offset), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
    return port


idle, stopstart, outages = [], [], []
for _ in range(rounds):
    root = tempfile.mkdtemp(prefix="quickup-bench-upgrade-")
    port = site(root)
    try:
        r = subprocess.run([binary, "upgrade", "--release", f"{root}/release", "--env", f"{root}/env.yaml", "--state", f"{root}/state",
                            "--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(r.stdout + r.stderr)
        rows = sqlite3.connect(f"{root}/state/journal.sqlite").execute(
            "SELECT step_key, started_at, ended_at, detail FROM upgrade_step WHERE status = 'SUCCESS' ORDER BY seq").fetchall()
        steps = {k: (e - s, json.loads(d or "{}")) for k, s, e, d in rows}
        for key in ["backup", "gate", "tasks.pre_stop", "tasks.post_start", "tasks.post_upgrade"]:
            idle.append(steps[key][0])
        for host in ["a", "b"]:
            ms, d = steps[f"stop.{host}.app"]
            stopstart.append(ms - int(d.get("stopMs", 0)))
            ms, d = steps[f"start.{host}.app"]
            stopstart.append(ms - int(d.get("readyAfterMs", 0)))
        outage = min(int(steps[f"start.{h}.app"][1]["readyAt"]) for h in "ab") - max(int(steps[f"stop.{h}.app"][1]["stopBegan"]) for h in "ab")
        parts = int(steps["stop.b.app"][1].get("stopMs", 0)) + steps["tasks.in_stop"][0] + int(steps["start.a.app"][1]["readyAfterMs"])
        outages.append((outage, parts))
    finally:
        for p in [port, port + 1]:
            subprocess.run(["pkill", "-f", f"{service.split()[-1]} --port {p} --dir"])
        shutil.rmtree(root, ignore_errors=True)


def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


if classes:
    shutil.rmtree(classes, ignore_errors=True)
print(f"rounds: {rounds}" + (f", start delay {start_delay} s" if start_delay else "") + (", Java service" if java else ""))
print(f"step without work of its own (backup, gate, empty stages): median {med(idle)} ms, max {max(idle)} ms (n={len(idle)})")
print(f"stop/start step minus the service's own time: median {med(stopstart)} ms, max {max(stopstart)} ms (n={len(stopstart)})")
ratios = [o / p for o, p in outages if p > 0]
print("outage vs stop + in_stop + start: " + ", ".join(f"{o} ms / {p} ms = {o / p:.2f}x" for o, p in outages)
      + f"; median {med(ratios):.2f}x")
