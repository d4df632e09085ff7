import Foundation
import QuickupCore
import QuickupRelease
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// What a run leaves for the person reading it afterwards: the detail log (E10), a line for
/// every task including a refused one, and a word when its own record is incomplete (E2).
/// Issue 14 items 4, 5 and 7.
@Suite("Run records: detail log, refused tasks, failed record writes")
struct RunRecordTests {
    /// Every line of the run's detail.jsonl as a JSON object (numbers stay numbers).
    static func detail(_ state: String, _ runID: String) throws -> [[String: Any]] {
        try String(contentsOfFile: "\(state)/runs/\(runID)/detail.jsonl", encoding: .utf8)
            .split(separator: "\n")
            .map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)") }
    }

    @Test("the run's row keeps the plan it executed as `plan --json` prints it (a support bundle's plan.json)")
    func storedPlanIsThePrintedOne() async throws {
        let fixture = try RunFixture(tasks: [("a", "pre_stop", "CREATE TABLE a(id INTEGER);", ""), ("b", "post_start", "INSERT INTO a VALUES (1);", "")])
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(result.status == .succeeded, "\(lines)")
        let stored = try #require(try Journal(stateDirectory: fixture.state).run(result.runID)?.planJSON)
        let workspace = try Workspace.open(release: fixture.release, environment: fixture.envFile)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = PlanJSON.formatting
        #expect(stored == String(decoding: try encoder.encode(PlanDocument(plan)), as: UTF8.self))
    }

    @Test("E10: detail.jsonl holds each task's start and end with status, statement count, error and hint, and the run's end")
    func detailLogHasEveryTask() async throws {
        let fixture = try RunFixture(tasks: [
            ("a", "pre_stop", "CREATE TABLE a(id INTEGER);\nINSERT INTO a VALUES (1);", ""),
            ("b", "in_stop", "INSERT INTO missing VALUES (1);", ""),
        ])
        defer { fixture.remove() }
        let (failed, lines) = try await fixture.run()
        #expect(failed.status == .failed, "\(lines)")
        var records = try Self.detail(fixture.state, failed.runID)
        func find(_ event: String, _ task: String) -> [String: Any]? {
            records.first { $0["event"] as? String == event && ($0["task"] as? String)?.hasSuffix(task) == true }
        }
        #expect(find("task_start", "sql.a")?["statements"] as? Int == 2, "\(records)")
        #expect(find("task_start", "sql.a")?["attempt"] as? Int == 1)
        let aEnd = try #require(find("task_end", "sql.a"), "\(records)")
        #expect(aEnd["status"] as? String == "SUCCESS" && aEnd["statements"] as? Int == 2 && aEnd["duration_ms"] is Int)
        #expect(aEnd["stage"] as? String == "pre_stop" && aEnd["datasource"] as? String == "shop_db")
        let bEnd = try #require(find("task_end", "sql.b"), "\(records)")
        #expect(bEnd["status"] as? String == "FAILED")
        #expect((bEnd["error"] as? String)?.contains("missing") == true, "\(bEnd)")
        #expect((bEnd["error"] as? String)?.contains("sql/b.sql") == true || (bEnd["error"] as? String)?.contains("INSERT INTO missing") == true, "\(bEnd)")
        let end = try #require(records.last)
        #expect(end["event"] as? String == "run_end" && end["status"] as? String == "failed" && end["succeeded"] as? Int == 1)
        #expect(records.contains { $0["event"] as? String == "stage_end" && $0["stage"] as? String == "pre_stop" })

        // The resumed run logs the task it skips, too.
        try fixture.write("release/shop/upgrade/V1.0.1/sql/b.sql", "INSERT INTO a VALUES (2);")
        let (second, _) = try await fixture.run()
        records = try Self.detail(fixture.state, second.runID)
        #expect(find("task_end", "sql.a")?["status"] as? String == "SKIPPED", "\(records)")
        #expect(find("task_end", "sql.b")?["status"] as? String == "SUCCESS")
    }

    @Test("E10: a rollback's detail log has each undo's start and end, a refusal with its hint, and the rollback's end")
    func rollbackDetailLog() async throws {
        let fixture = try RunFixture(tasks: [
            ("t1", "pre_stop", "CREATE TABLE a (x INT);", "sql.t1.order=1"),
            ("t2", "pre_stop", "INSERT INTO a VALUES (1);", "sql.t2.order=2\nsql.t2.rollback=sql/t2_undo.sql"),
        ])
        defer { fixture.remove() }
        try fixture.write("release/shop/upgrade/V1.0.1/sql/t2_undo.sql", "DELETE FROM a;\nDELETE FROM a WHERE x = 2;")
        let (run, _) = try await fixture.run()
        let (rollback, lines) = try await fixture.rollback(run.runID)
        #expect(rollback.status == .failed, "t1 has no .rollback script: \(lines)")
        let records = try Self.detail(fixture.state, rollback.runID)
        #expect(records.contains { $0["event"] as? String == "rollback_start" && ($0["task"] as? String)?.hasSuffix("sql.t2") == true
            && $0["statements"] as? Int == 2 }, "\(records)")
        #expect(records.contains { $0["event"] as? String == "rollback_end" && ($0["task"] as? String)?.hasSuffix("sql.t2") == true
            && $0["status"] as? String == "ROLLED_BACK" }, "\(records)")
        let refused = try #require(records.first { $0["event"] as? String == "rollback_end" && ($0["task"] as? String)?.hasSuffix("sql.t1") == true })
        #expect(refused["status"] as? String == "REFUSED" && refused["hint"] is String, "\(refused)")
        #expect(records.last?["event"] as? String == "run_end" && records.last?["status"] as? String == "failed")
    }

    @Test("E10: a tool's progress messages are in the detail log (docs/TOOLS.md)")
    func toolProgressIsLogged() async throws {
        let fixture = try RunFixture(
            tasks: [],
            tools: [("copy", "pre_stop", "tools/copy.sh", "")],
            files: ["upgrade/V1.0.1/tools/copy.sh": """
                #!/bin/sh
                echo '{"progress": {"percent": 40, "message": "copied 4 of 10 tables"}}'
                echo '{"progress": {"done": 10, "total": 10}}'

                """])
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(result.status == .succeeded, "\(lines)")
        let progress = try Self.detail(fixture.state, result.runID).filter { $0["stream"] as? String == "progress" }
        #expect(progress.count == 2, "\(progress)")
        #expect(progress.first?["percent"] as? String == "40" && progress.first?["line"] as? String == "copied 4 of 10 tables")
        #expect(progress.last?["percent"] as? String == "100")
    }

    @Test("a task refused for its changed file has its own line before anything runs, and is in the journal for status")
    func refusedTaskIsReported() async throws {
        let fixture = try RunFixture(tasks: [("a", "pre_stop", "CREATE TABLE a(id INTEGER);", "")])
        defer { fixture.remove() }
        _ = try await fixture.run()
        try fixture.write("release/shop/upgrade/V1.0.1/sql/a.sql", "CREATE TABLE a(id BIGINT);")
        let (result, lines) = try await fixture.run()
        #expect(result.status == .failed && result.error?.code == .checksumChanged)
        let refused = lines.firstIndex { $0.hasPrefix("[REFUSED] shop V1.0.1 sql.a: shop/V1.0.1/sql.a was applied in run") }
        let total = lines.firstIndex { $0.hasPrefix("Total ") }
        // M7 refuses before the first task (issue 13 item 5): no stage starts.
        #expect(refused != nil && total != nil && refused! < total!, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("== pre_stop") }, "\(lines)")
        let events = try Journal(stateDirectory: fixture.state).events(run: result.runID)
        #expect(events.contains { $0.kind == EventRecord.taskRefused && $0.taskKey == "shop/V1.0.1/sql.a" }, "\(events)")
        let end = try Self.detail(fixture.state, result.runID).first { $0["event"] as? String == "task_end" }
        #expect(end?["status"] as? String == "REFUSED" && (end?["hint"] as? String)?.contains("--accept-changed shop/V1.0.1/sql.a") == true, "\(String(describing: end))")
    }

    @Test("E2: a record write that fails on the failure path is reported, and the run says its record may be incomplete")
    func failedRecordWriteIsReported() async throws {
        // The task drops upgrade_log outside a transaction, then fails: its FAILED row cannot be written.
        let fixture = try RunFixture(tasks: [
            ("a", "pre_stop", "CREATE TABLE a(id INTEGER);", ""),
            ("b", "pre_stop", "DROP TABLE upgrade_log;\nINSERT INTO missing VALUES (1);", "sql.b.transactional=false"),
        ])
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(result.status == .failed)
        #expect(result.failedRecordWrites.count == 1, "\(result.failedRecordWrites)")
        #expect(result.failedRecordWrites.first?.hasPrefix("the FAILED row of shop/V1.0.1/sql.b in upgrade_log: ") == true)
        let warning = try #require(lines.first { $0.hasPrefix("Warning: 1 record write failed") }, "\(lines)")
        #expect(warning.contains("may be incomplete"))
        let run = try #require(try Journal(stateDirectory: fixture.state).run(result.runID))
        #expect(run.message?.contains("may be incomplete") == true, "\(String(describing: run.message))")
        let end = try Self.detail(fixture.state, result.runID).last
        #expect((end?["message"] as? String)?.contains("may be incomplete") == true)
    }

    @Test("E2: a run whose writes all go through says nothing about its record")
    func cleanRunHasNoWarning() async throws {
        let fixture = try RunFixture(tasks: [("a", "pre_stop", "CREATE TABLE a(id INTEGER);", "")])
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(result.status == .succeeded && result.failedRecordWrites.isEmpty)
        #expect(!lines.contains { $0.hasPrefix("Warning:") })
    }

    @Test("E11: the dry run counts a Redis script's commands, one per line")
    func dryRunCountsRedisCommands() async throws {
        let fixture = try RunFixture(tasks: [])
        defer { fixture.remove() }
        try fixture.write("release/shop/component.yaml", "datasources:\n  - name: cache\n    type: redis\n")
        try fixture.write("release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties",
                          "redis.keys.id=K\nredis.keys.description=keys\nredis.keys.file=redis/keys.redis\nredis.keys.stage=pre_stop\n")
        try fixture.write("release/shop/upgrade/V1.0.1/redis/keys.redis", "# two commands\nSET app:version 2\n\nHSET app:flags dark on\n")
        try fixture.write("env.yaml", "site: TEST\ndatasources:\n  cache: {type: redis, host: 127.0.0.1, port: 1}\n")
        let (result, lines) = try await fixture.run(dryRun: true)
        #expect(result.error == nil, "\(lines)")
        #expect(lines.contains("   without a transaction, 2 commands:"), "\(lines)")
        #expect(lines.contains { $0.hasSuffix("redis/keys.redis:2] SET app:version 2") }, "\(lines)")
        #expect(lines.contains { $0.hasSuffix("redis/keys.redis:4] HSET app:flags dark on") }, "\(lines)")
    }
}
