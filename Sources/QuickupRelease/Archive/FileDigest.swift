#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuickupCore

/// SHA-256 and size of a file, read in blocks with plain system calls (R1: manifests, the zip's
/// cache key, re-checking an extracted release).
enum FileDigest {
    static let blockSize = 64 << 10

    static func of(_ path: String) throws(QuickupError) -> ReleaseManifest.FileEntry {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw QuickupError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hasher = SHA256()
        var size: Int64 = 0
        var block = [UInt8](repeating: 0, count: blockSize)
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw QuickupError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            block.withUnsafeBytes { hasher.update(buffer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            size += Int64(n)
        }
        return ReleaseManifest.FileEntry(sha256: hasher.finalizeHex(), size: size)
    }
}

/// A file's SHA-256 for front ends (`pack` prints the zip's, to publish beside it).
public enum ReleaseFileDigest {
    public static func sha256(of path: String) throws(QuickupError) -> String { try FileDigest.of(path).sha256 }
}
