/// The statement being assembled: the `mariadb` client's `glob_buffer`, plus where it started.
///
/// The client edits each input line in place and appends it to its buffer at "flush" points
/// (a delimiter, a comment, a client command); one rule depends on what was written since the
/// last flush, so `segmentStart` remembers where that part begins.
struct PendingStatement {
    private(set) var bytes: [UInt8] = []
    /// Line of the first byte; meaningful only when not empty.
    private(set) var startLine = 0
    /// Index in `bytes` where the part written since the client's last flush begins.
    private(set) var segmentStart = 0

    init() {
        bytes.reserveCapacity(256)
    }

    var isEmpty: Bool { bytes.isEmpty }

    @inline(__always)
    mutating func append(_ byte: UInt8, line: Int) {
        if bytes.isEmpty { startLine = line }
        bytes.append(byte)
    }

    mutating func append(contentsOf part: UnsafeBufferPointer<UInt8>, line: Int) {
        guard !part.isEmpty else { return }
        if bytes.isEmpty { startLine = line }
        bytes.append(contentsOf: part)
    }

    /// The client appended its in-place line buffer here; what follows is a new segment.
    @inline(__always)
    mutating func markFlushed() {
        segmentStart = bytes.count
    }

    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
        segmentStart = 0
    }

    /// Whether the part written since the last flush starts with the word `delimiter`: then the
    /// client does not end the line with `\n` (it expects a `DELIMITER` command to follow).
    var segmentStartsWithDelimiterCommand: Bool {
        bytes.withUnsafeBufferPointer { all in
            let segment = UnsafeBufferPointer(rebasing: all[segmentStart...])
            return MariaDBClientCommand.startsWithDelimiterName(segment)
        }
    }

    /// What the client sends for this buffer (its `remove_cntrl`: trailing spaces and control
    /// characters dropped), or nil when nothing is left.
    func sentText() -> String? {
        var end = bytes.count
        while end > 0 && !bytes[end - 1].isSQLPrintable { end -= 1 }
        guard end > 0 else { return nil }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
