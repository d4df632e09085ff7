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
/// Helper threads of its own (`workers`, one per core but one), not `DispatchQueue.concurrentPerform`: called
/// from a task of Swift's cooperative pool (every command runs in one), dispatch often found
/// no width left and ran every index on the calling thread — seen with `perf`: the plan's
/// rendering used one core.
public enum ParallelMap {
    public static func map<T>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        // A map inside a map's body runs serially: its jobs would wait for the threads it is on.
        let helpers = workers.isCurrent ? 0 : min(count, workers.count + 1) - 1
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
                workers.run {
                    work()
                    done.signal()
                }
            }
            work()
            for _ in 0..<helpers { done.wait() }
            initialized = count
        }
    }

    /// Started on first use, kept for the process.
    private static let workers = ThreadPool(count: max(0, ProcessInfo.processInfo.activeProcessorCount - 1), name: "quickup-worker")

    private final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
    }
}
