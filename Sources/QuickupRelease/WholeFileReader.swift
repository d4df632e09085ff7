#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files through one buffer kept from file to file (P5, issue 20.1): a release's
/// task files are mostly a few hundred bytes, so a file is read into the buffer to its end and
/// copied out at its exact size — no `fstat` for a size hint, no zero-filled array made and then
/// trimmed. Only a file larger than the buffer asks for its size; it is read until a read gives
/// nothing, so a file that grows while it is read is read to its end all the same — unless the
/// caller knows it is a regular file: then a read that gives fewer bytes than asked for is its
/// end, and the read that would give nothing is not made (one system call fewer per file:
/// 100,000 of 200,000 reads in `plan` of 100,000 tasks, issue 20.1).
struct WholeFileReader {
    private var buffer: [UInt8]

    init(bufferSize: Int = 64 * 1024) {
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 1))
    }

    /// The whole file behind `fd` (closed here); nil when `fd` is not open or a read fails.
    /// `regularFile`: `fd` is a regular file (the directory listing said so), whose reads give
    /// fewer bytes than asked for only at its end; pipes and devices may give less at any time.
    mutating func readAll(_ fd: Int32, regularFile: Bool = false) -> [UInt8]? {
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let filled = buffer.withUnsafeMutableBytes({ Self.fill($0, from: fd, shortReadEnds: regularFile) }) else { return nil }
        if filled < buffer.count { return Array(buffer[..<filled]) }
        // The buffer is full: the file goes on, into an array of its size (one byte more, to
        // see its end), doubled while the file keeps growing.
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        var bytes = buffer
        while true {
            let start = bytes.count
            bytes += repeatElement(0, count: max(size + 1 - start, start))
            guard let more = bytes.withUnsafeMutableBytes({ Self.fill(UnsafeMutableRawBufferPointer(rebasing: $0[start...]), from: fd, shortReadEnds: regularFile) })
            else { return nil }
            if start + more < bytes.count {
                bytes.removeLast(bytes.count - start - more)
                return bytes
            }
        }
    }

    /// Reads until `buffer` is full or the file ends (a read gives 0 bytes, or with
    /// `shortReadEnds` fewer than asked for); the count read, or nil when a read fails.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer, from fd: Int32, shortReadEnds: Bool) -> Int? {
        var filled = 0
        while filled < buffer.count {
            let n = read(fd, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            filled += n
            if shortReadEnds, filled < buffer.count { break }
        }
        return filled
    }
}
