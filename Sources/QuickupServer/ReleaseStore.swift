import Foundation
import QuickupCore
import QuickupRelease

/// Release zips uploaded through the API (H1, R1), under `--release-store DIR`: each zip is
/// checked exactly as `--release` checks one — manifest, checksums, zip-slip, entry and
/// expansion limits (ReleaseCache, ReleaseArchive) — then loaded as a release (ReleaseLoader).
/// Only a zip that passes is kept, as `zips/<id>.zip` with `zips/<id>.json` describing it; its
/// verified copy lives in `extracted/`. Nothing is ever written outside the store.
public struct ReleaseStore: Sendable {
    public var root: String
    public var limits: ArchiveLimits

    public init(root: String, limits: ArchiveLimits = .default) {
        self.root = root
        self.limits = limits
    }

    /// What the API lists for a kept release.
    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var versions: [String]
        public var sha256: String
        public var bytes: Int64
        public var uploadedAt: Int64
    }

    var zips: String { "\(root)/zips" }
    public var cache: ReleaseCache { ReleaseCache(root: "\(root)/extracted", limits: limits) }

    /// A private file in the store for an upload on its way in.
    public func temporaryUpload() throws(QuickupError) -> String {
        do {
            try FileManager.default.createDirectory(atPath: zips, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw QuickupError(.io, "cannot create the release store \(zips): \(error.localizedDescription)", hint: "pass --release-store with a writable directory")
        }
        return "\(zips)/.upload-\(UUID().uuidString.lowercased()).zip"
    }

    /// Checks the uploaded zip at `upload` and keeps it; the upload file is gone afterwards either way.
    public func accept(upload: String, now: Int64) throws -> Entry {
        defer { try? FileManager.default.removeItem(atPath: upload) }
        let sha256 = try ReleaseFileDigest.sha256(of: upload)
        let manifest: ReleaseManifest
        do {
            manifest = try ReleaseArchive(path: upload, limits: limits).manifest()
            // The same check as every command's --release: extract into the cache and verify each file.
            _ = try Workspace.open(release: upload, cache: cache)
        } catch {
            try? FileManager.default.removeItem(atPath: "\(cache.root)/\(sha256)")
            throw error
        }
        let id = String(sha256.prefix(16))
        let bytes = (try? FileManager.default.attributesOfItem(atPath: upload)[.size] as? Int64) ?? 0
        let entry = Entry(id: id, name: manifest.release.name, versions: manifest.release.versions, sha256: sha256,
                          bytes: bytes, uploadedAt: now)
        let kept = "\(zips)/\(id).zip"
        try? FileManager.default.removeItem(atPath: kept)
        do {
            try FileManager.default.moveItem(atPath: upload, toPath: kept)
            try JSONEncoder().encode(entry).write(to: URL(fileURLWithPath: "\(zips)/\(id).json"))
        } catch {
            throw QuickupError(.io, "cannot keep the release in \(zips): \(error.localizedDescription)", hint: "check the store's permissions and free space")
        }
        return entry
    }

    /// The kept releases, newest upload first.
    public func list() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: zips)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            FileManager.default.contents(atPath: "\(zips)/\(name)").flatMap { try? JSONDecoder().decode(Entry.self, from: $0) }
        }.sorted { ($0.uploadedAt, $0.id) > ($1.uploadedAt, $1.id) }
    }

    /// The zip of release `id` (16 hex digits, as the upload answered).
    public func zip(_ id: String) throws(QuickupError) -> String {
        guard id.count == 16, id.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw QuickupError(.invalidArgument, "invalid release id '\(id.prefix(40))'",
                               hint: "expected the 16 lowercase hex digits `POST /v1/releases` answered; `GET /v1/releases` lists them")
        }
        let path = "\(zips)/\(id).zip"
        guard FileManager.default.fileExists(atPath: path) else {
            throw QuickupError(.fileNotFound, "no release '\(id)' in the release store", hint: "`GET /v1/releases` lists the uploaded releases")
        }
        return path
    }
}
