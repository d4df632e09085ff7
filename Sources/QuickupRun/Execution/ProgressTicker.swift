/// E9: while a task runs, a progress line every `interval` (elapsed, estimate, percent where the
/// server reports it). Plain lines, so logs and non-terminals read the same.
struct ProgressTicker<C: Clock>: Sendable where C.Duration == Duration {
    let clock: C
    let interval: Duration

    func whileRunning<T: Sendable>(report: @escaping @Sendable (Duration) async -> Void,
                                   _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let start = clock.now
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                while true {
                    try await clock.sleep(until: clock.now.advanced(by: interval), tolerance: nil)
                    await report(start.duration(to: clock.now))
                }
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw CancellationError()
        }
    }
}
