import Foundation
import QuickupCore
import Testing
@testable import QuickupRun

@Suite("Journal (E4, E6, E12)")
struct JournalTests {
    func temporaryState() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("qu-journal-\(UUID().uuidString)").path
    }

    func run(_ id: String, at time: Int64) -> RunRecord {
        RunRecord(id: id, release: "r", from: "V1.0.0", to: "V1.1.0", site: "S", stage: "all", status: .running,
                  startedAt: time, host: "h", pid: 1)
    }

    @Test("runs, attempts and events round-trip; latest attempt per task wins")
    func roundTrip() throws {
        let state = temporaryState()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let journal = try Journal(stateDirectory: state)
        try journal.insert(run("r1", at: 1000))
        try journal.insert(run("r2", at: 2000))
        var a = AttemptRecord(runID: "r1", taskKey: "base/V1.0.1/sql.a", component: "base", version: "V1.0.1", kind: "sql",
                              stage: "pre_stop", datasource: "db", attempt: 1, status: "FAILED", checksum: "c1", startedAt: 1000)
        try journal.record(a)
        a.runID = "r2"
        a.startedAt = 2000
        a.status = "SUCCESS"
        a.durationMs = 42
        try journal.record(a)
        try journal.finishRun("r1", status: .failed, at: 1500, message: "boom")
        try journal.append(EventRecord(runID: "r2", at: 2001, level: "warn", kind: "timeout_warning", taskKey: a.taskKey, message: "85 %"))
        let reopened = try Journal(stateDirectory: state)
        #expect(try reopened.runs().map(\.id) == ["r2", "r1"])
        #expect(try reopened.run("r1")?.status == .failed)
        #expect(try reopened.run("r1")?.message == "boom")
        #expect(try reopened.latestAttempts()[a.taskKey]?.status == "SUCCESS")
        #expect(try reopened.successfulDurations(of: a.taskKey) == [42])
        #expect(try reopened.events(run: "r2").map(\.kind) == ["timeout_warning"])
    }

    @Test("E6: a live holder blocks; a dead holder is taken over and its run marked interrupted")
    func lock() throws {
        let state = temporaryState()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let journal = try Journal(stateDirectory: state)
        try journal.insert(run("r1", at: 1))
        let first = LockRecord(environment: "SITE-A", runID: "r1", host: "h", pid: 100, startedAt: 1)
        let second = LockRecord(environment: "SITE-A", runID: "r2", host: "h", pid: 200, startedAt: 2)
        #expect(try journal.acquireLock(first) { _ in true } == .acquired)
        #expect(try journal.acquireLock(second) { _ in true } == .held(first))
        #expect(try journal.acquireLock(second) { _ in false } == .takenOver(from: first))
        #expect(try journal.run("r1")?.status == .interrupted)
        #expect(try journal.lockHolder(environment: "SITE-A")?.runID == "r2")
        try journal.releaseLock(environment: "SITE-A", runID: "r2")
        #expect(try journal.lockHolder(environment: "SITE-A") == nil)
    }

    @Test("a state directory that cannot be created is a clear error")
    func unwritable() {
        #expect(throws: QuickupError.self) { try Journal(stateDirectory: "/proc/quickup-cannot-exist") }
    }
}

@Suite("Timestamps in messages")
struct TimestampTests {
    @Test("the hand-written ISO 8601 text matches Foundation's for times around the year")
    func matchesFoundation() {
        let formatter = ISO8601DateFormatter()
        for ms: Int64 in [0, 1_000, 951_782_400_000, 1_764_112_595_999, 1_767_225_599_000, 4_102_444_800_123] {
            #expect(Timestamps.text(ms) == formatter.string(from: Date(timeIntervalSince1970: Double(ms / 1000))), "\(ms)")
        }
    }
}
