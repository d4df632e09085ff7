/// Compares the files found in a release zip (or an extracted copy) with its manifest (R1).
/// Every difference is reported, like validate reports every mistake, so one look at the
/// output says whether one file was edited or the whole zip is from somewhere else.
public struct ManifestCheck: Sendable {
    public var manifest: ReleaseManifest
    /// How the zip is named in errors: the path the user passed.
    public var origin: String

    public init(manifest: ReleaseManifest, origin: String) {
        self.manifest = manifest
        self.origin = origin
    }

    static let hint = "the zip was changed or damaged after `quickup pack`; fetch the release zip again from where it was "
        + "published (compare its sha256sum) or re-pack the release directory"

    /// One problem per changed, missing or unexpected file, sorted by path.
    public func problems(found: [String: ReleaseManifest.FileEntry]) -> [QuickupError] {
        var errors: [QuickupError] = []
        for path in Set(manifest.files.keys).union(found.keys).sorted() {
            let location = SourceLocation(file: origin, key: path)
            switch (manifest.files[path], found[path]) {
            case let (expected?, actual?) where expected != actual:
                errors.append(QuickupError(.releaseArchive,
                    "checksum mismatch: expected SHA-256 \(expected.sha256) (\(expected.size) bytes), "
                    + "found \(actual.sha256) (\(actual.size) bytes)", at: location, hint: Self.hint))
            case (_?, nil):
                errors.append(QuickupError(.releaseArchive, "listed in \(ReleaseManifest.path) but missing from the zip",
                                           at: location, hint: Self.hint))
            case (nil, _?):
                errors.append(QuickupError(.releaseArchive, "file is not listed in \(ReleaseManifest.path)",
                                           at: location, hint: Self.hint))
            default:
                continue
            }
        }
        return errors
    }
}
