/// A duration written as `90s`, `30m`, `1h30m`, `500ms` or `2d` in manifests (SPEC M2 `.timeout`).
public struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Double) { self.milliseconds = Int64((seconds * 1000).rounded()) }
    public static func seconds(_ s: Int64) -> TimeSpan { TimeSpan(milliseconds: s * 1000) }
    public static func minutes(_ m: Int64) -> TimeSpan { TimeSpan(milliseconds: m * 60_000) }

    public var seconds: Double { Double(milliseconds) / 1000 }

    /// Parses one or more `<number><unit>` groups; a bare number means seconds.
    public static func parse(_ text: String) -> TimeSpan? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        var rest = Substring(text.trimmingSpaces.lowercased())
        guard !rest.isEmpty else { return nil }
        if rest.allSatisfy(\.isASCIIDigit) {
            guard rest.count <= 12, let n = Int64(rest) else { return nil }
            return TimeSpan(milliseconds: n * 1000)
        }
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, digits.count <= 12, let n = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix(while: { $0.isLetter })
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += n * unit.1
        }
        return TimeSpan(milliseconds: total)
    }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Human form: `8m32s`, `1h05m`, `450ms`.
    public var description: String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let total = (milliseconds + 500) / 1000
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        if h > 0 { return m > 0 ? "\(h)h\(m.twoDigits)m" : "\(h)h" }
        if m > 0 { return s > 0 ? "\(m)m\(s.twoDigits)s" : "\(m)m" }
        return "\(s)s"
    }

    public init(from decoder: any Decoder) throws {
        milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}

extension Int64 {
    var twoDigits: String { self < 10 ? "0\(self)" : "\(self)" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
