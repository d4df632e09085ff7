#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QuickupCore

/// Where release zips are unpacked for use (R1): one folder per zip, named by the zip's SHA-256,
/// so the same zip is extracted once and a different zip with the same name never mixes with it.
/// A folder is only ever published (renamed into place) after every file matched the manifest;
/// reusing one re-checks every file against the manifest, and a folder that no longer matches
/// (edited by hand, written into by a tool) is thrown away and extracted again.
public struct ReleaseCache: Sendable {
    public var root: String
    public var limits: ArchiveLimits

    public init(root: String, limits: ArchiveLimits = .default) {
        self.root = root
        self.limits = limits
    }

    /// Under a command's state directory (`run`, `resume`, `assess`).
    public static func inState(_ state: String) -> ReleaseCache { ReleaseCache(root: "\(state)/releases") }

    /// For commands without a state directory (`validate`, `plan`): a private folder in the temp dir.
    public static var temporary: ReleaseCache {
        ReleaseCache(root: FileManager.default.temporaryDirectory.appendingPathComponent("quickup-\(getuid())/releases").path)
    }

    /// A release given as a directory is used as it is; a file is taken for a release zip and
    /// resolved to its verified, extracted folder.
    public static func resolve(_ release: String, cache: ReleaseCache?) throws(QuickupErrors) -> String {
        var info = stat()
        guard stat(release, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return release }
        return try (cache ?? .temporary).directory(for: release)
    }

    /// The extracted, verified release folder of `zip`.
    public func directory(for zip: String) throws(QuickupErrors) -> String {
        let key: String
        do { key = try FileDigest.of(zip).sha256 } catch { throw QuickupErrors([error]) }
        let archive = ReleaseArchive(path: zip, limits: limits)
        let manifest: ReleaseManifest
        do {
            try preparePrivateDirectory(root)
            manifest = try archive.manifest()
        } catch { throw QuickupErrors([error]) }
        let slot = "\(root)/\(key)"
        let folder = Self.folderName(manifest.release.name)
        let directory = "\(slot)/\(folder)"
        if FileManager.default.fileExists(atPath: directory) {
            if stillMatches(directory, manifest: manifest, origin: zip) { return directory }
            try? FileManager.default.removeItem(atPath: slot)
        }
        let staging = "\(root)/.\(key).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        do {
            _ = try archive.extract(into: "\(staging)/\(folder)")
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        if rename(staging, slot) != 0 {
            // Another quickup published the same zip first; its copy was verified the same way.
            try? FileManager.default.removeItem(atPath: staging)
            guard FileManager.default.fileExists(atPath: directory) else {
                throw QuickupErrors([QuickupError(.io, "cannot move the extracted release into \(slot): \(String(cString: strerror(errno)))",
                                                  hint: "check the permissions of \(root)")])
            }
        }
        return directory
    }

    /// Whether an extracted folder still holds exactly the manifest's files.
    func stillMatches(_ directory: String, manifest: ReleaseManifest, origin: String) -> Bool {
        guard let files = try? ReleaseTree(root: directory, skipsLitter: false).files(), files.count == manifest.files.count else {
            return false
        }
        var found: [String: ReleaseManifest.FileEntry] = [:]
        for file in files {
            guard let entry = try? FileDigest.of("\(directory)/\(file.path)") else { return false }
            found[file.path] = entry
        }
        return ManifestCheck(manifest: manifest, origin: origin).problems(found: found).isEmpty
    }

    /// The release keeps its name when it has no release.yaml naming it (the loader names it by folder).
    static func folderName(_ name: String) -> String {
        ArchiveEntryName.problem(name) == nil && !name.contains("/") ? name : "release"
    }

    /// Creates the cache (mode 0700) and refuses one that someone else owns or that is a symlink:
    /// in a shared temp dir another user could otherwise plant a "verified" release.
    private func preparePrivateDirectory(_ path: String) throws(QuickupError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw QuickupError(.io, "cannot create the release cache \(path): \(error.localizedDescription)",
                               hint: "pass --state with a writable directory, or set TMPDIR")
        }
        var info = stat()
        let parent = (path as NSString).deletingLastPathComponent
        for dir in [parent, path] {
            guard lstat(dir, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(),
                  dir == parent || info.st_mode & 0o022 == 0 else {
                throw QuickupError(.io, "the release cache \(dir) is not a directory owned by this user (and writable only by it)",
                                   hint: "remove it, or pass --state / set TMPDIR to a private directory")
            }
        }
    }
}
