import QuickupCore
import Synchronization

/// The deadlines of one component's SQL and Redis attempts (E7, E9), watched by one timer task
/// for all of them instead of a timer task per attempt (issue 20.3).
///
/// `Deadline` gives each attempt a task group, a timer child and a clock sleep: for a migration of
/// a millisecond, three thread hand-overs and a timer armed and cancelled. Here an attempt
/// registers its start and limit and runs its work in one child; `watch()` — a task of its own,
/// on the global executor, because the attempt's thread blocks in the driver — sleeps until the
/// earliest warning, progress report or limit of the attempts registered, and is woken only
/// when a new attempt's first event comes earlier than that (attempts of equal timeouts never
/// wake it). At a limit it cancels that attempt's child (the driver turns the cancellation into
/// KILL QUERY, as with `Deadline`) and the attempt throws `Deadline.TimedOut`. Time comes from the
/// injected clock, so tests need not sleep.
final class AttemptWatch<C: Clock>: Sendable where C.Duration == Duration {
    let clock: C
    private let state = Mutex(State())

    init(clock: C) { self.clock = clock }

    /// Runs `work` in a child task under `limit`, with warnings at `warnings` of it and a report
    /// every `progress.interval` while it runs; as `Deadline.run`.
    func run<T: Sendable>(limit: Duration, warnings: [Double] = [0.85, 0.95],
                          warn: @escaping @Sendable (_ fraction: Double, _ elapsed: Duration) -> Void,
                          progress: Deadline<C>.Progress? = nil,
                          _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let start = clock.now
        let attempt = Attempt(start: start, limit: limit, warnings: warnings.filter { $0 > 0 && $0 < 1 }.sorted(),
                              warn: warn, progress: progress)
        let id = register(attempt)
        defer { state.withLock { _ = $0.attempts.removeValue(forKey: id) } }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask {
                    // Cancellable by `watch()` from the moment it runs until it returns.
                    withUnsafeCurrentTask { task in self.attach(task, to: id) }
                    defer { self.detach(id) }
                    return try await work()
                }
                guard let value = try await group.next() else { throw CancellationError() }
                return value
            })
        } catch {
            outcome = .failure(error)
        }
        // Past the limit the attempt timed out, whatever its cancelled work returned (as `Deadline`).
        if state.withLock({ $0.attempts[id]?.expired == true }) { throw Deadline<C>.TimedOut(limit: limit) }
        return try outcome.get()
    }

    /// Fires what is due and sleeps until the next event, until cancelled. Run it beside the
    /// attempts it watches, on the global executor.
    func watch() async {
        await withDiscardingTaskGroup { reports in
            while !Task.isCancelled {
                let target = state.withLock { state in
                    state.sleepingUntil = state.nextEvent()
                    return state.sleepingUntil
                }
                await withTaskGroup(of: Void.self) { wait in
                    if let target { wait.addTask { try? await self.clock.sleep(until: target, tolerance: nil) } }
                    wait.addTask { await self.nudged() }
                    await wait.next()
                    wait.cancelAll()
                }
                for report in fireDue() {
                    reports.addTask { await report() }
                }
            }
            reports.cancelAll()
        }
    }

    /// Warnings (written here: a line each), then expiries; the progress reports due, to run in
    /// tasks of their own so a slow progress query never delays a limit.
    private func fireDue() -> [@Sendable () async -> Void] {
        let now = clock.now
        var warnings: [() -> Void] = []
        var reports: [@Sendable () async -> Void] = []
        var expired: [Int] = []
        state.withLock { state in
            for id in state.attempts.keys {
                guard var attempt = state.attempts[id], !attempt.expired else { continue }
                let elapsed = attempt.start.duration(to: now)
                while attempt.warned < attempt.warnings.count, elapsed >= attempt.limit * attempt.warnings[attempt.warned] {
                    let fraction = attempt.warnings[attempt.warned], warn = attempt.warn
                    warnings.append { warn(fraction, elapsed) }
                    attempt.warned += 1
                }
                if elapsed >= attempt.limit {
                    attempt.expired = true
                    expired.append(id)
                } else if let progress = attempt.progress, let tick = attempt.nextTick, tick <= now {
                    reports.append { await progress.report(elapsed) }
                    attempt.nextTick = now.advanced(by: progress.interval)
                }
                state.attempts[id] = attempt
            }
        }
        for warning in warnings { warning() }
        // Cancelled under the lock: a child cancels only while attached, so its task is alive.
        if !expired.isEmpty {
            state.withLock { state in
                for id in expired { state.attempts[id]?.task?.task.cancel() }
            }
        }
        return reports
    }

    private func register(_ attempt: Attempt) -> Int {
        let (id, wake) = state.withLock { state -> (Int, CheckedContinuation<Void, Never>?) in
            let id = state.nextID
            state.nextID += 1
            state.attempts[id] = attempt
            // `watch()` wakes only if this attempt's first event comes before its planned wake-up.
            guard let first = attempt.nextEvent else { return (id, nil) }
            if let until = state.sleepingUntil, until <= first { return (id, nil) }
            if let wake = state.wake {
                state.wake = nil
                return (id, wake)
            }
            state.nudged = true
            return (id, nil)
        }
        wake?.resume()
        return id
    }

    private func attach(_ task: UnsafeCurrentTask?, to id: Int) {
        guard let task else { return }
        state.withLock { state in
            guard state.attempts[id] != nil else { return }
            state.attempts[id]?.task = CurrentTask(task: task)
            // Past its limit before its work began: cancelled at once, as a timer would have.
            if state.attempts[id]?.expired == true { task.cancel() }
        }
    }

    /// Before the child returns: from here on its task may be gone, so it is never cancelled.
    private func detach(_ id: Int) {
        state.withLock { $0.attempts[id]?.task = nil }
    }

    /// Returns when an attempt needs an earlier wake-up than the one planned, or when cancelled.
    private func nudged() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    // Checked under the lock: a cancellation before this point finds no
                    // continuation to resume, one after it finds this one stored.
                    if state.nudged || Task.isCancelled {
                        state.nudged = false
                        return true
                    }
                    state.wake = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let wake = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.wake = nil }
                return state.wake
            }
            wake?.resume()
        }
    }

    private struct Attempt: Sendable {
        let start: C.Instant
        let limit: Duration
        let warnings: [Double]
        let warn: @Sendable (Double, Duration) -> Void
        let progress: Deadline<C>.Progress?
        var warned = 0
        var nextTick: C.Instant?
        var expired = false
        var task: CurrentTask?

        init(start: C.Instant, limit: Duration, warnings: [Double], warn: @escaping @Sendable (Double, Duration) -> Void,
             progress: Deadline<C>.Progress?) {
            self.start = start
            self.limit = limit
            self.warnings = warnings
            self.warn = warn
            self.progress = progress
            nextTick = progress.map { start.advanced(by: $0.interval) }
        }

        /// The next warning, report or limit.
        var nextEvent: C.Instant? {
            guard !expired else { return nil }
            let warning = warned < warnings.count ? start.advanced(by: limit * warnings[warned]) : start.advanced(by: limit)
            guard let nextTick, nextTick < warning else { return warning }
            return nextTick
        }
    }

    /// An attempt's child task, cancelled only under the lock and only while attached.
    private struct CurrentTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private struct State: Sendable {
        var attempts: [Int: Attempt] = [:]
        var nextID = 0
        /// What `watch()` sleeps until; nil while it waits for an attempt.
        var sleepingUntil: C.Instant?
        var wake: CheckedContinuation<Void, Never>?
        /// A nudge that came while `watch()` was not waiting for one.
        var nudged = false

        func nextEvent() -> C.Instant? {
            attempts.values.compactMap(\.nextEvent).min()
        }
    }
}
