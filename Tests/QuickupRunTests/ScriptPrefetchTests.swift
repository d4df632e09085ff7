import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// Issue 20.3: the next SQL task's script is read and split while the server runs the current
/// one. What is read ahead is what reading it at its turn would give; anything else is left to
/// that read, so its error comes at the same task and in the same words.
struct ScriptPrefetchTests {
    private func task(_ uid: String, file: String) -> UpgradeTask {
        var task = UpgradeTask(component: "app", version: Version(1, 0, 1), kind: .sql, uid: uid, id: uid, description: uid,
                               stage: .preStop, filePosition: 1, location: SourceLocation(file: "m.properties", line: 1))
        task.file = file
        task.directory = "app/upgrade/V1.0.1"
        return task
    }

    @Test func aScriptReadAheadIsTakenOnceAtItsTurn() throws {
        let tree = try TemporaryTree("quickup-prefetch", files: ["app/upgrade/V1.0.1/a.sql": "CREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);\n"])
        defer { tree.remove() }
        let runner = TaskRunner(releaseRoot: tree.path)
        let prefetch = ScriptPrefetch(runner: runner)
        let a = task("a", file: "a.sql")
        prefetch.load(a, type: .mariadb)
        // Gone from the disk now: what its task gets was read ahead.
        try FileManager.default.removeItem(atPath: "\(tree.path)/app/upgrade/V1.0.1/a.sql")
        #expect(prefetch.take(task("b", file: "a.sql")) == nil, "only the task it was read for")
        let statements = try #require(prefetch.take(a))
        #expect(statements.map(\.text) == ["CREATE TABLE a (id INT)", "INSERT INTO a VALUES (1)"])
        #expect(statements.map(\.line) == [1, 2])
        #expect(prefetch.take(a) == nil, "taken once")
    }

    @Test func whatCannotBeReadOrIsLargeIsLeftToItsTurn() throws {
        let large = String(repeating: "INSERT INTO t VALUES (1);\n", count: ScriptPrefetch.maxBytes / 26 + 2)
        let tree = try TemporaryTree("quickup-prefetch", files: ["app/upgrade/V1.0.1/large.sql": large,
                                                                 "app/upgrade/V1.0.1/bad.sql": "INSERT INTO t VALUES ('open"])
        defer { tree.remove() }
        let runner = TaskRunner(releaseRoot: tree.path)
        let prefetch = ScriptPrefetch(runner: runner)
        for file in ["large.sql", "bad.sql", "missing.sql"] {
            prefetch.load(task(file, file: file), type: .mariadb)
            #expect(prefetch.take(task(file, file: file)) == nil, "\(file)")
        }
        // The read at the task's turn says what is wrong, as it did before any read ahead.
        #expect(throws: QuickupError.self) { try runner.statements(of: task("bad", file: "bad.sql"), type: .mariadb) }
        #expect(throws: QuickupError.self) { try runner.statements(of: task("missing", file: "missing.sql"), type: .mariadb) }
    }
}
