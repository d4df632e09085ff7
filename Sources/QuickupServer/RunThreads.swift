import Foundation
import Synchronization

/// Threads of the server's runs (H1, issue 17): a run's tasks and their child tasks run here
/// (`Task(executorPreference:)`), not on Swift's cooperative pool, where the HTTP handlers run.
/// On two cores the pool has two threads: with 100 pollers a status answer — already made and
/// kept — waited for a thread the run's high-priority jobs held (p99 10–27 ms), and before the
/// run was given high priority, the run waited behind the handlers. With threads of their
/// own, the kernel shares the cores between the two sides and neither queues behind the other.
final class RunThreads: TaskExecutor, Sendable {
    private let jobs = Mutex<[UnownedJob]>([])
    private let waiting = DispatchSemaphore(value: 0)
    /// The threads' ids (`pthread_self()`), so tests can tell where a job ran.
    private let members = Mutex<Set<UInt>>([])

    /// `count` threads, started now and kept for the server's life (a server runs one or a few
    /// runs at a time; the engine's lanes of one run need more than one).
    init(count: Int) {
        for _ in 0..<max(1, count) {
            let thread = Thread { [self] in
                members.withLock { _ = $0.insert(UInt(pthread_self())) }
                while true {
                    waiting.wait()
                    guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                    job.runSynchronously(on: asUnownedTaskExecutor())
                }
            }
            thread.name = "quickup-run"
            thread.start()
        }
    }

    /// Whether the caller runs on one of these threads.
    var isCurrent: Bool { members.withLock { $0.contains(UInt(pthread_self())) } }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }
}
