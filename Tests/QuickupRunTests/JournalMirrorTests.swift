import Dispatch
import Foundation
import GRDB
import Synchronization
import QuickupCore
import Testing
@testable import QuickupRun

/// The journal's mirror of upgrade_log rows is written behind the run (E12) without ever
/// reordering rows or hiding a failed write (E2, E4).
@Suite("Journal mirror written behind the run (E2, E12)")
struct JournalMirrorTests {
    private func withJournal(_ body: (Journal) throws -> Void) throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("qu-mirror-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let journal = try Journal(stateDirectory: state)
        try journal.insert(RunRecord(id: "r1", release: "r", from: "V0", to: "V1", site: nil, stage: "all", status: .running,
                                     startedAt: 0, host: "h", pid: 1))
        try body(journal)
    }

    private func attempt(_ task: Int, _ status: String, run: String = "r1") -> AttemptRecord {
        AttemptRecord(runID: run, taskKey: "app/V1/sql.t\(task)", component: "app", version: "V1", kind: "sql",
                      stage: "pre_stop", datasource: "db", attempt: 1, status: status, checksum: nil, startedAt: Int64(task))
    }

    @Test("queued rows land in order: each task's SUCCESS after its RUNNING, as the run sent them")
    func orderIsKept() throws {
        try withJournal { journal in
            // The run's pattern: [SUCCESS n-1, RUNNING n] per task, far faster than one SQLite
            // commit each, so the lane must batch them and still keep the order.
            for task in 0..<2_000 {
                try journal.recordSoon(task == 0 ? [attempt(0, "RUNNING")] : [attempt(task - 1, "SUCCESS"), attempt(task, "RUNNING")])
            }
            let attempts = try journal.attempts(run: "r1")
            #expect(attempts.count == 2_000)
            #expect(attempts.filter { $0.status == "SUCCESS" }.count == 1_999)
            #expect(try journal.latestAttempts()["app/V1/sql.t1999"]?.status == "RUNNING")
        }
    }

    @Test("a direct write after queued ones is never overtaken by them")
    func directWritesWaitForQueuedOnes() throws {
        try withJournal { journal in
            for round in 0..<200 {
                try journal.recordSoon([attempt(round, "RUNNING")])
                try journal.record(attempt(round, "FAILED"))
            }
            #expect(try journal.attempts(run: "r1").allSatisfy { $0.status == "FAILED" })
        }
    }

    @Test("settling waits for a write already in progress, not only for queued rows")
    func settleWaitsForAWriteInProgress() throws {
        let started = DispatchSemaphore(value: 0)
        let written = Mutex<[String]>([])
        let lane = JournalMirrorLane(coalescing: .milliseconds(0)) { (batch) throws(QuickupError) in
            started.signal()
            Thread.sleep(forTimeInterval: 0.05)
            written.withLock { $0 += batch.map(\.taskKey) }
        }
        try lane.enqueue([attempt(1, "RUNNING")])
        started.wait()  // the lane has taken the row and is writing it
        try lane.settle()
        #expect(written.withLock { $0 } == ["app/V1/sql.t1"])
    }

    @Test("a queued write that fails stops the next journal call with the error")
    func failuresSurface() throws {
        try withJournal { journal in
            try journal.pool.write { db in try db.execute(sql: "DROP TABLE attempt") }
            try journal.recordSoon([attempt(1, "RUNNING")])
            var failure: QuickupError?
            do throws(QuickupError) { try journal.record(attempt(1, "SUCCESS")) } catch { failure = error }
            #expect(failure?.code == .io)
            #expect(failure?.message.contains("app/V1/sql.t1") == true, "\(String(describing: failure))")
            #expect(failure?.message.contains("no such table") == true, "\(String(describing: failure))")
            // Reported once: the run's closing writes (its status, the lock) still go through.
            try journal.finishRun("r1", status: .failed, at: 1, message: failure?.message)
            #expect(try journal.run("r1")?.status == .failed)
        }
    }
}
