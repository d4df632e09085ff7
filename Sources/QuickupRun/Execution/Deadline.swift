import QuickupCore

/// Runs work under a time limit with early warnings (E7): at 85 % and 95 % of the limit the
/// `warn` callback fires; at 100 % the work's task is cancelled — drivers turn that into KILL QUERY,
/// tools into killing the process group — and `TimedOut` is thrown. Time comes from an injected
/// clock so tests need not sleep.
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

    public func run<T: Sendable>(
        warn: @escaping @Sendable (_ fraction: Double, _ elapsed: Duration) -> Void,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let start = clock.now
        return try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .finished(try await work()) }
            group.addTask {
                for fraction in warnings {
                    try await clock.sleep(until: start.advanced(by: limit * fraction), tolerance: nil)
                    warn(fraction, start.duration(to: clock.now))
                }
                try await clock.sleep(until: start.advanced(by: limit), tolerance: nil)
                return .expired
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            switch first {
            case .finished(let value): return value
            case .expired: throw TimedOut(limit: limit)
            }
        }
    }

    private enum Outcome<T: Sendable>: Sendable {
        case finished(T)
        case expired
    }
}
