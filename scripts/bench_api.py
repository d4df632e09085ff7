#!/usr/bin/env python3
"""Benchmark of `quickup serve` (H1, issue 17; docs/PERFORMANCE.md). Loopback only.

A 1,000-task run (one SQLite component, tasks in order) is started through the API, alternately
without load and while wrk keeps 100 connections polling `GET /v1/runs/{id}?view=summary`
(or the full status with --full). The pollers are closed-loop by default (each sends its next
request the moment the answer arrives: the saturating case); `--interval MS` paces each of the
100 connections to one request per MS milliseconds (wrk's `delay()` hook), as pipelines poll.
Reported: the run's duration both ways, wrk's latency
percentiles, and the SSE latency of every task_end event — from the `at` the executor stamped
on the record to the moment this client read it.

    python3 scripts/bench_api.py --quickup .build/release/quickup [--rounds 2] [--full | --healthz] [--interval MS] [--dir /dev/shm]

--healthz polls `GET /v1/healthz` (no token, no route work) the same way: the floor of the HTTP
server itself on this machine, with the same run going on, to compare the status answer with.
"""
import argparse, http.client, json, os, re, secrets, shutil, signal, subprocess, sys, tempfile, threading, time, zipfile

def release(root, tasks):
    comp = os.path.join(root, "release", "app")
    os.makedirs(os.path.join(comp, "upgrade", "V1.0.1", "sql"))
    open(os.path.join(root, "release", "release.yaml"), "w").write("name: bench-api\n")
    open(os.path.join(comp, "component.yaml"), "w").write("datasources:\n  - name: db\n    type: sqlite\n")
    props = []
    for n in range(tasks):
        uid = f"t{n:04d}"
        props.append(f"sql.{uid}.id={uid.upper()}\nsql.{uid}.description={uid}\nsql.{uid}.file=sql/{uid}.sql\n"
                     f"sql.{uid}.stage=pre_stop\nsql.{uid}.datasource=db\nsql.{uid}.order={n + 1}\n")
        sql = "CREATE TABLE t (x INT);" if n == 0 else f"INSERT INTO t VALUES ({n});"
        open(os.path.join(comp, "upgrade", "V1.0.1", "sql", f"{uid}.sql"), "w").write(sql)
    open(os.path.join(comp, "upgrade", "V1.0.1", "upgrade_tasks_V1.0.1.properties"), "w").write("".join(props))

class Server:
    def __init__(self, quickup, root, name):
        self.token = secrets.token_hex(16)
        tokens = os.path.join(root, f"tokens-{name}")
        line = subprocess.run([quickup, "serve", "--hash-token"], input=self.token + "\n", capture_output=True, text=True, check=True).stdout
        open(tokens, "w").write(line)
        self.log = open(os.path.join(root, f"serve-{name}.log"), "w+")
        self.proc = subprocess.Popen([quickup, "serve", "--listen", "127.0.0.1:0", "--state", os.path.join(root, f"state-{name}"),
                                      "--tokens", tokens], stderr=self.log, stdout=self.log)
        deadline = time.time() + 120
        while True:
            self.log.seek(0)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log.read())
            if m: self.port = int(m.group(1)); break
            if time.time() > deadline or self.proc.poll() is not None: sys.exit("quickup serve did not start")
            time.sleep(0.05)

    def call(self, method, path, body=None, headers=None, raw=False):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        h = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        if isinstance(body, (dict, list)): body = json.dumps(body); h["Content-Type"] = "application/json"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse(); data = r.read(); c.close()
        if r.status >= 300: sys.exit(f"{method} {path}: {r.status} {data[:500]}")
        return data if raw else json.loads(data)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM); self.proc.wait()

def follow(server, run_id, out):
    """Reads the SSE stream; records (receive_ms - at) for each task_end."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    c.request("GET", f"/v1/runs/{run_id}/events", headers={"Authorization": f"Bearer {server.token}"})
    r = c.getresponse()
    event = None
    while True:
        line = r.fp.readline()
        if not line: break
        line = line.decode().rstrip("\n")
        if line.startswith("event: "): event = line[7:]
        elif line.startswith("data: ") and event == "task_end":
            out.append(time.time() * 1000 - json.loads(line[6:])["at"])
        elif line.startswith("data: ") and event == "run_end": break
    c.close()

def pct(values, p):
    s = sorted(values); return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")

def one_run(quickup, root, name, zip_path, load, full, interval, health=False):
    db = os.path.join(root, f"{name}.db"); open(db, "w").close()
    env = os.path.join(root, f"env-{name}.yaml")
    open(env, "w").write(f"site: BENCH-{name}\ndatasources:\n  db: {{type: sqlite, path: {db}}}\n")
    server = Server(quickup, root, name)
    rel = server.call("POST", "/v1/releases", body=open(zip_path, "rb").read(), headers={"Content-Type": "application/zip"})["id"]
    run_id = server.call("POST", "/v1/runs", body={"release": rel, "env": env, "from": "V1.0.0", "to": "V1.0.1"})["runId"]
    latencies = []
    follower = threading.Thread(target=follow, args=(server, run_id, latencies)); follower.start()
    wrk = None
    if load:
        path = "/v1/healthz" if health else f"/v1/runs/{run_id}" + ("" if full else "?view=summary")
        pacing = []
        if interval:
            script = os.path.join(root, "paced.lua")
            open(script, "w").write(f"function delay()\n  return {interval}\nend\n")
            pacing = ["-s", script]
        wrk = subprocess.Popen(["wrk", "-t2", "-c100", "-d600s", "--latency", *pacing, "-H", f"Authorization: Bearer {server.token}",
                                f"http://127.0.0.1:{server.port}{path}"], stdout=subprocess.PIPE, text=True)
    follower.join()
    record = server.call("GET", f"/v1/runs/{run_id}?view=summary")["run"]
    wrk_text = ""
    if wrk:
        wrk.send_signal(signal.SIGINT); wrk_text = wrk.communicate()[0]
    server.stop()
    assert record["status"] == "succeeded", record
    return (record["endedAt"] - record["startedAt"]) / 1000, latencies, wrk_text

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quickup", default=".build/release/quickup")
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--full", action="store_true", help="poll the full status (1,000 attempts) instead of view=summary")
    ap.add_argument("--healthz", action="store_true", help="poll /v1/healthz instead: the HTTP server's own floor (no route work, no journal) under the same load and run")
    ap.add_argument("--interval", type=int, default=0, help="each poller waits MS milliseconds between requests (default: closed loop)")
    ap.add_argument("--dir", default=None, help="where the release, state and databases go (e.g. /dev/shm: the disk's fsync noise out of the comparison)")
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="qu-bench-api-", dir=a.dir)
    try:
        release(root, a.tasks)
        zip_path = os.path.join(root, "release.zip")
        subprocess.run([a.quickup, "pack", os.path.join(root, "release"), "-o", zip_path], check=True, capture_output=True)
        results = {False: [], True: []}
        sse = {False: [], True: []}
        for r in range(a.rounds):
            for load in (False, True):
                secs, lat, wrk_text = one_run(a.quickup, root, f"r{r}-{'load' if load else 'idle'}", zip_path, load, a.full, a.interval, a.healthz)
                results[load].append(secs); sse[load] += lat
                print(f"round {r + 1} {('with 100 pollers' + (f' every {a.interval} ms' if a.interval else '')) if load else 'no load':16s}: run {secs:6.2f} s, "
                      f"SSE task_end latency p50 {pct(lat, 50):.1f} ms p99 {pct(lat, 99):.1f} ms max {max(lat):.1f} ms")
                if wrk_text:
                    keep = [l for l in wrk_text.splitlines() if re.match(r"\s+(50|75|90|99)%|\s+Latency|\s*\d+ requests|Requests/sec|Non-2xx|Socket errors", l)]
                    print("   wrk: " + "\n   wrk: ".join(keep))
        idle, loaded = sum(results[False]) / len(results[False]), sum(results[True]) / len(results[True])
        print(f"mean run: no load {idle:.2f} s, with load {loaded:.2f} s ({(loaded / idle - 1) * 100:+.1f} %)")
        for load in (False, True):
            print(f"SSE latency over all rounds {'with' if load else 'without'} load: p50 {pct(sse[load], 50):.1f} ms, "
                  f"p99 {pct(sse[load], 99):.1f} ms ({len(sse[load])} events)")
    finally:
        shutil.rmtree(root, ignore_errors=True)

if __name__ == "__main__":
    main()
