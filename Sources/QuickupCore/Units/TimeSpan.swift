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
        let trimmed = text.trimmingSpaces
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }) { return parseASCII(Array(trimmed.utf8)) }
        return parseCharacters(text)
    }

    /// `parse` over Characters: any text (the reference `parseASCII` must agree with).
    static func parseCharacters(_ text: String) -> TimeSpan? {
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

    /// `parse` for ASCII text (every manifest's timeouts), over bytes instead of Characters;
    /// the same groups, limits and arithmetic (P5: a 100,000-task release parses 100,000).
    static func parseASCII(_ bytes: [UInt8]) -> TimeSpan? {
        guard !bytes.isEmpty else { return nil }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func number(_ digits: ArraySlice<UInt8>) -> Int64 { digits.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) } }
        if bytes.allSatisfy(isDigit) {
            guard bytes.count <= 12 else { return nil }
            return TimeSpan(milliseconds: number(bytes[...]) * 1000)
        }
        var total: Int64 = 0
        var index = 0
        while index < bytes.count {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > start, index - start <= 12 else { return nil }
            let n = number(bytes[start..<index])
            let unitStart = index
            while index < bytes.count, (bytes[index] | 0x20) >= UInt8(ascii: "a"), (bytes[index] | 0x20) <= UInt8(ascii: "z") { index += 1 }
            // The unit, lower-cased: ms, s, m, h or d.
            let length = index - unitStart
            let first = length > 0 ? bytes[unitStart] | 0x20 : 0
            let second = length > 1 ? bytes[unitStart + 1] | 0x20 : 0
            let scale: Int64
            switch (length, first, second) {
            case (2, UInt8(ascii: "m"), UInt8(ascii: "s")): scale = 1
            case (1, UInt8(ascii: "s"), _): scale = 1000
            case (1, UInt8(ascii: "m"), _): scale = 60_000
            case (1, UInt8(ascii: "h"), _): scale = 3_600_000
            case (1, UInt8(ascii: "d"), _): scale = 86_400_000
            default: return nil
            }
            total += n * scale
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
