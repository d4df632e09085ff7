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
        try Data(content.utf8).write(to: url)
        if path.hasSuffix(".sh") || content.hasPrefix("#!") { chmod(url.path, 0o755) }
    }

    public var path: String { root.path }

    public func remove() { try? FileManager.default.removeItem(at: root) }
}
