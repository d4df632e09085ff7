import Glibc

/// Cuts a byte stream into lines without ever holding more than one line, and at most
/// `maxLineBytes` of it: a tool printing 1 GB without a newline costs quickup 64 KiB (T1).
struct LineAssembler {
    let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var dropping = false

    init(maxLineBytes: Int = 65_536) { self.maxLineBytes = maxLineBytes }

    /// Appends a chunk and hands over each complete line; an over-long line is cut and marked.
    mutating func append(_ bytes: UnsafeRawBufferPointer, _ emit: (String, _ truncated: Bool) -> Void) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        // memchr, not a Swift loop: this runs for every byte a tool prints, also in debug builds.
        while start < bytes.count {
            if let hit = memchr(base + start, 0x0A, bytes.count - start) {
                let newline = base.distance(to: UnsafeRawPointer(hit))
                take(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]))
                finishLine(emit)
                start = newline + 1
            } else {
                take(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                break
            }
        }
    }

    /// The last line when the stream ends without a newline.
    mutating func finish(_ emit: (String, _ truncated: Bool) -> Void) {
        if !pending.isEmpty || dropping { finishLine(emit) }
    }

    private mutating func take(_ chunk: UnsafeRawBufferPointer) {
        let room = maxLineBytes - pending.count
        if chunk.count <= room {
            pending.append(contentsOf: chunk)
        } else {
            if room > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<room])) }
            dropping = true
        }
    }

    private mutating func finishLine(_ emit: (String, _ truncated: Bool) -> Void) {
        if pending.last == 0x0D { pending.removeLast() }
        emit(String(decoding: pending, as: UTF8.self), dropping)
        pending.removeAll(keepingCapacity: pending.count <= 4096)
        dropping = false
    }
}
