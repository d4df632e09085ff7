/// Collects every problem found in one pass, so a release with ten mistakes reports ten (M5).
///
/// A mistake repeated thousands of times (a generated manifest whose files are all missing) is
/// kept `perKindLimit` times per kind and then only counted (issue 13 item 9): the report stays
/// readable and its memory bounded. A kind is the error's code and its message with the quoted
/// names and numbers taken out.
public struct Diagnostics: Sendable {
    public private(set) var errors: [QuickupError] = []
    public private(set) var warnings: [QuickupError] = []
    public static let perKindLimit = 20
    /// How many errors of each kind were seen, and how many of those were only counted.
    private var seen: [String: Int] = [:]
    private var dropped: [String: (count: Int, example: QuickupError)] = [:]

    public init() {}

    public var isEmpty: Bool { errors.isEmpty }

    /// Errors counted but not kept, over all kinds.
    public var droppedCount: Int { dropped.values.reduce(0) { $0 + $1.count } }

    public mutating func error(_ message: String, at location: SourceLocation?, hint: String? = nil,
                               code: QuickupError.Code = .manifestInvalid) {
        append(QuickupError(code, message, at: location, hint: hint))
    }

    public mutating func warning(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        guard warnings.count < Self.perKindLimit * 50 else { return }
        warnings.append(QuickupError(.manifestInvalid, message, at: location, hint: hint))
    }

    public mutating func append(_ error: QuickupError) {
        let kind = Self.kind(of: error)
        let count = (seen[kind] ?? 0) + 1
        seen[kind] = count
        if count <= Self.perKindLimit {
            errors.append(error)
        } else {
            dropped[kind, default: (count: 0, example: error)].count += 1
        }
    }

    public mutating func merge(_ other: Diagnostics) {
        for error in other.errors { append(error) }
        for (kind, entry) in other.dropped {
            seen[kind, default: 0] += entry.count
            dropped[kind, default: (count: 0, example: entry.example)].count += entry.count
        }
        warnings += other.warnings.prefix(max(0, Self.perKindLimit * 50 - warnings.count))
    }

    /// Errors sorted by file then line, the order a person fixes them in; then, per kind that
    /// was cut short, one line saying how many more there were.
    public var sortedErrors: [QuickupError] {
        let sorted = errors.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            if la?.file != lb?.file { return (la?.file ?? "") < (lb?.file ?? "") }
            if la?.line != lb?.line { return (la?.line ?? 0) < (lb?.line ?? 0) }
            return a.offset < b.offset
        }.map(\.element)
        let summaries = dropped.sorted { $0.key < $1.key }.map { _, entry in
            QuickupError(entry.example.code,
                         "… and \(entry.count) more errors like the first \(Self.perKindLimit) of this kind, e.g. "
                             + (entry.example.location.map { "\($0): " } ?? "") + entry.example.message,
                         hint: "fix the first ones; the rest are most likely the same mistake")
        }
        return sorted + summaries
    }

    /// The code and the message with quoted parts and numbers replaced, e.g.
    /// `file_not_found 'sql/x#.sql' does not exist` → one kind for every missing file.
    static func kind(of error: QuickupError) -> String {
        var out = error.code.rawValue + " "
        var quote: Character?
        var lastWasDigit = false
        for character in error.message {
            if let open = quote {
                if character == open {
                    quote = nil
                    out.append(character)
                }
                continue
            }
            if character == "'" || character == "\"" || character == "`" {
                quote = character
                out.append(character)
                out.append("…")
                lastWasDigit = false
            } else if character.isNumber {
                if !lastWasDigit { out.append("#") }
                lastWasDigit = true
            } else {
                out.append(character)
                lastWasDigit = false
            }
        }
        return out
    }
}

/// Small value parsers shared by the properties-based manifests, each reporting into Diagnostics.
struct FieldReader {
    var file: String
    var diagnostics: Diagnostics

    func at(_ entry: PropertiesEntry) -> SourceLocation {
        SourceLocation(file: file, line: entry.line, key: entry.key)
    }

    mutating func fail(_ entry: PropertiesEntry, expected: String) {
        diagnostics.error("invalid value '\(entry.value)': expected \(expected)", at: at(entry))
    }

    mutating func int(_ entry: PropertiesEntry, min: Int = 0) -> Int? {
        let text = entry.value.trimmingSpaces
        guard text.count <= 12, let value = Int(text), value >= min else {
            fail(entry, expected: "an integer ≥ \(min)")
            return nil
        }
        return value
    }

    mutating func bool(_ entry: PropertiesEntry) -> Bool? {
        switch entry.value.trimmingSpaces.lowercased() {
        case "true": return true
        case "false": return false
        default:
            fail(entry, expected: "true or false")
            return nil
        }
    }

    mutating func version(_ entry: PropertiesEntry) -> Version? {
        let text = entry.value.trimmingSpaces
        // The location is made only for the error (P5: every task of a release names a version).
        if let version = Version.parse(text) { return version }
        do { return try Version(parsing: text, origin: at(entry)) } catch {
            diagnostics.append(error)
            return nil
        }
    }

    mutating func range(_ entry: PropertiesEntry) -> VersionRange? {
        do { return try VersionRange(parsing: entry.value.trimmingSpaces, origin: at(entry)) } catch {
            diagnostics.append(error)
            return nil
        }
    }

    mutating func timeSpan(_ entry: PropertiesEntry) -> TimeSpan? {
        guard let span = TimeSpan.parse(entry.value), span.milliseconds > 0 else {
            fail(entry, expected: "a duration such as 90s, 30m or 1h30m")
            return nil
        }
        return span
    }

    mutating func stage(_ entry: PropertiesEntry) -> Stage? {
        guard let stage = Stage(rawValue: entry.value.trimmingSpaces) else {
            fail(entry, expected: Stage.expectedList)
            return nil
        }
        return stage
    }

    /// Comma-separated names; empty items are errors (a stray comma is usually a typo).
    mutating func list(_ entry: PropertiesEntry) -> [String]? {
        // Most lists are one name (a task's `depends`): with no comma byte, splitting by
        // Characters gives the whole value too, so it is trimmed without walking its
        // Characters (P5, issue 20.1).
        if !entry.value.utf8.contains(UInt8(ascii: ",")) {
            let item = entry.value.trimmingSpaces
            return item.isEmpty ? [] : [item]
        }
        let items = entry.value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        if items.count == 1, items[0].isEmpty { return [] }
        guard !items.contains(where: \.isEmpty) else {
            fail(entry, expected: "a comma-separated list without empty items")
            return nil
        }
        return items
    }

    mutating func nonEmpty(_ entry: PropertiesEntry) -> String? {
        let text = entry.value.trimmingSpaces
        guard !text.isEmpty else {
            fail(entry, expected: "a non-empty value")
            return nil
        }
        return text
    }
}
