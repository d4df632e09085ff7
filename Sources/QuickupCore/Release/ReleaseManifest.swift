import Foundation

/// The list of every file of a packed release with its SHA-256 and size (R1), stored in the zip
/// at `ReleaseManifest.path`. A zip is accepted only when its files are exactly these files with
/// exactly these checksums, so a changed byte, an added or a missing file is caught before use.
public struct ReleaseManifest: Codable, Sendable, Equatable {
    /// Fixed path inside the zip; never a file of the release itself.
    public static let path = "QUICKUP-MANIFEST.json"
    /// Bumped when the layout changes incompatibly; readers refuse versions they do not know.
    public static let currentFormat = 1

    public struct FileEntry: Codable, Sendable, Equatable {
        public var sha256: String
        public var size: Int64

        public init(sha256: String, size: Int64) {
            self.sha256 = sha256
            self.size = size
        }
    }

    public struct ReleaseInfo: Codable, Sendable, Equatable {
        public var name: String
        /// Every version folder found in the release, ascending (V2).
        public var versions: [String]
        /// release.yaml's `upgrades_from` range, when declared (P6).
        public var upgradesFrom: String?

        public init(name: String, versions: [String], upgradesFrom: String?) {
            self.name = name
            self.versions = versions
            self.upgradesFrom = upgradesFrom
        }
    }

    public var format: Int
    /// The quickup that packed it, for the engineer reading a support case.
    public var quickup: String
    public var release: ReleaseInfo
    /// Release-relative path (`/`-separated) → checksum and size.
    public var files: [String: FileEntry]

    public init(format: Int = ReleaseManifest.currentFormat, quickup: String = QuickupInfo.version,
                release: ReleaseInfo, files: [String: FileEntry]) {
        self.format = format
        self.quickup = quickup
        self.release = release
        self.files = files
    }

    /// Sorted keys and no dates: the same release always encodes to the same bytes.
    public func encoded() throws(QuickupError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) + Data("\n".utf8) } catch {
            throw QuickupError(.io, "cannot encode the release manifest: \(error)")
        }
    }

    /// Reads a manifest; `origin` names the zip in errors.
    public static func decode(_ data: Data, origin: String) throws(QuickupError) -> ReleaseManifest {
        let manifest: ReleaseManifest
        do { manifest = try JSONDecoder().decode(ReleaseManifest.self, from: data) } catch {
            throw QuickupError(.releaseArchive, "\(path) is not a valid quickup release manifest: \(error)",
                               at: SourceLocation(file: origin),
                               hint: "re-create the zip with `quickup pack RELEASE_DIR -o release.zip`")
        }
        guard manifest.format == currentFormat else {
            throw QuickupError(.releaseArchive,
                               "\(path) has format \(manifest.format); this quickup (\(QuickupInfo.version)) reads format \(currentFormat)",
                               at: SourceLocation(file: origin),
                               hint: "use the quickup that packed it (\(manifest.quickup)) or re-pack the release with this one")
        }
        return manifest
    }
}
