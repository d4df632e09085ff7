/// Where in an input something was found: a file and a 1-based line, optionally a key.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible, Codable {
    public var file: String
    public var line: Int?
    public var key: String?
    /// 1-based column in characters, where it matters (a byte that is not UTF-8).
    public var column: Int?

    public init(file: String, line: Int? = nil, key: String? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.key = key
        self.column = column
    }

    /// The same place, naming a key (and its line, when known).
    public func with(key: String, line: Int? = nil) -> SourceLocation {
        SourceLocation(file: file, line: line ?? self.line, key: key)
    }

    /// `file:line: key` — the form editors and people both read.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let line, let column, line > 0 { text += ":\(column)" }
        if let key { text += ": \(key)" }
        return text
    }
}

/// Every failure quickup reports is one of these: a stable code, what went wrong, where, and what to do.
public struct QuickupError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidVersion = Code(rawValue: "invalid_version")
        public static let invalidRange = Code(rawValue: "invalid_range")
        public static let manifestInvalid = Code(rawValue: "manifest_invalid")
        public static let propertiesSyntax = Code(rawValue: "properties_syntax")
        public static let dependencyCycle = Code(rawValue: "dependency_cycle")
        public static let downgrade = Code(rawValue: "downgrade_refused")
        public static let unsupportedFrom = Code(rawValue: "unsupported_from_version")
        public static let fileNotFound = Code(rawValue: "file_not_found")
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        public static let io = Code(rawValue: "io_error")
        public static let checksumChanged = Code(rawValue: "checksum_changed")
        public static let needsConfirmation = Code(rawValue: "needs_confirmation")
        public static let taskFailed = Code(rawValue: "task_failed")
        public static let timeout = Code(rawValue: "timeout")
        public static let locked = Code(rawValue: "locked")
        public static let unsupported = Code(rawValue: "unsupported")
        public static let cancelled = Code(rawValue: "cancelled")
        /// A plugin exceeded one of its isolation limits (T3).
        public static let limitExceeded = Code(rawValue: "limit_exceeded")
        /// A tool could not be started at all (interpreter or helper missing, wrong executable
        /// format): quickup's own failure, never the tool's under its class policy (T4).
        public static let toolNotStarted = Code(rawValue: "tool_not_started")
        /// A SQL script cannot be split: unterminated quote or comment, unknown `\x` client command…
        public static let sqlSyntax = Code(rawValue: "sql_syntax")
        /// A SQL script uses a `mariadb` client command quickup does not run (`source`, `system`…).
        public static let sqlClientCommand = Code(rawValue: "sql_client_command")
        /// A release zip that is unsafe, damaged or does not match its manifest (R1).
        public static let releaseArchive = Code(rawValue: "release_archive_invalid")
        /// A config change file that cannot be read, or an edit that would be ambiguous (K1).
        public static let configChange = Code(rawValue: "config_change_invalid")
        /// A release file that is not UTF-8, or a script holding a NUL byte (issue 13 item 7).
        public static let textEncoding = Code(rawValue: "text_encoding")
        /// A `quickup lint` error-level finding, reported by `validate` (N1).
        public static let lint = Code(rawValue: "lint")
    }

    public var code: Code
    public var message: String
    public var location: SourceLocation?
    public var hint: String?

    public init(_ code: Code, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.hint = hint
    }

    /// Control characters from the input (ESC, BEL …) are shown escaped, never sent raw to a
    /// terminal (ControlCharacters).
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += message
        if let hint { text += " — \(hint)" }
        return ControlCharacters.escaped(text)
    }

    /// Whether this error means the input was wrong (exit 2) rather than the operation failing.
    public var isInvalidInput: Bool {
        switch code {
        case .invalidVersion, .invalidRange, .manifestInvalid, .propertiesSyntax, .dependencyCycle,
             .downgrade, .unsupportedFrom, .fileNotFound, .invalidArgument, .redisScriptSyntax, .sqlSyntax, .sqlClientCommand,
             .releaseArchive, .configChange, .textEncoding, .lint:
            return true
        default:
            return false
        }
    }
}

/// Many errors found in one pass (a release with ten mistakes reports all ten).
public struct QuickupErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [QuickupError]
    public init(_ errors: [QuickupError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
