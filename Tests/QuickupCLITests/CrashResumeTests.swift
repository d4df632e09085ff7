import Foundation
import Testing

/// E4 end to end: `quickup run` killed with SIGKILL at 20 random moments, then run again until it
/// finishes; the result must equal an uninterrupted run's. Runs the real binary on SQLite.
@Suite("Crash and resume (E4)", .serialized)
struct CrashResumeTests {
    static let taskCount = 120

    /// Half the tasks are transactional inserts (must apply exactly once), half idempotent DDL
    /// declared retryable (may re-run after an interruption).
    static func makeRelease(in dir: URL) throws {
        var properties = """
        sql.setup.id=setup
        sql.setup.description=ledger of transactional tasks
        sql.setup.file=sql/setup.sql
        sql.setup.stage=pre_stop
        sql.setup.transactional=false
        sql.setup.retryable=true

        """
        var files = ["sql/setup.sql": "CREATE TABLE IF NOT EXISTS applied (id TEXT NOT NULL);"]
        let stages = ["pre_stop", "in_stop", "post_start", "post_upgrade"]
        for n in 0..<taskCount {
            let transactional = n % 2 == 0
            properties += """
            sql.t\(n).id=t\(n)
            sql.t\(n).description=task \(n)
            sql.t\(n).file=sql/t\(n).sql
            sql.t\(n).stage=\(stages[n * 4 / taskCount])
            sql.t\(n).depends=setup
            sql.t\(n).transactional=\(transactional)
            \(transactional ? "" : "sql.t\(n).retryable=true")

            """
            files["sql/t\(n).sql"] = transactional
                ? "INSERT INTO applied VALUES ('t\(n)');\nINSERT INTO applied SELECT 'x' WHERE 0;"
                : "CREATE TABLE IF NOT EXISTS table_\(n) (x INT);\nCREATE INDEX IF NOT EXISTS index_\(n) ON table_\(n) (x);"
        }
        files["upgrade_tasks_V1.0.1.properties"] = properties
        for (path, text) in files {
            let url = dir.appendingPathComponent("release/app/upgrade/V1.0.1/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try Data("datasources:\n  - name: db\n    type: sqlite\n".utf8).write(to: dir.appendingPathComponent("release/app/component.yaml"))
        try Data("site: CRASH\ndatasources:\n  db: {type: sqlite, path: app.db}\n".utf8).write(to: dir.appendingPathComponent("env.yaml"))
        FileManager.default.createFile(atPath: dir.appendingPathComponent("app.db").path, contents: nil)
    }

    func arguments(_ dir: URL) -> [String] {
        ["run", "--release", dir.appendingPathComponent("release").path, "--env", dir.appendingPathComponent("env.yaml").path,
         "--from", "V1.0.0", "--to", "V1.0.1", "--state", dir.appendingPathComponent("state").path, "--quiet"]
    }

    func start(_ dir: URL) throws -> Process {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments(dir)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func sqlite(_ db: URL, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall())", db.path, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("kill -9 at 20 random moments, resume after each: every transactional task applied exactly once")
    func killAndResume() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qu-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.makeRelease(in: dir)
        // How long an uninterrupted run takes here, to spread the kills over it.
        let reference = dir.appendingPathComponent("reference")
        try Self.makeRelease(in: reference)
        let clock = ContinuousClock()
        let full = try clock.measure {
            let p = try start(reference)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        var generator = SeededGenerator(seed: 20261125)
        var killedWhileRunning = 0
        for _ in 0..<20 {
            let process = try start(dir)
            // Kills land early in each run: later runs skip what earlier ones applied and end sooner.
            let fraction = Double.random(in: 0.03...0.3, using: &generator)
            usleep(UInt32(max(1_000, Double(full.components.seconds * 1_000_000 + full.components.attoseconds / 1_000_000_000_000) * fraction)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killedWhileRunning += 1
            }
            process.waitUntilExit()
        }
        var finished = false
        for _ in 0..<3 where !finished {
            let process = try start(dir)
            process.waitUntilExit()
            finished = process.terminationStatus == 0
        }
        #expect(finished, "the run did not complete after the crashes")
        #expect(killedWhileRunning >= 15, "too few kills landed during a run (\(killedWhileRunning))")
        let db = dir.appendingPathComponent("app.db"), referenceDB = reference.appendingPathComponent("app.db")
        let duplicates = try sqlite(db, "SELECT id, count(*) FROM applied GROUP BY id HAVING count(*) <> 1")
        #expect(duplicates == "[]", "transactional tasks applied more than once: \(duplicates)")
        let ledger = "SELECT group_concat(id) FROM (SELECT id FROM applied ORDER BY id)"
        #expect(try sqlite(db, ledger) == sqlite(referenceDB, ledger))
        let schema = "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name LIKE 'table_%' OR name LIKE 'index_%' ORDER BY name)"
        #expect(try sqlite(db, schema) == sqlite(referenceDB, schema))
        let latest = """
            SELECT count(*) FROM upgrade_log u WHERE status = 'SUCCESS' AND NOT EXISTS
            (SELECT 1 FROM upgrade_log v WHERE v.task_id = u.task_id AND (v.start_time > u.start_time OR (v.start_time = u.start_time AND v.attempt > u.attempt)))
            """
        #expect(try sqlite(db, latest) == "[(\(Self.taskCount + 1),)]", "upgrade_log's latest row of every task must be SUCCESS")
    }
}

/// A small deterministic generator so a failing sequence of kills can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
