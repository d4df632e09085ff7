import QuickupCore

/// Threads of the server's runs (H1, issue 17): a run's tasks and their child tasks run here
/// (`Task(executorPreference:)`), not on Swift's cooperative pool, where the HTTP handlers run.
/// On two cores the pool has two threads: with 100 pollers a status answer — already made and
/// kept — waited for a thread the run's high-priority jobs held (p99 10–27 ms), and before the
/// run was given high priority, the run waited behind the handlers. With threads of their
/// own, the kernel shares the cores between the two sides and neither queues behind the other.
final class RunThreads: TaskExecutor, Sendable {
    private let threads: ThreadPool

    /// `count` threads, started now and kept for the server's life (a server runs one or a few
    /// runs at a time; the engine's lanes of one run need more than one).
    init(count: Int) {
        threads = ThreadPool(count: max(1, count), name: "quickup-run")
    }

    /// Whether the caller runs on one of these threads.
    var isCurrent: Bool { threads.isCurrent }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        threads.run { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
