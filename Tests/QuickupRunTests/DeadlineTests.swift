import Testing
@testable import QuickupRun

@Suite("Timeouts and retries as data (E7, E8)")
struct DeadlineTests {
    @Test("E7: warnings at 85 % and 95 %, then the work is cancelled at 100 %", arguments: Watching.allCases)
    func timesOut(_ watching: Watching) async throws {
        let clock = ManualClock()
        let warnings = Warnings()
        let worker = Task {
            try await watching.run(clock: clock, limit: .seconds(100), warn: { fraction, _ in warnings.add(fraction) }) {
                // Stands for a long statement: it ends only when cancelled.
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(1)) }
                return "cancelled"
            }
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(85))
        await clock.waitForSleepers(1)
        #expect(warnings.values == [0.85])
        clock.advance(by: .seconds(10))
        await clock.waitForSleepers(1)
        #expect(warnings.values == [0.85, 0.95])
        clock.advance(by: .seconds(5))
        await #expect(throws: Deadline<ManualClock>.TimedOut.self) { try await worker.value }
    }

    @Test("E7: work that finishes in time returns its value and no warning fires", arguments: Watching.allCases)
    func finishes(_ watching: Watching) async throws {
        let clock = ManualClock()
        let warnings = Warnings()
        let value = try await watching.run(clock: clock, limit: .seconds(10), warn: { f, _ in warnings.add(f) }) { 42 }
        #expect(value == 42 && warnings.values.isEmpty)
    }

    @Test("E8: retries only while allowed, never for non-retryable work that may have changed data")
    func retries() {
        let policy = RetryPolicy(retries: 2, interval: .seconds(5))
        #expect(policy.allowsRetry(after: 1, mayHaveChangedData: false, retryable: false))
        #expect(policy.allowsRetry(after: 2, mayHaveChangedData: false, retryable: false))
        #expect(!policy.allowsRetry(after: 3, mayHaveChangedData: false, retryable: false))
        #expect(!policy.allowsRetry(after: 1, mayHaveChangedData: true, retryable: false))
        #expect(policy.allowsRetry(after: 1, mayHaveChangedData: true, retryable: true))
        #expect(!RetryPolicy.none.allowsRetry(after: 1, mayHaveChangedData: false, retryable: true))
    }
}

/// The same scenarios for both ways an attempt's time is watched: `Deadline` (tools, hooks,
/// config changes) and a component's `AttemptWatch` (SQL and Redis tasks, issue 20.3).
enum Watching: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case deadline, attemptWatch
    var testDescription: String { rawValue }

    func run<T: Sendable>(clock: ManualClock, limit: Duration, warn: @escaping @Sendable (Double, Duration) -> Void,
                          progress: Deadline<ManualClock>.Progress? = nil,
                          _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        switch self {
        case .deadline:
            return try await Deadline(limit: limit, clock: clock).run(warn: warn, progress: progress, work)
        case .attemptWatch:
            let watch = AttemptWatch(clock: clock)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await watch.watch() }
                defer { group.cancelAll() }
                return try await watch.run(limit: limit, warn: warn, progress: progress, work)
            }
        }
    }
}

final class Warnings: @unchecked Sendable {
    private let lock = NSLockShim()
    private var stored: [Double] = []
    func add(_ v: Double) { lock.run { stored.append(v) } }
    var values: [Double] { lock.run { stored } }
}

@Suite("Progress lines (E9)")
struct ProgressTickerTests {
    @Test("a line every interval while the work runs, none after", arguments: Watching.allCases)
    func ticks(_ watching: Watching) async throws {
        let clock = ManualClock()
        let reports = Warnings()
        let finish = Gate()
        let worker = Task {
            try await watching.run(clock: clock, limit: .seconds(3600), warn: { _, _ in }, progress: .init(interval: .seconds(10)) { elapsed in
                reports.add(Double(elapsed.components.seconds))
            }) {
                await finish.wait()
                return 7
            }
        }
        for _ in 0..<3 {
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(10))
        }
        await clock.waitForSleepers(1)
        #expect(reports.values == [10, 20, 30])
        finish.open()
        #expect(try await worker.value == 7)
    }

    @Test("progress ticks and timeout warnings share one timer; a slow report does not delay the timeout", arguments: Watching.allCases)
    func ticksAndWarnings(_ watching: Watching) async throws {
        let clock = ManualClock()
        let warnings = Warnings(), reports = Warnings()
        let stuck = Gate(), stopped = Gate()
        let worker = Task {
            try await watching.run(clock: clock, limit: .seconds(40), warn: { f, _ in warnings.add(f) }, progress: .init(interval: .seconds(20)) { elapsed in
                reports.add(Double(elapsed.components.seconds))
                await stuck.wait()  // a progress query that does not answer
            }) {
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(1)) }
                stopped.open()
                return 0
            }
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(20))
        while reports.values.isEmpty { try await Task.sleep(for: .milliseconds(1)) }  // the report runs in a task of its own
        await clock.waitForSleepers(1)
        #expect(reports.values == [20])
        clock.advance(by: .seconds(20))  // 85 %, 95 % and the limit at once
        await stopped.wait()  // the work is cancelled while the report still hangs
        #expect(warnings.values == [0.85, 0.95])
        stuck.open()
        await #expect(throws: Deadline<ManualClock>.TimedOut.self) { try await worker.value }
    }
}

/// Lets a test decide when simulated work ends.
final class Gate: @unchecked Sendable {
    private let lock = NSLockShim()
    private var isOpen = false
    func open() { lock.run { isOpen = true } }
    /// Until opened, or until the waiting task is cancelled (a cancelled task must not spin on).
    func wait() async { while !lock.run({ isOpen }), !Task.isCancelled { try? await Task.sleep(for: .milliseconds(1)) } }
}
