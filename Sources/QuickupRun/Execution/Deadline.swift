import QuickupCore

/// Runs work under a time limit with early warnings (E7): at 85 % and 95 % of the limit the
/// `warn` callback fires; at 100 % the work's task is cancelled — drivers turn that into KILL QUERY,
/// tools into killing the process group — and `TimedOut` is thrown. Time comes from an injected
/// clock so tests need not sleep.
///
/// With `progress`, it also reports every `interval` while the work runs (E9). Warnings, progress
/// and the limit share one timer task: a task of a few milliseconds then costs one child task and
/// one clock sleep besides its work, not a task group and a timer for each concern (E12). Each
/// report runs in a child task of its own, so a slow progress query never delays the timeout.
public struct Deadline<C: Clock>: Sendable where C.Duration == Duration {
    public var limit: Duration
    public var warnings: [Double]
    public var clock: C

    public init(limit: Duration, warnings: [Double] = [0.85, 0.95], clock: C) {
        self.limit = limit
        self.warnings = warnings.filter { $0 > 0 && $0 < 1 }.sorted()
        self.clock = clock
    }

    public struct TimedOut: Error, Sendable {
        public var limit: Duration
    }

    /// A report every `interval` of the elapsed time while the work runs.
    public struct Progress: Sendable {
        public var interval: Duration
        public var report: @Sendable (Duration) async -> Void

        public init(interval: Duration, report: @escaping @Sendable (Duration) async -> Void) {
            self.interval = interval
            self.report = report
        }
    }

    public func run<T: Sendable>(
        warn: @escaping @Sendable (_ fraction: Double, _ elapsed: Duration) -> Void,
        progress: Progress? = nil,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let start = clock.now
        return try await withThrowingTaskGroup(of: Event<T>.self) { group in
            group.addTask { .finished(try await work()) }
            group.addTask { try await timer(start: start, warned: 0, nextTick: progress.map { start.advanced(by: $0.interval) }, warn: warn) }
            defer { group.cancelAll() }
            while let event = try await group.next() {
                switch event {
                case .finished(let value):
                    return value
                case .expired:
                    throw TimedOut(limit: limit)
                case .tick(let warned):
                    guard let progress else { continue }
                    let elapsed = start.duration(to: clock.now)
                    group.addTask {
                        await progress.report(elapsed)
                        return .reported
                    }
                    let next = clock.now.advanced(by: progress.interval)
                    group.addTask { try await timer(start: start, warned: warned, nextTick: next, warn: warn) }
                case .reported:
                    continue
                }
            }
            throw CancellationError()
        }
    }

    /// Sleeps until the next of: a warning (fired here, it only writes a line), a progress tick or
    /// the limit (both handed to `run`, which starts the report and the next timer).
    private func timer<T>(start: C.Instant, warned: Int, nextTick: C.Instant?,
                          warn: @Sendable (Double, Duration) -> Void) async throws -> Event<T> {
        var warned = warned
        let end = start.advanced(by: limit)
        while true {
            let warning = warned < warnings.count ? start.advanced(by: limit * warnings[warned]) : end
            if let nextTick, nextTick < warning {
                try await clock.sleep(until: nextTick, tolerance: nil)
                return .tick(warned: warned)
            }
            try await clock.sleep(until: warning, tolerance: nil)
            guard warned < warnings.count else { return .expired }
            warn(warnings[warned], start.duration(to: clock.now))
            warned += 1
        }
    }

    private enum Event<T: Sendable>: Sendable {
        case finished(T)
        case expired
        /// A progress report is due; `warned` warnings have fired so far.
        case tick(warned: Int)
        case reported
    }
}
