import Foundation
import GRDB
import QuickupCore
import Synchronization

/// quickup's own durable state: runs, task attempts, events and the run lock, in SQLite (WAL) in
/// the state directory so the CLI and the HTTP server can share it (SPEC §1 "journal", E4, E6).
/// Calls are short and synchronous: state queries must stay well under a millisecond (E12).
public final class Journal: Sendable {
    public let path: String
    let pool: DatabasePool
    /// Writes `recordSoon`'s rows behind the caller.
    let mirror: JournalMirrorLane
    /// Counts the committed `write`s of every journal of this process (Journal+Summary): a run
    /// opens a journal of its own beside the API server's, so the count is process-wide — a
    /// summary kept in memory is current while it has not moved.
    static let committed = Atomic<Int>(0)

    public init(stateDirectory: String) throws(QuickupError) {
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw QuickupError(.io, "cannot create the state directory \(stateDirectory): \(error.localizedDescription)",
                               hint: "pass --state with a writable directory")
        }
        path = "\(stateDirectory)/journal.sqlite"
        // Many quickups may start at once on a fresh state directory: one at a time creates
        // (or migrates) the journal, or two both create table `run` (issue 13 item 6).
        let creation = try Self.lockCreation(in: stateDirectory)
        defer { close(creation) }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            // WAL + synchronous=NORMAL survives a crash or kill -9 of quickup (E4) without an fsync
            // per write; a power cut may lose the last writes, which upgrade_log (the authority,
            // on the datasource) still holds.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            let pool = try DatabasePool(path: path, configuration: configuration)
            self.pool = pool
            mirror = JournalMirrorLane { (batch) throws(QuickupError) in try Journal.insertAttempts(batch, into: pool) }
            try JournalSchema.migrator.migrate(pool)
        } catch {
            throw QuickupError(.io, "cannot open the journal \(path): \(error)",
                               hint: "check the state directory's permissions and free space")
        }
    }

    /// An exclusive lock on `journal.lock` held while the journal is opened; the kernel drops it
    /// with the descriptor, so a killed quickup never leaves it behind.
    private static func lockCreation(in directory: String) throws(QuickupError) -> Int32 {
        let file = "\(directory)/journal.lock"
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw QuickupError(.io, "cannot open \(file): \(String(cString: strerror(errno)))", hint: "pass --state with a writable directory")
        }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw QuickupError(.io, "cannot lock \(file): \(reason)", hint: "the state directory must be on a file system with locks")
            }
        }
        return fd
    }

    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(QuickupError) -> T {
        try mirror.settle()
        // Counted after the commit (or failure), never before: a reader that saw the new count
        // reads the new row.
        defer { Self.committed.add(1, ordering: .releasing) }
        do { return try pool.write(body) } catch {
            throw QuickupError(.io, "journal: cannot \(what): \(error)", hint: "check free space in the state directory")
        }
    }

    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(QuickupError) -> T {
        try mirror.settle()
        do { return try pool.read(body) } catch {
            throw QuickupError(.io, "journal: cannot \(what): \(error)")
        }
    }

    // MARK: runs

    public func insert(_ run: RunRecord) throws(QuickupError) {
        try write("record run \(run.id)") { db in
            try db.execute(sql: """
                INSERT INTO run (id, release, version_from, version_to, site, stage, status, started_at, ended_at, host, pid, message, plan_json, parent, process_start)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.id, run.release, run.from, run.to, run.site, run.stage, run.status.rawValue,
                                 run.startedAt, run.endedAt, run.host, run.pid, run.message, run.planJSON, run.parent, run.processStart])
        }
    }

    public func finishRun(_ id: String, status: RunStatus, at time: Int64, message: String?) throws(QuickupError) {
        try write("finish run \(id)") { db in
            try db.execute(sql: "UPDATE run SET status = ?, ended_at = ?, message = ? WHERE id = ?",
                           arguments: [status.rawValue, time, message, id])
        }
    }

    public func run(_ id: String) throws(QuickupError) -> RunRecord? {
        try read("read run \(id)") { db in try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map(Self.run) }
    }

    /// The run `id` resumes, followed back to the first: every resume of an upgrade shares the
    /// remote step markers of that first run (S1), so a step started before a crash or `kill -9`
    /// is waited for or collected by the resume, never started a second time.
    public func firstRun(of id: String) throws(QuickupError) -> String {
        var first = id
        var seen: Set<String> = [first]
        while let parent = try run(first)?.parent, seen.insert(parent).inserted { first = parent }
        return first
    }

    /// Most recent first.
    public func runs(limit: Int = 50) throws(QuickupError) -> [RunRecord] {
        try read("list runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY started_at DESC, rowid DESC LIMIT ?", arguments: [limit]).map(Self.run)
        }
    }

    static func run(_ row: Row) -> RunRecord {
        var run = RunRecord(id: row["id"], release: row["release"], from: row["version_from"], to: row["version_to"],
                            site: row["site"], stage: row["stage"],
                            status: RunStatus(rawValue: row["status"] ?? "") ?? .interrupted,
                            startedAt: row["started_at"], host: row["host"], pid: row["pid"])
        run.endedAt = row["ended_at"]
        run.message = row["message"]
        run.planJSON = row["plan_json"]
        run.parent = row["parent"]
        run.processStart = row["process_start"]
        return run
    }

    // MARK: attempts

    /// Inserts or replaces the attempt (run, task, attempt number).
    public func record(_ a: AttemptRecord) throws(QuickupError) {
        try record([a])
    }

    /// Inserts or replaces the attempts in order, in one transaction (one WAL commit): the run
    /// engine writes a finished task's SUCCESS together with the next task's RUNNING.
    public func record(_ attempts: [AttemptRecord]) throws(QuickupError) {
        try mirror.settle()
        try Self.insertAttempts(attempts, into: pool)
    }

    private static func insertAttempts(_ attempts: [AttemptRecord], into pool: DatabasePool) throws(QuickupError) {
        guard let first = attempts.first else { return }
        do {
            try pool.write { db in try Self.insert(attempts, db) }
        } catch {
            throw QuickupError(.io, "journal: cannot record attempt of \(first.taskKey): \(error)",
                               hint: "check free space in the state directory")
        }
    }

    private static func insert(_ attempts: [AttemptRecord], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO attempt (run_id, task_key, component, version, kind, stage, datasource, attempt, status, checksum, started_at, ended_at, duration_ms, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for a in attempts {
            try statement.execute(arguments: [a.runID, a.taskKey, a.component, a.version, a.kind, a.stage, a.datasource, a.attempt,
                                              a.status, a.checksum, a.startedAt, a.endedAt, a.durationMs, a.error])
        }
    }

    /// Like `record`, but written behind the caller (JournalMirrorLane): for the mirror of rows
    /// whose authority is a datasource's upgrade_log. Any later journal call waits for it.
    public func recordSoon(_ attempts: [AttemptRecord]) throws(QuickupError) {
        try mirror.enqueue(attempts)
    }

    public func attempts(run id: String) throws(QuickupError) -> [AttemptRecord] {
        try read("read attempts of run \(id)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attempt WHERE run_id = ? ORDER BY started_at, attempt", arguments: [id]).map(Self.attempt)
        }
    }

    /// The latest attempt of every task ever run here.
    public func latestAttempts() throws(QuickupError) -> [String: AttemptRecord] {
        try read("read task states") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.* FROM attempt a
                JOIN (SELECT task_key, MAX(started_at * 1000 + attempt) AS k FROM attempt GROUP BY task_key) m
                  ON a.task_key = m.task_key AND a.started_at * 1000 + a.attempt = m.k
                """)
            return Dictionary(rows.map(Self.attempt).map { ($0.taskKey, $0) }, uniquingKeysWith: { a, b in a.startedAt >= b.startedAt ? a : b })
        }
    }

    /// Durations of a task's successful attempts, for A4's history-based estimate.
    public func successfulDurations(of taskKey: String) throws(QuickupError) -> [Int64] {
        try read("read durations of \(taskKey)") { db in
            try Int64.fetchAll(db, sql: "SELECT duration_ms FROM attempt WHERE task_key = ? AND status = 'SUCCESS' AND duration_ms IS NOT NULL",
                               arguments: [taskKey])
        }
    }

    /// The same, only from runs at `site` (A5: a finished run's real durations are the next
    /// assessment's estimate for that site; another site's hardware and data differ).
    public func successfulDurations(of taskKey: String, site: String) throws(QuickupError) -> [Int64] {
        try read("read durations of \(taskKey) at \(site)") { db in
            try Int64.fetchAll(db, sql: """
                SELECT a.duration_ms FROM attempt a JOIN run r ON r.id = a.run_id
                WHERE a.task_key = ? AND a.status = 'SUCCESS' AND a.duration_ms IS NOT NULL AND r.site = ?
                """, arguments: [taskKey, site])
        }
    }

    static func attempt(_ row: Row) -> AttemptRecord {
        var a = AttemptRecord(runID: row["run_id"], taskKey: row["task_key"], component: row["component"], version: row["version"],
                              kind: row["kind"], stage: row["stage"], datasource: row["datasource"], attempt: row["attempt"],
                              status: row["status"], checksum: row["checksum"], startedAt: row["started_at"])
        a.endedAt = row["ended_at"]
        a.durationMs = row["duration_ms"]
        a.error = row["error"]
        return a
    }

    // MARK: events

    public func append(_ e: EventRecord) throws(QuickupError) {
        try write("record an event") { db in
            try db.execute(sql: "INSERT INTO event (run_id, at, level, kind, task_key, message) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [e.runID, e.at, e.level, e.kind, e.taskKey, e.message])
        }
    }

    public func events(run id: String) throws(QuickupError) -> [EventRecord] {
        try read("read events of run \(id)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event WHERE run_id = ? ORDER BY id", arguments: [id]).map { row in
                EventRecord(runID: row["run_id"], at: row["at"], level: row["level"], kind: row["kind"], taskKey: row["task_key"], message: row["message"])
            }
        }
    }
}
