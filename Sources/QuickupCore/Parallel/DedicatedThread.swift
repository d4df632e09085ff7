import Foundation
import Synchronization

/// A thread of its own that runs the jobs of tasks preferring it (`withTaskExecutorPreference`),
/// and on which blocking is allowed (issue 20.3, E12).
///
/// A component's SQL tasks run on one: its connection's blocking calls then run right here
/// (`isCurrent`: the session's queue is entered with `sync`, which runs the block on the calling
/// thread), and a task's child continues on the thread its parent left. With the cooperative
/// pool every task crossed four threads — the pool to the connection's queue, back, and the
/// attempt's child to its parent — ~0.15 ms and six context switches per task, a sixth of what a
/// small migration costs a client on tmpfs.
///
/// Only work that may block this thread belongs here: a job of another task preferring the same
/// thread waits until the blocking call returns. So a component's tools, which wait on processes
/// through child tasks, run on the global executor (AttemptLoop), and timeouts are watched from
/// there too (AttemptWatch).
public final class DedicatedThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var stopping = false

    public init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Whether the caller runs on a dedicated thread (any), where blocking is allowed.
    public static var isCurrent: Bool { pthread_getspecific(marker) != nil }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs queued so far have run. Call it when no task prefers it any
    /// more: a job queued after the end would never run. Only structured tasks prefer it (a
    /// `Task {}` does not inherit the preference), and they have all ended when their owner stops it.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        pthread_setspecific(Self.marker, Unmanaged.passUnretained(self).toOpaque())
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty, !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// A thread-local slot set on dedicated threads only.
    private static let marker: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
