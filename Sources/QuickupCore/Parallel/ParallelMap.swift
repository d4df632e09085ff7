import Foundation
import Synchronization

/// `(0..<count).map(body)` with the calls spread over the machine's cores (P5, issue 20 item 1):
/// a 100,000-task release is loaded, planned and printed a component at a time, and its
/// components need nothing of each other. The results keep index order, so the output is
/// the same as the serial map's, byte for byte.
///
/// `body` runs on several threads at once: it must touch only what index it was given and
/// values it does not mutate.
///
/// Helper threads of its own (`WorkerThreads`), not `DispatchQueue.concurrentPerform`: called
/// from a task of Swift's cooperative pool (every command runs in one), dispatch often found
/// no width left and ran every index on the calling thread — seen with `perf`: the plan's
/// rendering used one core.
public enum ParallelMap {
    public static func map<T>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        // A map inside a map's body runs serially: its jobs would wait for the threads it is on.
        let helpers = WorkerThreads.isWorker ? 0 : min(count, WorkerThreads.shared.count + 1) - 1
        guard helpers > 0 else { return (0..<count).map(body) }
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            // Each index is taken once from `next` and initializes only its own slot; the
            // caller returns after every helper has signalled that it is done.
            nonisolated(unsafe) let slots = buffer
            let next = Counter()
            // `body` escapes into the helpers' jobs, which may release it a moment after they
            // signal: withoutActuallyEscaping would trap on that.
            let work: @Sendable () -> Void = {
                while case let index = next.take(), index < count {
                    slots.initializeElement(at: index, to: body(index))
                }
            }
            let done = DispatchSemaphore(value: 0)
            for _ in 0..<helpers {
                WorkerThreads.shared.run {
                    work()
                    done.signal()
                }
            }
            work()
            for _ in 0..<helpers { done.wait() }
            initialized = count
        }
    }

    private final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
    }
}

/// One thread per core but one, started on first use and kept for the process: a thread made
/// per call cost more than the work of a small call, and each new thread gets its own malloc
/// arena (a plan --json that made a thread per 16 components grew from 144 to 283 MB).
final class WorkerThreads: Sendable {
    static let shared = WorkerThreads(count: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    let count: Int
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)

    private init(count: Int) {
        self.count = count
        for _ in 0..<count {
            let thread = Thread { [self] in
                while true {
                    waiting.wait()
                    let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                    job?()
                }
            }
            thread.name = Self.name
            thread.start()
        }
    }

    private static let name = "quickup-worker"

    static var isWorker: Bool { Thread.current.name == name }

    /// Runs `job` on one of the threads, as soon as one is free.
    func run(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }
}
