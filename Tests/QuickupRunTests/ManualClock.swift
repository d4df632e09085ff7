import Foundation
@testable import QuickupRun

/// A clock that moves only when a test advances it, so timeout and retry logic runs without sleeping.
final class ManualClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var sleepers: [(id: UUID, deadline: Instant, continuation: CheckedContinuation<Void, Error>)] = []

    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .nanoseconds(1) }

    /// How many sleeps were asked for so far (a timer armed per call).
    var sleepCalls: Int { lock.withLock { calls } }
    private var calls = 0

    /// Number of tasks waiting on the clock — lets a test wait until work has reached a sleep.
    var sleeperCount: Int { lock.withLock { sleepers.count } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        lock.withLock { calls += 1 }
        try Task.checkCancellation()
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                lock.withLock {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if deadline <= current {
                        continuation.resume()
                    } else {
                        sleepers.append((id, deadline, continuation))
                    }
                }
            }
        } onCancel: {
            // A cancelled sleeper must wake, or a task group waiting for it never ends.
            let cancelled = lock.withLock { () -> CheckedContinuation<Void, Error>? in
                guard let index = sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return sleepers.remove(at: index).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    func advance(by duration: Duration) {
        let due: [CheckedContinuation<Void, Error>] = lock.withLock {
            current = current.advanced(by: duration)
            let ready = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            return ready.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Waits (really, briefly) until `count` tasks sleep on this clock.
    func waitForSleepers(_ count: Int) async {
        while sleeperCount < count { await Task.yield(); try? await Task.sleep(for: .milliseconds(1)) }
    }
}

/// A tiny lock wrapper for test bookkeeping.
final class NSLockShim: @unchecked Sendable {
    private let lock = NSLock()
    func run<T>(_ body: () -> T) -> T { lock.withLock(body) }
}

/// Real time, plus one millisecond more at every reading: two values computed from the clock at
/// different moments always differ, however fast the machine. Sleeps wait real time (a little
/// longer than asked, which nothing here minds).
final class TickingClock: Clock, @unchecked Sendable {
    typealias Instant = ContinuousClock.Instant
    private let lock = NSLock()
    private var readings: Int64 = 0

    var now: Instant {
        let count = lock.withLock { () -> Int64 in
            readings += 1
            return readings
        }
        return ContinuousClock.now.advanced(by: .milliseconds(count))
    }

    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await ContinuousClock().sleep(until: deadline, tolerance: tolerance)
    }
}
