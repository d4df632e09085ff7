/// A size written as `100GB`, `512MiB`, `1.5TB` or a plain byte count. Units are binary
/// (1 KB = 1024 B), as the source's worked example (100 GB at 50 MB/s × 4 = 8 min 32 s) implies.
public struct ByteSize: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var bytes: Int64

    public init(bytes: Int64) { self.bytes = bytes }

    static let multipliers: [(suffixes: [String], factor: Double)] = [
        (["b", ""], 1),
        (["k", "kb", "kib"], 1024),
        (["m", "mb", "mib"], 1024 * 1024),
        (["g", "gb", "gib"], 1024 * 1024 * 1024),
        (["t", "tb", "tib"], 1024 * 1024 * 1024 * 1024),
    ]

    public static func mebibytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n << 20) }

    public static func parse(_ text: String) -> ByteSize? {
        let t = text.trimmingSpaces.lowercased()
        let number = t.prefix(while: { $0.isASCIIDigit || $0 == "." })
        let suffix = t.dropFirst(number.count).trimmingSpaces
        guard !number.isEmpty, number.count <= 20, let value = Double(number),
              let unit = multipliers.first(where: { $0.suffixes.contains(suffix) }) else { return nil }
        let bytes = value * unit.factor
        guard bytes.isFinite, bytes < 9.0e18 else { return nil }
        return ByteSize(bytes: Int64(bytes.rounded()))
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }

    /// `1.5 GiB`, `512 MiB`, `12 B`.
    public var description: String {
        let names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024, index < names.count - 1 {
            value /= 1024
            index += 1
        }
        if index == 0 { return "\(bytes) B" }
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
        return "\(text) \(names[index])"
    }

    public init(from decoder: any Decoder) throws {
        bytes = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }
}
