import NIOCore

/// Collects a response body as it streams in: all of it up to a limit (query results), or only its
/// last bytes (statements, whose output is discarded but whose end may hold an exception).
struct BodyBuffer: Sendable {
    enum Keep: Sendable {
        case all(limit: Int)
        case tail(Int)
    }

    let keep: Keep
    private(set) var bytes: [UInt8] = []

    init(_ keep: Keep) { self.keep = keep }

    /// Adds a chunk; false when `.all` would pass its limit.
    mutating func append(_ chunk: ByteBuffer) -> Bool {
        bytes.append(contentsOf: chunk.readableBytesView)
        switch keep {
        case .all(let limit):
            return bytes.count <= limit
        case .tail(let size):
            // Trim only when twice the size is held, so trimming costs O(1) per byte on average.
            if bytes.count > 2 * size { bytes.removeFirst(bytes.count - size) }
            return true
        }
    }

    func tail(_ size: Int) -> [UInt8] { bytes.count <= size ? bytes : Array(bytes.suffix(size)) }

    var limitText: String {
        switch keep {
        case .all(let limit): return "\(limit / 1_048_576) MiB"
        case .tail(let size): return "\(size) bytes"
        }
    }
}
