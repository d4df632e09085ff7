import Foundation
import Synchronization

/// A few threads started once and kept for the process, each taking the next job in order
/// (P5, H1): `ParallelMap` spreads its indices over one, the HTTP server runs its runs on
/// another (`RunThreads`). Kept, not made per use: a thread made per call cost more than a
/// small call's work, and each new thread gets its own malloc arena (a `plan --json` that
/// made a thread per 16 components grew from 144 to 283 MB).
public final class ThreadPool: Sendable {
    public let count: Int
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)
    /// The threads' ids (`pthread_self()`). Not `Thread.current.name`: on Linux it gave the
    /// name of a dispatch thread even on these threads.
    private let members = Mutex<Set<UInt>>([])

    public init(count: Int, name: String) {
        self.count = count
        for _ in 0..<count {
            let thread = Thread { [self] in
                members.withLock { _ = $0.insert(UInt(pthread_self())) }
                while true {
                    waiting.wait()
                    let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                    job?()
                }
            }
            thread.name = name
            thread.start()
        }
    }

    /// Whether the caller runs on one of these threads.
    public var isCurrent: Bool { members.withLock { $0.contains(UInt(pthread_self())) } }

    /// Runs `job` on one of the threads, as soon as one is free.
    public func run(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }
}
