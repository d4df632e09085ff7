import Dispatch
import Foundation
import GRDB
import QuickupCore
import Synchronization
import Testing
@testable import QuickupRun

/// The summary read that API pollers make (H1, issue 17): the run row without its plan, out of
/// the way of the run's queued journal writes.
@Suite("Journal summary read of a run (H1, issue 17)")
struct JournalSummaryTests {
    private static let runID = "r1"

    private func withJournal(_ body: (Journal) throws -> Void) throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("qu-summary-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let journal = try Journal(stateDirectory: state)
        var run = RunRecord(id: Self.runID, release: "r", from: "V0", to: "V1", site: "S", stage: "all", status: .running,
                            startedAt: 7, host: "h", pid: 1)
        run.planJSON = String(repeating: "{\"plan\": 1}", count: 1_000)
        run.parent = "r0"
        run.processStart = "123"
        try journal.insert(run)
        try body(journal)
    }

    private func attempt(_ task: Int, _ status: String) -> AttemptRecord {
        AttemptRecord(runID: Self.runID, taskKey: "app/V1/sql.t\(task)", component: "app", version: "V1", kind: "sql",
                      stage: "pre_stop", datasource: "db", attempt: 1, status: status, checksum: nil, startedAt: Int64(task))
    }

    @Test("the summary is the run's record without plan_json, every other field as the full read gives it")
    func summaryLeavesOutThePlan() throws {
        try withJournal { journal in
            let summary = try journal.runSummary(Self.runID)
            var full = try journal.run(Self.runID)
            #expect(full?.planJSON != nil)
            full?.planJSON = nil
            #expect(summary == full)
            #expect(try journal.runSummary("nope") == nil)
        }
    }

    @Test("a summary read does not take a failed queued write's error: the run that queued it still gets it")
    func failureStaysWithTheRun() throws {
        try withJournal { journal in
            try journal.pool.write { db in try db.execute(sql: "DROP TABLE attempt") }
            try journal.recordSoon([attempt(1, "RUNNING")])
            // A poller's read in between (a full read would settle and be handed the error).
            #expect(try journal.runSummary(Self.runID)?.status == .running)
            var failure: QuickupError?
            do throws(QuickupError) { try journal.record(attempt(1, "SUCCESS")) } catch { failure = error }
            #expect(failure?.message.contains("no such table") == true, "\(String(describing: failure))")
        }
    }

    @Test("a summary read answers while the run's queued write waits for another connection's write lock")
    func summaryDoesNotWaitForQueuedWrites() throws {
        try withJournal { journal in
            let other = try DatabaseQueue(path: journal.path)
            let locked = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let done = DispatchSemaphore(value: 0)
            let holderError = Mutex<String?>(nil)
            DispatchQueue.global().async {
                do {
                    try other.inTransaction(.immediate) { _ in
                        locked.signal()
                        release.wait()
                        return .commit
                    }
                } catch {
                    holderError.withLock { $0 = "\(error)" }
                    locked.signal()
                }
                done.signal()
            }
            locked.wait()
            #expect(holderError.withLock { $0 } == nil)
            // Queued behind the lock: a read that settled would wait for it (up to the busy timeout).
            try journal.recordSoon([attempt(1, "RUNNING")])
            let summary = try journal.runSummary(Self.runID)
            #expect(summary?.status == .running)
            release.signal()
            done.wait()
            // Once the lock is gone the queued row lands, in order, as before.
            #expect(try journal.attempts(run: Self.runID).map(\.status) == ["RUNNING"])
        }
    }
}
