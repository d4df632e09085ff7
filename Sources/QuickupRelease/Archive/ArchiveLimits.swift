/// How much a release zip may unpack to before quickup calls it a zip bomb (R1). Policies are
/// data: the defaults fit any real release (thousands of files, some jars); tests pass small ones.
public struct ArchiveLimits: Sendable, Equatable {
    /// Entries in the zip, directories included.
    public var maxEntries: Int
    /// Bytes written for all files together (counted as they are written, not as declared).
    public var maxTotalBytes: Int64
    /// Uncompressed ÷ compressed size above which an entry larger than `ratioFloorBytes` is refused.
    public var maxCompressionRatio: Int64
    public var ratioFloorBytes: Int64
    /// The manifest is read into memory.
    public var maxManifestBytes: Int64

    public init(maxEntries: Int = 200_000, maxTotalBytes: Int64 = 8 << 30, maxCompressionRatio: Int64 = 1_000,
                ratioFloorBytes: Int64 = 1 << 20, maxManifestBytes: Int64 = 64 << 20) {
        self.maxEntries = maxEntries
        self.maxTotalBytes = maxTotalBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioFloorBytes = ratioFloorBytes
        self.maxManifestBytes = maxManifestBytes
    }

    public static let `default` = ArchiveLimits()
}
