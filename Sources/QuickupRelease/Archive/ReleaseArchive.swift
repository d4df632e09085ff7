#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QuickupCore
import ZIPFoundation

/// A release zip made by `quickup pack`, opened for use (R1). Extraction is defensive: every
/// entry name is checked before anything is written (no absolute paths, no `..`, no symlinks, no
/// duplicates), the bytes written are counted against `ArchiveLimits` as they are inflated (a
/// zip bomb's declared sizes may lie), and every file is hashed on the way and compared with the
/// manifest. Any problem refuses the whole zip; nothing half-checked is left behind.
public struct ReleaseArchive: Sendable {
    /// The zip as the user named it; errors name it so.
    public var path: String
    public var limits: ArchiveLimits

    public init(path: String, limits: ArchiveLimits = .default) {
        self.path = path
        self.limits = limits
    }

    var origin: SourceLocation { SourceLocation(file: path) }

    func refusal(_ message: String, entry: String? = nil, hint: String? = nil) -> QuickupError {
        QuickupError(.releaseArchive, message, at: SourceLocation(file: path, key: entry),
                     hint: hint ?? "use a zip written by `quickup pack RELEASE_DIR -o release.zip`")
    }

    func openArchive() throws(QuickupError) -> Archive {
        do { return try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw refusal("not a readable zip file (\(error))", hint: "check the path; the file may be truncated or not a zip")
        }
    }

    /// The zip's manifest alone, without extracting anything else.
    public func manifest() throws(QuickupError) -> ReleaseManifest {
        let archive = try openArchive()
        guard let entry = archive[ReleaseManifest.path] else { throw missingManifest }
        return try readManifest(entry, from: archive)
    }

    var missingManifest: QuickupError {
        refusal("the zip has no \(ReleaseManifest.path), so its files cannot be checked",
                hint: "only zips written by `quickup pack` are accepted; pack the release directory with it")
    }

    /// Extracts into `directory` (created; must not exist) and verifies every file against the
    /// manifest. Throws every problem found; the caller removes the directory on failure.
    public func extract(into directory: String) throws(QuickupErrors) -> ReleaseManifest {
        let archive: Archive
        do { archive = try openArchive() } catch { throw QuickupErrors([error]) }
        let (files, manifestEntry) = try inspect(archive)
        guard let manifestEntry else { throw QuickupErrors([missingManifest]) }
        let manifest: ReleaseManifest
        do { manifest = try readManifest(manifestEntry, from: archive) } catch { throw QuickupErrors([error]) }
        var found: [String: ReleaseManifest.FileEntry] = [:]
        var written: Int64 = 0
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for entry in files {
                found[entry.path] = try extractFile(entry, from: archive, into: directory, written: &written)
            }
        } catch let error as QuickupError {
            throw QuickupErrors([error])
        } catch {
            throw QuickupErrors([QuickupError(.io, "cannot extract \(path) into \(directory): \(error)",
                                              hint: "check free space and permissions of the state directory")])
        }
        let problems = ManifestCheck(manifest: manifest, origin: path).problems(found: found)
        guard problems.isEmpty else { throw QuickupErrors(problems) }
        return manifest
    }

    /// Checks every entry's name, type and declared size before anything is written.
    private func inspect(_ archive: Archive) throws(QuickupErrors) -> (files: [Entry], manifest: Entry?) {
        var problems: [QuickupError] = []
        var seen = Set<String>()
        var files: [Entry] = []
        var manifest: Entry?
        var declared: Int64 = 0
        var count = 0
        for entry in archive {
            count += 1
            if count > limits.maxEntries {
                throw QuickupErrors([refusal("more than \(limits.maxEntries) entries; refused as a possible zip bomb")])
            }
            let name = entry.path
            if let problem = ArchiveEntryName.problem(name) {
                problems.append(refusal("entry \(problem)", entry: name))
                continue
            }
            let key = name.hasSuffix("/") ? String(name.dropLast()) : name
            guard seen.insert(key).inserted else {
                problems.append(refusal("duplicate entry: the zip holds this path more than once", entry: name))
                continue
            }
            switch entry.type {
            case .symlink:
                problems.append(refusal("entry is a symbolic link; release zips hold only files and directories", entry: name))
            case .directory:
                continue
            case .file:
                let size = Int64(clamping: entry.uncompressedSize), packed = max(Int64(clamping: entry.compressedSize), 1)
                declared += size
                if size > limits.ratioFloorBytes, size / packed > limits.maxCompressionRatio {
                    problems.append(refusal("entry inflates \(size / packed) times (\(size) bytes from \(packed)); refused as a possible zip bomb",
                                            entry: name))
                } else if name == ReleaseManifest.path {
                    manifest = entry
                } else {
                    files.append(entry)
                }
            }
        }
        if declared > limits.maxTotalBytes {
            problems.append(refusal("the zip unpacks to \(declared) bytes, more than the limit of \(limits.maxTotalBytes); refused as a possible zip bomb"))
        }
        guard problems.isEmpty else { throw QuickupErrors(problems) }
        return (files, manifest)
    }

    private func readManifest(_ entry: Entry, from archive: Archive) throws(QuickupError) -> ReleaseManifest {
        var data = Data()
        do {
            _ = try archive.extract(entry) { chunk in
                data.append(chunk)
                if Int64(data.count) > limits.maxManifestBytes {
                    throw refusal("\(ReleaseManifest.path) is larger than \(limits.maxManifestBytes) bytes", entry: entry.path)
                }
            }
        } catch let error as QuickupError {
            throw error
        } catch {
            throw refusal("cannot read \(ReleaseManifest.path): \(error)", entry: entry.path)
        }
        return try ReleaseManifest.decode(data, origin: path)
    }

    /// Writes one file, hashing and counting what is inflated; never follows or replaces anything existing.
    private func extractFile(_ entry: Entry, from archive: Archive, into directory: String,
                       written: inout Int64) throws -> ReleaseManifest.FileEntry {
        let target = "\(directory)/\(entry.path)"
        let parent = (target as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw refusal("cannot create its directory (does a file entry have the same name as a folder?): \(error)", entry: entry.path)
        }
        let executable = ((entry.fileAttributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0) & 0o111 != 0
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, executable ? 0o755 : 0o644)
        guard fd >= 0 else {
            throw refusal("cannot create the file: \(String(cString: strerror(errno)))", entry: entry.path)
        }
        defer { close(fd) }
        var hasher = SHA256()
        var size: Int64 = 0
        let budget = limits.maxTotalBytes
        _ = try archive.extract(entry, bufferSize: FileDigest.blockSize) { chunk in
            size += Int64(chunk.count)
            written += Int64(chunk.count)
            if written > budget {
                throw refusal("the zip inflates past the limit of \(budget) bytes (more than its entries declare); refused as a possible zip bomb",
                              entry: entry.path)
            }
            try chunk.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
                hasher.update(buffer: bytes)
                guard let base = bytes.baseAddress else { return }
                var offset = 0
                while offset < bytes.count {
                    let n = write(fd, base + offset, bytes.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw QuickupError(.io, "cannot write \(target): \(String(cString: strerror(errno)))",
                                           hint: "check free space where the release is extracted")
                    }
                    offset += n
                }
            }
        }
        return ReleaseManifest.FileEntry(sha256: hasher.finalizeHex(), size: size)
    }
}
