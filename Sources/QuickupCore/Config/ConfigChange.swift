/// The kinds of configuration a `config.<uid>` task edits (SPEC K1).
public enum ConfigFormat: String, CaseIterable, Sendable, Codable {
    /// `java.util.Properties` files, edited line by line (M1 rules).
    case properties
    /// YAML documents, edited along their block structure.
    case yaml
    /// Flink's flat `key: value` `flink-conf.yaml`.
    case flink
    /// The change file is the whole new content (an nginx server block, a script…).
    case file
    /// Like `file`, for nginx (K2): the candidate is tested with `nginx -t` in place of the live
    /// file before it replaces it, then nginx is reloaded and the reload verified.
    case nginx

    /// Whether the change file holds `set`/`remove` operations rather than the new content.
    public var isKeyed: Bool { self != .file && self != .nginx }
}

/// One operation of a change file, with the line that stated it.
public struct ConfigChange: Hashable, Sendable {
    public enum Operation: Hashable, Sendable {
        /// `set key = value`. For YAML the value is YAML text (`8081`, `"a: b"`, `[1, 2]`);
        /// for properties and Flink it is the literal value (double quotes allow escapes).
        case set(key: String, value: String)
        /// `remove key`; removing a key that is absent changes nothing (re-runs are idempotent).
        case remove(key: String)
    }

    public var operation: Operation
    public var location: SourceLocation

    public init(_ operation: Operation, at location: SourceLocation) {
        self.operation = operation
        self.location = location
    }

    public var key: String {
        switch operation {
        case .set(let key, _), .remove(let key): return key
        }
    }
}

/// Reads a change file (SPEC K1):
///
/// ```
/// # comments and blank lines are ignored
/// set server.port = 8081
/// set "key with spaces" = "  value with leading spaces\n"
/// remove spring.redis.timeout
/// ```
///
/// Keys and (for properties/Flink) values may be double-quoted with `\\ \" \n \t \r \f \uXXXX`
/// escapes. Every mistake is reported with file and line.
public enum ConfigChangeParser {
    public static func parse(_ text: String, format: ConfigFormat, file: String) throws(QuickupErrors) -> [ConfigChange] {
        var changes: [ConfigChange] = []
        var errors: [QuickupError] = []
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = rawLine.trimmingBlanks()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let location = SourceLocation(file: file, line: lineNumber)
            do {
                changes.append(try parseLine(Substring(line), format: format, at: location))
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { throw QuickupErrors(errors) }
        return changes
    }

    private static let expected = "expected `set <key> = <value>` or `remove <key>`"

    private static func parseLine(_ line: Substring, format: ConfigFormat, at location: SourceLocation) throws(QuickupError) -> ConfigChange {
        var rest = line
        let verb = rest.prefix { $0 != " " && $0 != "\t" }
        rest = rest.dropFirst(verb.count).drop { $0 == " " || $0 == "\t" }
        switch verb {
        case "set":
            let key = try readKey(&rest, format: format, stopAtEquals: true, at: location)
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard rest.first == "=" else {
                throw QuickupError(.configChange, "missing '=' after key '\(key)'", at: location, hint: expected)
            }
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            let value: String
            if format != .yaml, rest.first == "\"" {
                value = try readQuoted(&rest, at: location)
                guard rest.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                    throw QuickupError(.configChange, "unexpected text after the quoted value: '\(rest)'", at: location,
                                       hint: "write the whole value inside the quotes")
                }
            } else {
                value = String(rest)
            }
            try checkKey(key, format: format, at: location)
            return ConfigChange(.set(key: key, value: value), at: location)
        case "remove":
            let key = try readKey(&rest, format: format, stopAtEquals: false, at: location)
            guard rest.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                throw QuickupError(.configChange, "unexpected text after key '\(key)': '\(rest)'", at: location, hint: expected)
            }
            try checkKey(key, format: format, at: location)
            return ConfigChange(.remove(key: key), at: location)
        default:
            throw QuickupError(.configChange, "unknown operation '\(verb)'", at: location, hint: expected)
        }
    }

    private static func checkKey(_ key: String, format: ConfigFormat, at location: SourceLocation) throws(QuickupError) {
        switch format {
        case .yaml:
            _ = try ConfigPath.parse(key, at: location)
        case .flink:
            if key.isEmpty || key.contains(": ") || key.contains("#") || key.contains(where: \.isNewline) {
                throw QuickupError(.configChange, "'\(key)' cannot be a Flink key", at: location,
                                   hint: "Flink reads `key: value` lines; keys cannot hold ': ', '#' or line breaks")
            }
        case .properties, .file, .nginx:
            break
        }
    }

    private static func readKey(_ rest: inout Substring, format: ConfigFormat, stopAtEquals: Bool, at location: SourceLocation) throws(QuickupError) -> String {
        if format == .yaml {
            // A YAML path keeps its quotes (`a."b.c"`, `"with space".x`): ConfigPath reads them.
            var inQuotes = false
            var escaped = false
            let key = rest.prefix { character in
                defer { escaped = inQuotes && !escaped && character == "\\" }
                if character == "\"" && !escaped { inQuotes.toggle() }
                return inQuotes || (character != " " && character != "\t" && !(stopAtEquals && character == "="))
            }
            rest = rest.dropFirst(key.count).drop { $0 == " " || $0 == "\t" }
            guard !key.isEmpty else { throw QuickupError(.configChange, "missing key", at: location, hint: expected) }
            return String(key)
        }
        if rest.first == "\"" {
            let quoted = try readQuoted(&rest, at: location)
            guard rest.first == nil || rest.first == " " || rest.first == "\t" || rest.first == "=" else {
                throw QuickupError(.configChange, "unexpected text after the quoted key: '\(rest)'", at: location,
                                   hint: "write the whole key inside the quotes")
            }
            rest = rest.drop { $0 == " " || $0 == "\t" }
            // `""` is a real key to java.util.Properties (a line `=value`), so it may be named.
            return quoted
        }
        let key = rest.prefix { $0 != " " && $0 != "\t" && !(stopAtEquals && $0 == "=") }
        rest = rest.dropFirst(key.count).drop { $0 == " " || $0 == "\t" }
        guard !key.isEmpty else { throw QuickupError(.configChange, "missing key", at: location, hint: expected) }
        return String(key)
    }

    /// A double-quoted string; `rest` is left after the closing quote.
    static func readQuoted(_ rest: inout Substring, at location: SourceLocation) throws(QuickupError) -> String {
        var units: [UInt16] = []
        var index = rest.index(after: rest.startIndex)
        while index < rest.endIndex {
            let character = rest[index]
            if character == "\"" {
                rest = rest[rest.index(after: index)...]
                return String(decoding: units, as: UTF16.self)
            }
            if character == "\\" {
                index = rest.index(after: index)
                guard index < rest.endIndex else { break }
                switch rest[index] {
                case "n": units.append(0x0A)
                case "t": units.append(0x09)
                case "r": units.append(0x0D)
                case "f": units.append(0x0C)
                case "\\", "\"": units.append(contentsOf: rest[index].utf16)
                case "u":
                    let digits = rest[rest.index(after: index)...].prefix(4)
                    guard digits.count == 4, let unit = UInt16(digits, radix: 16) else {
                        throw QuickupError(.configChange, "malformed \\u escape in a quoted string", at: location,
                                           hint: "\\u needs four hex digits, e.g. \\u4E2D")
                    }
                    units.append(unit)
                    index = rest.index(index, offsetBy: 4)
                default:
                    throw QuickupError(.configChange, "unknown escape '\\\(rest[index])' in a quoted string", at: location,
                                       hint: "quoted strings know \\\\ \\\" \\n \\t \\r \\f \\uXXXX")
                }
            } else {
                units.append(contentsOf: character.utf16)
            }
            index = rest.index(after: index)
        }
        throw QuickupError(.configChange, "unterminated quoted string", at: location, hint: "close it with \"")
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and carriage returns.
    func trimmingBlanks() -> String {
        let blanks: Set<Unicode.Scalar> = [" ", "\t", "\r"]
        var view = Substring(self).unicodeScalars[...]
        while let first = view.first, blanks.contains(first) { view = view.dropFirst() }
        while let last = view.last, blanks.contains(last) { view = view.dropLast() }
        return String(String.UnicodeScalarView(view))
    }
}
