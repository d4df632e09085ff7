/// A release version: `V<major>.<minor>.<patch>[-P<n>][-T<n>]` (SPEC V1), ordered numerically (V2).
public struct Version: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// Patch release number (`-P<n>`); `nil` when absent, which orders as 0.
    public var p: Int?
    /// Test/hotfix number (`-T<n>`); `nil` when absent, which orders as 0.
    public var t: Int?

    public init(_ major: Int, _ minor: Int, _ patch: Int, p: Int? = nil, t: Int? = nil) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.p = p
        self.t = t
    }

    /// Parses `text`; `origin` names where it came from (a flag, `file:line`) for the error (V3).
    public init(parsing text: String, origin: SourceLocation? = nil) throws(QuickupError) {
        guard let parsed = Version.parse(text) else {
            throw QuickupError(
                .invalidVersion, "invalid version format: '\(text)'", at: origin,
                hint: "expected V<major>.<minor>.<patch>[-P<n>][-T<n>], e.g. V2.16.7-P1")
        }
        self = parsed
    }

    /// Strict parser: ASCII digits only, no signs, no spaces, no empty parts.
    public static func parse(_ text: String) -> Version? {
        var bytes = Substring(text).utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "V") || first == UInt8(ascii: "v") {
            bytes = bytes.dropFirst()
        }
        guard let major = number(&bytes), consume(UInt8(ascii: "."), &bytes),
              let minor = number(&bytes), consume(UInt8(ascii: "."), &bytes),
              let patch = number(&bytes) else { return nil }
        var p: Int?
        var t: Int?
        if consume(UInt8(ascii: "-"), &bytes) {
            if consume(UInt8(ascii: "P"), &bytes) {
                guard let n = number(&bytes) else { return nil }
                p = n
                if consume(UInt8(ascii: "-"), &bytes) {
                    guard consume(UInt8(ascii: "T"), &bytes), let n = number(&bytes) else { return nil }
                    t = n
                }
            } else if consume(UInt8(ascii: "T"), &bytes) {
                guard let n = number(&bytes) else { return nil }
                t = n
            } else {
                return nil
            }
        }
        guard bytes.isEmpty else { return nil }
        return Version(major, minor, patch, p: p, t: t)
    }

    private static func consume(_ byte: UInt8, _ bytes: inout Substring.UTF8View.SubSequence) -> Bool {
        guard bytes.first == byte else { return false }
        bytes = bytes.dropFirst()
        return true
    }

    private static func number(_ bytes: inout Substring.UTF8View.SubSequence) -> Int? {
        var value = 0
        var digits = 0
        while let b = bytes.first, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
            // Cap at 9 digits so arithmetic can never overflow; real versions are short.
            guard digits < 9 else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
            digits += 1
            bytes = bytes.dropFirst()
        }
        return digits > 0 ? value : nil
    }

    public static func < (lhs: Version, rhs: Version) -> Bool {
        (lhs.major, lhs.minor, lhs.patch, lhs.p ?? 0, lhs.t ?? 0)
            < (rhs.major, rhs.minor, rhs.patch, rhs.p ?? 0, rhs.t ?? 0)
    }

    /// Equality follows the order (V2): `V2.16.7-P0` == `V2.16.7`.
    public static func == (lhs: Version, rhs: Version) -> Bool {
        (lhs.major, lhs.minor, lhs.patch, lhs.p ?? 0, lhs.t ?? 0)
            == (rhs.major, rhs.minor, rhs.patch, rhs.p ?? 0, rhs.t ?? 0)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(p ?? 0)
        hasher.combine(t ?? 0)
    }

    /// Canonical text with a leading `V`.
    public var description: String {
        var text = "V\(major).\(minor).\(patch)"
        if let p { text += "-P\(p)" }
        if let t { text += "-T\(t)" }
        return text
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Version.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid version format: '\(text)'"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
