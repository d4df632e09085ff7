/// Collects every problem found in one pass, so a release with ten mistakes reports ten (M5).
public struct Diagnostics: Sendable {
    public private(set) var errors: [QuickupError] = []
    public private(set) var warnings: [QuickupError] = []

    public init() {}

    public var isEmpty: Bool { errors.isEmpty }

    public mutating func error(_ message: String, at location: SourceLocation?, hint: String? = nil,
                               code: QuickupError.Code = .manifestInvalid) {
        errors.append(QuickupError(code, message, at: location, hint: hint))
    }

    public mutating func warning(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        warnings.append(QuickupError(.manifestInvalid, message, at: location, hint: hint))
    }

    public mutating func append(_ error: QuickupError) { errors.append(error) }

    public mutating func merge(_ other: Diagnostics) {
        errors += other.errors
        warnings += other.warnings
    }

    /// Errors sorted by file then line, the order a person fixes them in.
    public var sortedErrors: [QuickupError] {
        errors.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            if la?.file != lb?.file { return (la?.file ?? "") < (lb?.file ?? "") }
            if la?.line != lb?.line { return (la?.line ?? 0) < (lb?.line ?? 0) }
            return a.offset < b.offset
        }.map(\.element)
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
        do { return try Version(parsing: entry.value.trimmingSpaces, origin: at(entry)) } catch {
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
