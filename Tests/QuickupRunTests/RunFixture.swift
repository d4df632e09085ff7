import Foundation
import QuickupCore
import QuickupRelease
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// A release on one SQLite file in a fresh temporary directory, plus a state directory, so the
/// executor runs for real with no server.
struct RunFixture {
    let tree: TemporaryTree
    var root: URL { tree.root }
    var release: String { root.appendingPathComponent("release").path }
    var state: String { root.appendingPathComponent("state").path }
    var database: String { root.appendingPathComponent("shop.db").path }
    var envFile: String { root.appendingPathComponent("env.yaml").path }

    /// `tasks`: uid → (stage, SQL, extra properties lines).
    /// `tools`: uid → (stage, `.package`, extra properties lines); `files`: more files of the
    /// release (tool scripts, hooks), relative to the component folder; `component`: extra
    /// component.yaml lines (plugin_class, hooks, limits, on_failure).
    init(tasks: [(uid: String, stage: String, sql: String, extra: String)],
         tools: [(uid: String, stage: String, package: String, extra: String)] = [],
         files: [String: String] = [:], component: String = "") throws {
        tree = try TemporaryTree("qu-run")
        var properties = ""
        for t in tasks {
            properties += "sql.\(t.uid).id=\(t.uid)\nsql.\(t.uid).description=\(t.uid)\nsql.\(t.uid).file=sql/\(t.uid).sql\nsql.\(t.uid).stage=\(t.stage)\n\(t.extra)\n"
            try write("release/shop/upgrade/V1.0.1/sql/\(t.uid).sql", t.sql)
        }
        for t in tools {
            properties += "tool.\(t.uid).id=\(t.uid)\ntool.\(t.uid).description=\(t.uid)\ntool.\(t.uid).package=\(t.package)\ntool.\(t.uid).stage=\(t.stage)\n\(t.extra)\n"
        }
        for (path, text) in files { try write("release/shop/\(path)", text) }
        try write("release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", properties)
        try write("release/shop/component.yaml", "datasources:\n  - name: shop_db\n    type: sqlite\n" + component)
        try write("env.yaml", "site: TEST\ndatasources:\n  shop_db: {type: sqlite, path: shop.db}\n")
        guard FileManager.default.createFile(atPath: database, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
    }

    func write(_ path: String, _ text: String) throws { try tree.write(path, text) }

    func remove() { try? FileManager.default.removeItem(at: root) }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func add(_ line: String) { lock.withLock { stored.append(line) } }
        var all: [String] { lock.withLock { stored } }
    }

    /// Loads, plans V1.0.0 → V1.0.1 and runs; returns the result and the printed lines.
    func run(confirm: Set<String> = [], accept: Set<String> = [], dryRun: Bool = false) async throws -> (RunResult, [String]) {
        let lines = Lines()
        return (try await run(clock: ContinuousClock(), lines: lines, confirm: confirm, accept: accept, dryRun: dryRun), lines.all)
    }

    /// The same on a given clock, printing into `lines` as it goes (for tests that drive the clock).
    func run<C: Clock>(clock: C, lines: Lines, confirm: Set<String> = [], accept: Set<String> = [],
                       dryRun: Bool = false, isolation: IsolationChoice? = nil) async throws -> RunResult where C.Duration == Duration {
        let workspace = try Workspace.open(release: release, environment: envFile)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        let output = RunOutput(console: { lines.add($0) })
        var context = RunContext(stateDirectory: state, clock: clock, output: output)
        if let isolation { context.isolationChoice = isolation }
        var request = RunRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: try #require(workspace.environment),
                                 dryRun: dryRun, confirmRerun: confirm, acceptChanged: accept, plugins: workspace.plugins)
        request.backupTables = workspace.release.backupTablesByComponent  // as RunOperation does
        return await Executor(journal: try Journal(stateDirectory: state), context: context).run(request)
    }

    /// Rolls back run `target` (F4) with the release's plan V1.0.0 → V1.0.1.
    func rollback(_ target: String, undoneByHand: Set<String> = [], confirm: Set<String> = [],
                  dryRun: Bool = false) async throws -> (RunResult, [String]) {
        let lines = Lines()
        let workspace = try Workspace.open(release: release, environment: envFile)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        let context = RunContext(stateDirectory: state, clock: ContinuousClock(), output: RunOutput(console: { lines.add($0) }))
        var request = RollbackRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: try #require(workspace.environment),
                                      target: target, dryRun: dryRun, undoneByHand: undoneByHand, confirmRerun: confirm)
        request.backupTables = workspace.release.backupTablesByComponent  // as RollbackOperation does
        let result = await Rollback(journal: try Journal(stateDirectory: state), context: context).run(request)
        return (result, lines.all)
    }

    /// The journal as a kill -9 in the middle of a task's statements leaves it: the task's last
    /// attempt RUNNING (its SUCCESS, written only after the statements, never came).
    func journalInterrupted(taskSuffix: String) throws {
        let journal = try Journal(stateDirectory: state)
        guard var attempt = try journal.latestAttempts().first(where: { $0.key.hasSuffix(taskSuffix) })?.value else { return }
        attempt.status = "RUNNING"
        attempt.endedAt = nil
        attempt.durationMs = nil
        try journal.record(attempt)
    }

    /// One value from the SQLite file, read with the system's python3 (a second, independent reader).
    func query(_ sql: String) throws -> String {
        let output = try ChildProcess.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchall())", database, sql])
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
