import GRDB

/// The journal's tables; migrations only ever add, so an older quickup's journal still opens.
enum JournalSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    id TEXT PRIMARY KEY,
                    release TEXT NOT NULL,
                    version_from TEXT NOT NULL,
                    version_to TEXT NOT NULL,
                    site TEXT,
                    stage TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    message TEXT,
                    plan_json TEXT
                );
                CREATE INDEX run_started ON run (started_at);
                CREATE TABLE attempt (
                    run_id TEXT NOT NULL REFERENCES run(id),
                    task_key TEXT NOT NULL,
                    component TEXT NOT NULL,
                    version TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    datasource TEXT,
                    attempt INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    checksum TEXT,
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER,
                    duration_ms INTEGER,
                    error TEXT,
                    PRIMARY KEY (run_id, task_key, attempt)
                );
                CREATE INDEX attempt_task ON attempt (task_key, started_at);
                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    level TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    task_key TEXT,
                    message TEXT NOT NULL
                );
                CREATE INDEX event_run ON event (run_id, id);
                CREATE TABLE run_lock (
                    environment TEXT PRIMARY KEY,
                    run_id TEXT NOT NULL,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    started_at INTEGER NOT NULL
                );
                """)
        }
        // The run a run resumes, or the run a rollback undoes (F4 follows the chain): a column of
        // its own because `message` ends up holding the run's error.
        migrator.registerMigration("v2 run.parent") { db in
            try db.execute(sql: "ALTER TABLE run ADD COLUMN parent TEXT")
        }
        // Who runs, named so that a recycled pid cannot pass for it (E6, issue 13 items 1 and 6),
        // and the tools that run now, so a run after a kill -9 stops what the dead one left.
        migrator.registerMigration("v3 process identities") { db in
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN process_start TEXT;
                ALTER TABLE run_lock ADD COLUMN process_start TEXT;
                CREATE TABLE tool_process (
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    process_start TEXT,
                    run_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    cgroups TEXT NOT NULL,
                    owner_pid INTEGER NOT NULL,
                    owner_start TEXT,
                    started_at INTEGER NOT NULL,
                    PRIMARY KEY (host, pid)
                );
                """)
        }
        // Backups taken before changes (F3) with their manifests, what restored them (F4), and
        // the phases of rollbacks as checkpoints.
        migrator.registerMigration("v4 backups (F3, F4)") { db in
            try db.execute(sql: """
                CREATE TABLE backup (
                    run_id TEXT NOT NULL,
                    datasource TEXT NOT NULL,
                    object TEXT NOT NULL,
                    status TEXT NOT NULL,
                    directory TEXT NOT NULL,
                    manifest TEXT,
                    bytes INTEGER NOT NULL DEFAULT 0,
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER,
                    restored_at INTEGER,
                    restored_by TEXT,
                    PRIMARY KEY (run_id, datasource, object)
                );
                CREATE TABLE rollback_phase (
                    rollback_id TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER,
                    message TEXT,
                    PRIMARY KEY (rollback_id, phase)
                );
                """)
        }
        // The whole upgrade (F5, issue 15): one row per flow step and attempt, written before the
        // step starts (RUNNING) and when it ends, so `upgrade --resume` continues at the right step.
        migrator.registerMigration("v4 upgrade steps") { db in
            try db.execute(sql: """
                CREATE TABLE upgrade_step (
                    run_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    step_key TEXT NOT NULL,
                    flow TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER,
                    detail TEXT,
                    error TEXT,
                    PRIMARY KEY (run_id, step_key, attempt)
                );
                CREATE INDEX upgrade_step_run ON upgrade_step (run_id, seq);
                """)
        }
        return migrator
    }
}
