#!/usr/bin/env python3
"""kill -9 from outside (E2, E4; issue 13's campaign, issue 20.3's condition): `quickup run` of a
133-task MariaDB release is killed with SIGKILL at a random moment of its run, then run again
until it finishes; each trial's end state must equal an uninterrupted run's.

    bash scripts/services.sh start && eval "$(bash scripts/services.sh env)"
    python3 scripts/kill_campaign.py [--trials 40] [--quickup .build/release/quickup] [--seed N]

The release: a ledger table, then 132 tasks over four stages — transactional tasks that insert
their id into the ledger (every third one inserts three rows: exactly once means all or
none), and retryable idempotent DDL (CREATE TABLE / CREATE INDEX IF NOT EXISTS). End
state compared per trial: `mariadb-dump` of every table but upgrade_log (schema and rows), no
ledger id applied twice, and upgrade_log — every task's latest row SUCCESS, no row left RUNNING.
Unlike CrashResumeTests (kills placed by counting task starts, 20 per run), each kill here falls
at a random time in [0, 1.2 × the uninterrupted run's time], as an outside observer would kill.
Prints each trial's outcome and the count of identical end states. Secrets stay in the option
file and the environment.
"""
import argparse, os, pathlib, random, shutil, signal, subprocess, sys, tempfile, time

env = os.environ
defaults = env["QUICKUP_TEST_MARIADB_DEFAULTS"]
host, port, user = env["QUICKUP_TEST_MARIADB_HOST"], env["QUICKUP_TEST_MARIADB_PORT"], env["QUICKUP_TEST_MARIADB_USER"]
STAGES = ["pre_stop", "in_stop", "post_start", "post_upgrade"]
TASKS = 132


def mariadb(statement, db=""):
    result = subprocess.run(["mariadb", f"--defaults-extra-file={defaults}", "-N", "-B", "-e", statement] + ([db] if db else []),
                            check=True, capture_output=True, text=True)
    return result.stdout.strip()


def make_release(root):
    version = root / "app" / "upgrade" / "V1.0.1"
    (version / "sql").mkdir(parents=True)
    props = ["sql.setup.id=setup\nsql.setup.description=ledger\nsql.setup.file=sql/setup.sql\nsql.setup.stage=pre_stop\n"
             "sql.setup.transactional=false\nsql.setup.retryable=true\n"]
    (version / "sql" / "setup.sql").write_text("CREATE TABLE IF NOT EXISTS ledger (id VARCHAR(16) NOT NULL, part INT NOT NULL);\n")
    for n in range(TASKS):
        transactional = n % 2 == 0
        props.append(f"sql.t{n}.id=t{n}\nsql.t{n}.description=task {n}\nsql.t{n}.file=sql/t{n}.sql\n"
                     f"sql.t{n}.stage={STAGES[n * 4 // TASKS]}\nsql.t{n}.depends=setup\nsql.t{n}.transactional={str(transactional).lower()}\n"
                     + ("" if transactional else f"sql.t{n}.retryable=true\n"))
        if transactional:
            parts = 3 if n % 3 == 0 else 1
            script = "".join(f"INSERT INTO ledger VALUES ('t{n}', {p});\n" for p in range(parts))
        else:
            script = f"CREATE TABLE IF NOT EXISTS table_{n} (x INT);\nCREATE INDEX IF NOT EXISTS index_{n} ON table_{n} (x);\n"
        (version / "sql" / f"t{n}.sql").write_text(script)
    (version / "upgrade_tasks_V1.0.1.properties").write_text("\n".join(props))
    (root / "app" / "component.yaml").write_text("datasources:\n  - name: db\n    type: mariadb\n")


def end_state(db):
    dump = subprocess.run(["mariadb-dump", f"--defaults-extra-file={defaults}", "--skip-dump-date", "--skip-comments", "--order-by-primary",
                           f"--ignore-table={db}.upgrade_log", db], check=True, capture_output=True, text=True).stdout
    rows = mariadb("SELECT * FROM ledger ORDER BY id, part", db)
    twice = mariadb("SELECT COUNT(*) FROM (SELECT id, part FROM ledger GROUP BY id, part HAVING COUNT(*) > 1) d", db)
    latest = mariadb("""SELECT COUNT(*) FROM upgrade_log u WHERE status = 'SUCCESS' AND NOT EXISTS
        (SELECT 1 FROM upgrade_log v WHERE v.task_id = u.task_id AND (v.start_time > u.start_time
         OR (v.start_time = u.start_time AND v.attempt > u.attempt)))""", db)
    running = mariadb("SELECT COUNT(*) FROM upgrade_log WHERE status = 'RUNNING'", db)
    return {"dump": dump, "ledger": rows, "applied twice": twice, "tasks whose latest row is SUCCESS": latest, "rows left RUNNING": running}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--quickup", default=str(pathlib.Path(__file__).resolve().parent.parent / ".build" / "release" / "quickup"))
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = pathlib.Path(tempfile.mkdtemp(prefix="quickup-kill-"))
    make_release(work / "release")

    def trial(name):
        db = f"qu_kill_{name}"
        mariadb(f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}")
        (work / f"{name}.yaml").write_text(f"site: KILL-{name}\ndatasources:\n  db: {{type: mariadb, host: {host}, port: {port}, user: {user}, "
                                           f"password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: {db}}}\n")
        command = [args.quickup, "run", "--release", str(work / "release"), "--env", str(work / f"{name}.yaml"), "--from", "V1.0.0",
                   "--to", "V1.0.1", "--state", str(work / f"state-{name}"), "--quiet"]
        return db, command

    db, command = trial("reference")
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    reference_time = time.monotonic() - started
    reference = end_state(db)
    expected = str(TASKS + 1)
    assert reference["tasks whose latest row is SUCCESS"] == expected and reference["applied twice"] == "0", reference
    print(f"reference run: {reference_time * 1000:.0f} ms, {TASKS + 1} tasks")
    identical = landed = 0
    for n in range(args.trials):
        db, command = trial(f"t{n}")
        delay = rng.uniform(0, 1.2 * reference_time)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        alive = process.poll() is None
        if alive:
            process.send_signal(signal.SIGKILL)
            landed += 1
        process.wait()
        reruns = 0
        while reruns < 3 and subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode != 0:
            reruns += 1
        state = end_state(db)
        differs = [key for key in reference if state[key] != reference[key]]
        identical += not differs
        print(f"trial {n + 1:2}: kill at {delay * 1000:4.0f} ms {'during the run' if alive else 'after it ended'}, "
              f"{reruns} failed re-runs, {'identical' if not differs else 'DIFFERS: ' + ', '.join(differs)}")
        mariadb(f"DROP DATABASE {db}")
    mariadb("DROP DATABASE qu_kill_reference")
    shutil.rmtree(work)
    print(f"{identical}/{args.trials} end states identical to the uninterrupted run's; {landed} kills landed during a run")
    return 0 if identical == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())
