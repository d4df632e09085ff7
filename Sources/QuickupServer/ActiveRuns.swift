import Foundation
import Logging
import QuickupCore
import QuickupRun
import ServiceLifecycle
import Synchronization

/// Runs and rollbacks started through the API (H1): each is a task of its own, so the request
/// that started it can answer 202 at once. On SIGTERM (graceful shutdown) no new work is taken,
/// running work gets the grace period to finish, then it is cancelled the way Ctrl-C cancels a
/// CLI run — statements killed, recorded `cancelled`, resumable.
public final class ActiveRuns: Service, Sendable {
    struct Active: Sendable {
        let task: Task<RunResult, Never>
        let board: LiveBoard
        /// Tells this start from a later one under the same id (an upgrade resumed at its gate).
        let token: UUID
        /// The last summary answered for this run (RunSummaryView); it goes with the entry.
        var summary: SummarySnapshot?
    }

    private let runs = Mutex<[String: Active]>([:])
    private let draining = Atomic<Bool>(false)
    let grace: Duration
    let metrics: ServerMetrics
    let logger: Logger

    /// Where runs execute, apart from the HTTP side (`RunThreads`).
    private let threads = RunThreads(count: ProcessInfo.processInfo.activeProcessorCount)

    init(grace: Duration, metrics: ServerMetrics, logger: Logger) {
        self.grace = grace
        self.metrics = metrics
        self.logger = logger
    }

    public var isDraining: Bool { draining.load(ordering: .relaxed) }
    public var tasksInFlight: Int { runs.withLock { $0.values.reduce(0) { $0 + $1.board.count } } }
    public func isActive(_ id: String) -> Bool { runs.withLock { $0[id] != nil } }
    public var activeCount: Int { runs.withLock { $0.count } }

    /// Starts `work` as run `id`; returns its task. Throws when the server is shutting down.
    func start(_ id: String, board: LiveBoard, _ work: @escaping @Sendable () async -> RunResult) throws(APIError) -> Task<RunResult, Never> {
        guard !isDraining else {
            throw APIError(.serviceUnavailable, "shutting_down", "the server is shutting down and takes no new runs",
                           hint: "start the run again once quickup serve is back")
        }
        // Threads of its own and high priority: a run's every await must not queue behind the
        // HTTP requests that poll it (100 pollers starved a 1,000-task run on two cores), nor
        // the answers behind the run (docs/PERFORMANCE.md).
        let task = Task<RunResult, Never>(executorPreference: threads, priority: .high) { [metrics, logger] in
            let result = await work()
            metrics.finished(result)
            logger.info("run ended", metadata: ["run": "\(result.runID)", "status": "\(result.status.rawValue)"])
            return result
        }
        let token = UUID()
        runs.withLock { $0[id] = Active(task: task, board: board, token: token) }
        Task { [weak self] in
            _ = await task.value
            self?.runs.withLock { if $0[id]?.token == token { $0.removeValue(forKey: id) } }
        }
        return task
    }

    /// The summary kept for run `id`, if this server runs it and one was kept.
    func summary(of id: String) -> SummarySnapshot? { runs.withLock { $0[id]?.summary } }

    /// Keeps `snapshot` for run `id` while this server runs it; nothing when it does not (the
    /// run ended meanwhile: its row may change without this server's knowing).
    func keep(_ snapshot: SummarySnapshot, for id: String) {
        runs.withLock { $0[id]?.summary = snapshot }
    }

    /// Waits for the work this server runs as `id` to return, if any (an upgrade that recorded
    /// its pause at the gate is returning: its continuation must not overlap it).
    func ended(_ id: String) async {
        guard let active = runs.withLock({ $0[id] }) else { return }
        _ = await active.task.value
    }

    /// Cancels run `id` if this server runs it; false when it does not.
    func cancel(_ id: String) -> Bool {
        guard let active = runs.withLock({ $0[id] }) else { return false }
        active.task.cancel()
        return true
    }

    /// Waits until no run is left (or `deadline` passes); true when none is left.
    func waitForAll(until deadline: ContinuousClock.Instant) async -> Bool {
        while ContinuousClock.now < deadline {
            if runs.withLock({ $0.isEmpty }) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return runs.withLock { $0.isEmpty }
    }

    /// Stops taking work, gives running work the grace period, then cancels what is left and waits for it.
    public func drain() async {
        guard !draining.exchange(true, ordering: .relaxed) else { return }
        let left = runs.withLock { $0.count }
        if left > 0 { logger.notice("shutting down: waiting up to \(grace) for \(left) run(s) to finish") }
        if await waitForAll(until: .now + grace) { return }
        let active = runs.withLock { Array($0.values) }
        logger.notice("shutting down: cancelling \(active.count) run(s) (recorded cancelled, resumable)")
        for run in active { run.task.cancel() }
        for run in active { _ = await run.task.value }
    }

    /// Service: runs until graceful shutdown, then drains.
    public func run() async throws {
        try? await gracefulShutdown()
        await drain()
    }
}
