import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// E6's lock file of a SQLite datasource (issue 13 item 10: a run was refused right after the
/// previous one in the same process ended, because a child forked at that moment still shared
/// the released lock's descriptor until it exec'd).
@Suite struct SQLiteLockFileTests {
    static let holder = LockRecord(environment: "S", runID: "run-2", host: "here", pid: getpid(), startedAt: 0)

    /// Holds the lock as another open file description would, with `record` in the file.
    static func hold(_ database: String, record: String) throws -> Int32 {
        let fd = open(SQLiteLockFile.path(database: database), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        _ = ftruncate(fd, 0)
        _ = record.withCString { pwrite(fd, $0, strlen($0), 0) }
        return fd
    }

    @Test("a lock held with no holder written (being released or taken) is waited for, then taken")
    func settlesWhenTheHolderIsUnnamed() async throws {
        let tree = try TemporaryTree("quickup-lockfile")
        defer { tree.remove() }
        let database = "\(tree.path)/shop.db"
        let other = try Self.hold(database, record: "")
        guard case .busy("") = try SQLiteLockFile.take(database: database, holder: Self.holder, datasource: "shop_db") else {
            Issue.record("a held lock with an empty file is busy with no holder named")
            return
        }
        // The other description goes away while quickup waits (the forked child exec'd).
        async let taken = SQLiteLockFile.takeSettled(database: database, holder: Self.holder, datasource: "shop_db")
        try await Task.sleep(for: .milliseconds(300))
        close(other)
        let fd = try #require(try await taken)
        let written = try String(contentsOfFile: SQLiteLockFile.path(database: database), encoding: .utf8)
        #expect(written.hasPrefix("run run-2 on host here"))
        SQLiteLockFile.release(fd)
    }

    @Test("a lock whose holder names itself is refused at once, naming the holder")
    func refusedWithTheHolder() async throws {
        let tree = try TemporaryTree("quickup-lockfile")
        defer { tree.remove() }
        let database = "\(tree.path)/shop.db"
        let other = try Self.hold(database, record: "run run-1 on host there, pid 42\n")
        defer { close(other) }
        let error = await #expect(throws: QuickupError.self) {
            _ = try await SQLiteLockFile.takeSettled(database: database, holder: Self.holder, datasource: "shop_db")
        }
        #expect(error?.code == .locked)
        #expect(error?.message.contains("run run-1 on host there, pid 42") == true)
    }
}
