/// An inclusive range `min~max`; either end may be open (SPEC V4).
public struct VersionRange: Hashable, Sendable, CustomStringConvertible, Codable {
    public var lower: Version?
    public var upper: Version?

    public init(lower: Version?, upper: Version?) {
        self.lower = lower
        self.upper = upper
    }

    public init(parsing text: String, origin: SourceLocation? = nil) throws(QuickupError) {
        let parts = text.split(separator: "~", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw QuickupError(
                .invalidRange, "invalid version range: '\(text)'", at: origin,
                hint: "expected min~max with either side optional, e.g. V2.15.0~V2.16.7 or ~2.16.9")
        }
        let low = parts[0].trimmingSpaces, high = parts[1].trimmingSpaces
        lower = low.isEmpty ? nil : try Version(parsing: low, origin: origin)
        upper = high.isEmpty ? nil : try Version(parsing: high, origin: origin)
        if let lower, let upper, lower > upper {
            throw QuickupError(.invalidRange, "invalid version range: '\(text)': \(lower) is above \(upper)", at: origin)
        }
    }

    public func contains(_ version: Version) -> Bool {
        if let lower, version < lower { return false }
        if let upper, version > upper { return false }
        return true
    }

    public var description: String { "\(lower?.description ?? "")~\(upper?.description ?? "")" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try VersionRange(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Substring {
    /// Trims ASCII spaces and tabs, without Foundation.
    var trimmingSpaces: String {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    /// Most values have nothing to trim; that is seen from the first and last byte (a space or
    /// tab is one byte and one Character), without walking Characters (P5: several per task).
    var trimmingSpaces: String {
        if let first = utf8.first, let last = utf8.last, first != 0x20, first != 0x09, last != 0x20, last != 0x09 { return self }
        return self[...].trimmingSpaces
    }
}
