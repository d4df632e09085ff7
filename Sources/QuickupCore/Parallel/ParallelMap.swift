import Dispatch

/// `(0..<count).map(body)` with the calls spread over the machine's cores (P5, issue 20 item 1):
/// a 100,000-task release is loaded, planned and printed a component at a time, and its
/// components need nothing of each other. The results keep index order, so the output is
/// the same as the serial map's, byte for byte.
///
/// `body` runs on several threads at once: it must touch only what index it was given and
/// values it does not mutate.
public enum ParallelMap {
    public static func map<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(body) }
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            // Each index initializes only its own slot; concurrentPerform returns after the last.
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: count) { index in
                slots.initializeElement(at: index, to: body(index))
            }
            initialized = count
        }
    }
}
