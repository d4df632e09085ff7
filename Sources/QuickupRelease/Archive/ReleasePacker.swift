import Foundation
import QuickupCore

/// `quickup pack` (R1): validates a release directory the way `quickup validate` does, then
/// writes it as a zip with `QUICKUP-MANIFEST.json` (every file's SHA-256 and size). The zip is
/// deterministic (ZipStreamWriter) — entries sorted, one fixed timestamp, permissions reduced to 0644/0755 — so
/// packing the same tree twice gives the same bytes and the zip's own checksum can be published.
public struct ReleasePacker: Sendable {
    public struct Result: Sendable {
        public var output: String
        public var manifest: ReleaseManifest
        public var bytes: Int64
    }

    public init() {}

    public func pack(directory: String, to output: String) throws(QuickupErrors) -> Result {
        let loaded = ReleaseLoader().load(directory: directory)
        guard loaded.diagnostics.isEmpty else { throw QuickupErrors(loaded.diagnostics.sortedErrors) }
        let root = loaded.root
        let tree = ReleaseTree(root: root, skipping: Self.insideRelease(output, root: root))
        let files = try tree.files()
        if files.contains(where: { $0.path == ReleaseManifest.path }) {
            throw QuickupErrors([QuickupError(.manifestInvalid, "\(ReleaseManifest.path) is reserved for the manifest quickup pack writes",
                                              at: SourceLocation(file: "\(root)/\(ReleaseManifest.path)"),
                                              hint: "remove or rename it (is this an unpacked zip's manifest?)")])
        }
        let release = loaded.release
        let info = ReleaseManifest.ReleaseInfo(name: release.name, versions: release.versions.map(\.description),
                                               upgradesFrom: release.upgradesFrom.map(\.description))
        let partial = "\(output).partial-\(getpid())"
        do throws(QuickupError) {
            try? FileManager.default.removeItem(atPath: partial)
            let manifest = try write(files, root: root, info: info, to: partial)
            guard rename(partial, output) == 0 else {
                throw QuickupError(.io, "cannot write \(output): \(String(cString: strerror(errno)))", hint: "pass -o with a writable path")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: output))?[.size] as? Int64
            return Result(output: output, manifest: manifest, bytes: size ?? 0)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw QuickupErrors([error])
        }
    }

    /// Writes every file, hashing it as it is compressed (one read per file), then the manifest.
    private func write(_ files: [ReleaseTree.File], root: String, info: ReleaseManifest.ReleaseInfo,
                       to path: String) throws(QuickupError) -> ReleaseManifest {
        let zip = try ZipStreamWriter(path: path)
        var entries: [String: ReleaseManifest.FileEntry] = [:]
        for file in files {
            entries[file.path] = try add(file, root: root, to: zip)
        }
        let manifest = ReleaseManifest(release: info, files: entries)
        let data = try manifest.encoded()
        do {
            var position = 0
            _ = try zip.addFile(ReleaseManifest.path, permissions: 0o644, size: Int64(data.count)) { wanted in
                defer { position += min(wanted, data.count - position) }
                return data.subdata(in: position..<position + min(wanted, data.count - position))
            }
        } catch {
            throw QuickupError(.io, "cannot write the manifest into \(path): \(error)")
        }
        try zip.finish()
        return manifest
    }

    private func add(_ file: ReleaseTree.File, root: String, to zip: ZipStreamWriter) throws(QuickupError) -> ReleaseManifest.FileEntry {
        let source = "\(root)/\(file.path)"
        guard let handle = FileHandle(forReadingAtPath: source) else {
            throw QuickupError(.io, "cannot read \(source)", hint: "check the file's permissions")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            let size = Int64(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let read = try zip.addFile(file.path, permissions: file.executable ? 0o755 : 0o644, size: size) { wanted in
                let data = try handle.read(upToCount: wanted) ?? Data()
                data.withUnsafeBytes { hasher.update(buffer: $0) }
                return data
            }
            guard read == size else {
                throw QuickupError(.io, "\(source) changed while it was being packed (\(size) bytes, then \(read))",
                                   hint: "pack again when nothing writes into the release directory")
            }
            return ReleaseManifest.FileEntry(sha256: hasher.finalizeHex(), size: read)
        } catch let error as QuickupError {
            throw error
        } catch {
            throw QuickupError(.io, "cannot pack \(source): \(error)")
        }
    }

    /// The output and its partial file, as release-relative paths, when they lie inside the release.
    static func insideRelease(_ output: String, root: String) -> Set<String> {
        let out = URL(fileURLWithPath: output).standardizedFileURL.path
        let base = URL(fileURLWithPath: root).standardizedFileURL.path + "/"
        guard out.hasPrefix(base) else { return [] }
        let relative = String(out.dropFirst(base.count))
        return [relative, "\(relative).partial-\(getpid())"]
    }
}
