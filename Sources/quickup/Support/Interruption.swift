import Dispatch
import Foundation

/// Ctrl-C or SIGTERM during a run: the first one cancels the run cleanly (statements killed on
/// the server, every tool's process group killed, the journal and lock updated); a second one
/// exits at once. Without this, quickup would die and leave its tools running in their own
/// sessions, where the terminal's signal does not reach them.
enum Interruption {
    /// Returns when SIGINT or SIGTERM arrives, or when the calling task is cancelled.
    static func wait() async {
        let signals = [SIGINT, SIGTERM]
        let stream = AsyncStream<Int32> { continuation in
            var sources: [DispatchSourceSignal] = []
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                sources.append(source)
            }
            nonisolated(unsafe) let held = sources
            continuation.onTermination = { _ in
                held.forEach { $0.cancel() }
                for number in signals { signal(number, SIG_DFL) }
            }
        }
        var iterator = stream.makeAsyncIterator()
        guard let first = await iterator.next() else { return }
        // From now on a second signal takes its default action: quickup quits at once.
        for number in signals { signal(number, SIG_DFL) }
        Console.error("\nquickup: \(first == SIGINT ? "interrupted" : "terminated"): stopping the running tasks (statements and tool process groups are killed); again to quit at once")
    }
}
