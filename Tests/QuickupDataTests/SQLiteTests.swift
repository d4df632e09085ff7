import QuickupTestSupport
import Foundation
import QuickupCore
import Testing
@testable import QuickupData

/// The SQLite driver on a database file of its own in a temporary directory.
@Suite("SQLite driver (D1, E2, E5)")
struct SQLiteTests {
    /// Runs `body` with a fresh database file; removes it afterwards.
    func withDatabase(_ body: (SQLiteConnection) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestServers.uniqueName("quickup-sqlite"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = DatasourceConfig(name: "shop_db", type: .sqlite, location: SourceLocation(file: "env.yaml", line: 9))
        config.path = directory.appendingPathComponent("shop.db").path
        let db = try await SQLiteConnection.open(config, createIfMissing: true)
        var failure: (any Error)?
        do { try await body(db) } catch { failure = error }
        await db.close()
        if let failure { throw failure }
    }

    func statement(_ text: String, line: Int = 1) -> SQLStatement {
        SQLStatement(text: text, line: line, file: "shop/V2/sql/001_orders.sql")
    }

    @Test("a script with a trigger runs; the trigger fires; rows come back as text")
    func triggerScript() async throws {
        try await withDatabase { db in
            #expect(try await db.serverVersion().hasPrefix("3."))
            try await db.run([
                statement("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL, note TEXT)", line: 1),
                statement("CREATE TABLE audit (order_id INTEGER, what TEXT)", line: 2),
                statement("""
                    CREATE TRIGGER orders_audit AFTER INSERT ON orders
                    BEGIN
                        INSERT INTO audit VALUES (NEW.id, 'created');
                        UPDATE orders SET note = 'seen' WHERE id = NEW.id;
                    END
                    """, line: 4),
            ])
            let inserted = try await db.execute(statement("INSERT INTO orders (id, amount) VALUES (1, 2.5), (2, NULL)", line: 10))
            #expect(inserted.affectedRows == 2)
            #expect(try await db.query("SELECT order_id, what FROM audit ORDER BY order_id") == [["1", "created"], ["2", "created"]])
            #expect(try await db.query("SELECT id, amount, note FROM orders ORDER BY id") == [["1", "2.5", "seen"], ["2", nil, "seen"]])
        }
    }

    @Test("E5: a rolled back transaction leaves nothing; a committed one stays")
    func transactions() async throws {
        try await withDatabase { db in
            #expect(db.supportsTransactions)
            try await db.execute(statement("CREATE TABLE t (n INTEGER)"))
            try await db.begin()
            try await db.execute(statement("INSERT INTO t VALUES (1)"))
            try await db.execute(statement("INSERT INTO t VALUES (2)"))
            #expect(try await db.scalar("SELECT count(*) FROM t") == "2")
            try await db.rollback()
            #expect(try await db.scalar("SELECT count(*) FROM t") == "0")
            try await db.begin()
            try await db.execute(statement("INSERT INTO t VALUES (3)"))
            try await db.commit()
            try await db.rollback()  // nothing open: no error
            #expect(try await db.scalar("SELECT count(*) FROM t") == "1")
        }
    }

    @Test("D2: a failing statement names file:line, SQLite's code and message and the statement")
    func statementError() async throws {
        try await withDatabase { db in
            let error = await #expect(throws: QuickupError.self) {
                try await db.execute(statement("INSERT INTO missing VALUES (1)", line: 12))
            }
            #expect(error?.code == .statementFailed)
            #expect(error?.location == SourceLocation(file: "shop/V2/sql/001_orders.sql", line: 12))
            #expect(error?.message.contains("SQLite error 1: no such table: missing") == true, "\(String(describing: error))")
            #expect(error?.message.contains("INSERT INTO missing VALUES (1)") == true)
        }
    }

    @Test("a missing file is an error unless asked to create it")
    func missingFile() async {
        var config = DatasourceConfig(name: "shop_db", type: .sqlite, location: SourceLocation(file: "env.yaml", line: 9))
        config.path = "/nonexistent-\(UUID().uuidString)/shop.db"
        let error = await #expect(throws: QuickupError.self) { _ = try await Datasources.connect(config, secrets: SecretResolver()) }
        #expect(error?.code == .fileNotFound)
        #expect(error?.location == config.location)
    }

    @Test("cancelling the task interrupts a running statement", .timeLimit(.minutes(10)))
    func cancel() async throws {
        try await withDatabase { db in
            let endless = statement("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", line: 3)
            let error: QuickupError? = await withTaskGroup(of: QuickupError?.self) { group in
                group.addTask { do throws(QuickupError) { try await db.execute(endless); return nil } catch { return error } }
                try? await Task.sleep(for: .milliseconds(300))
                group.cancelAll()
                return await group.next() ?? nil
            }
            #expect(error?.code == .statementCancelled, "\(String(describing: error))")
            // The statement never ends by itself: returning at all proves the interruption (the
            // time limit is only a hang guard), and the code says it was a cancellation.
            let stillUsable = try await db.scalar("SELECT 1")
            #expect(stillUsable == "1")
        }
    }

    @Test("E2: upgrade_log create / record / latest")
    func upgradeLog() async throws {
        try await withDatabase { db in
            try await db.ensureUpgradeLog()
            try await db.ensureUpgradeLog()
            var entry = UpgradeLogEntry(taskID: "shop/V2/sql.orders", component: "shop", versionFrom: "V1", versionTo: "V2",
                                        taskVersion: "V2", stage: "in_stop", taskName: "orders", kind: "sql", checksum: "ff",
                                        status: .running, attempt: 1, startTime: 10, runID: "r1", site: nil)
            try await db.record(entry)
            entry.status = .failed
            entry.error = "no such table: x"
            entry.endTime = 20
            entry.durationMs = 10
            try await db.record(entry)
            var retry = entry
            retry.attempt = 2
            retry.startTime = 30
            retry.status = .success
            retry.error = nil
            try await db.record(retry)
            #expect(try await db.latestEntries() == [entry.taskID: retry])
            #expect(try await db.scalar("SELECT count(*) FROM upgrade_log") == "2")
        }
    }

    @Test("tableSizes counts a table with its indexes; absent tables are left out")
    func tableSizes() async throws {
        try await withDatabase { db in
            try await db.execute(statement("CREATE TABLE big (id INTEGER PRIMARY KEY, s TEXT)"))
            try await db.execute(statement("CREATE INDEX big_s ON big (s)"))
            try await db.execute(statement("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) INSERT INTO big SELECT x, hex(randomblob(20)) FROM c"))
            let sizes = try await db.tableSizes(["big", "absent"])
            #expect((sizes["big"] ?? 0) > 100_000, "\(sizes)")
            #expect(sizes["absent"] == nil)
        }
    }

    @Test("the factory opens SQLite, and MariaDB through its driver")
    func factory() async throws {
        var config = DatasourceConfig(name: "main_db", type: .mariadb, location: SourceLocation(file: "env.yaml", line: 3))
        config.host = "127.0.0.1"
        config.port = try unusedLocalPort()
        let error = await #expect(throws: QuickupError.self) { _ = try await Datasources.connect(config, secrets: SecretResolver()) }
        #expect(error?.code == .datasourceUnreachable)
        #expect(error?.message.contains("cannot connect to MariaDB at 127.0.0.1:\(config.port ?? 0)") == true)
        config.type = .sqlite
        config.path = ":memory:"
        let db = try await Datasources.connect(config, secrets: SecretResolver())
        #expect(try await db.scalar("SELECT 40 + 2") == "42")
        await db.close()
    }
}
