import Glibc
import QuickupCore

/// The kernel's small files — cgroup controls and counters, `/proc/PID/stat` — read and written
/// with one `open`, one `read` or `write` and one `close`. They sit on every tool's start and end
/// (issue 20.2): Foundation's `String(contentsOfFile:)` adds a `fstat` and copies, and
/// `String.write(toFile:)` adds an `fsync` and an extended attribute the cgroup file system
/// refuses — two more system calls for each of the five limits a tool's groups are given.
enum KernelFile {
    /// The file's text, nil when it cannot be opened or read (a group or process already gone).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            // A control file is produced whole by one read; `cgroup.procs` of a big group is not.
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `value` in one `write` — a cgroup control takes its whole value from one call. (A
    /// cgroup file system refuses to create files, so `O_CREAT` only matters to a plain directory
    /// standing in for one, as in tests.)
    static func write(_ value: String, to path: String) throws(QuickupError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var text = value
        let written = text.withUTF8 { bytes -> Int in
            var result: Int
            repeat { result = Glibc.write(fd, bytes.baseAddress, bytes.count) } while result < 0 && errno == EINTR
            return result
        }
        guard written == value.utf8.count else { throw failure("write", path) }
    }

    /// Creates one directory — a cgroup — whose parent exists.
    static func makeDirectory(_ path: String) throws(QuickupError) {
        guard mkdir(path, 0o755) == 0 else { throw failure("create", path) }
    }

    private static func failure(_ call: String, _ path: String) -> QuickupError {
        QuickupError(.io, "cannot \(call) \(path): \(String(cString: strerror(errno)))")
    }
}
