import Foundation

/// Files written into a fresh temporary directory from path → content pairs: a release, an
/// env.yaml, tool scripts. `remove()` deletes it all.
public struct TemporaryTree: Sendable {
    public let root: URL

    public init(_ prefix: String = "quickup", files: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, content) in files { try write(path, content) }
    }

    /// Writes a file, creating its folders; `.sh` files and scripts starting with `#!` are made executable.
    public func write(_ path: String, _ content: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // O_CLOEXEC: a child another test spawns while this file is open for writing must not
        // keep it open, or executing the file fails with ETXTBSY ("Text file busy", status 126).
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let bytes = Array(content.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            written += count
        }
        if path.hasSuffix(".sh") || content.hasPrefix("#!") { fchmod(fd, 0o755) }
    }

    public var path: String { root.path }

    public func remove() { try? FileManager.default.removeItem(at: root) }
}
