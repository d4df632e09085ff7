/// One Redis command of a `.redis` script: its arguments as bytes (values may be binary, e.g.
/// `"\x00\xff"`) and where it was written, for `file:line` errors.
public struct RedisCommand: Hashable, Sendable {
    public var arguments: [[UInt8]]
    public var line: Int
    public var file: String

    public init(arguments: [[UInt8]], line: Int, file: String) {
        self.arguments = arguments
        self.line = line
        self.file = file
    }

    public init(_ arguments: [String], line: Int = 1, file: String = "<command>") {
        self.init(arguments: arguments.map { Array($0.utf8) }, line: line, file: file)
    }

    /// The arguments as text; bytes that are not UTF-8 show as U+FFFD.
    public var strings: [String] { arguments.map { String(decoding: $0, as: UTF8.self) } }

    /// The command name in upper case (`SET`, `EVAL`…), for messages and checks.
    public var name: String { strings.first?.uppercased() ?? "" }

    public var location: SourceLocation { SourceLocation(file: file, line: line) }
}

/// A Redis script (task kind `redis.`), in one of two forms (docs/FORMATS.md "Redis scripts"):
///
/// - commands: one command per line, arguments split the way `redis-cli` splits them
///   (`RedisCommandLine`); lines whose first non-blank character is `#` and blank lines are skipped.
/// - Lua: a file named `*.lua`, or whose first line starts with `-- lua`, is sent whole with
///   `EVAL <source> 0`, so it runs atomically on the server.
public enum RedisScript: Hashable, Sendable {
    case commands([RedisCommand])
    case lua(source: String, file: String)

    /// Reads a script. `file` is the name used in `file:line` messages and decides Lua by extension.
    public static func parse(_ text: String, file: String) throws(QuickupError) -> RedisScript {
        if isLua(text, file: file) { return .lua(source: text, file: file) }
        var commands: [RedisCommand] = []
        var number = 0
        // Lines end in "\n" or "\r\n" (files from Windows editors); Swift sees "\r\n" as one
        // Character, so both are listed.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let arguments = try RedisCommandLine.split(String(line), at: SourceLocation(file: file, line: number))
            if arguments.isEmpty { continue }
            commands.append(RedisCommand(arguments: arguments, line: number, file: file))
        }
        return .commands(commands)
    }

    /// A `.lua` file, or a first line `-- lua` (any case, trailing text allowed: `-- lua: fix keys`).
    public static func isLua(_ text: String, file: String) -> Bool {
        if file.lowercased().hasSuffix(".lua") { return true }
        let first = text.prefix(while: { $0 != "\n" && $0 != "\r" })
        let words = first.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" })
        return words.count >= 2 && words[0] == "--" && words[1] == "lua"
    }

    /// The commands to send: the command lines, or one `EVAL` for a Lua script (line 1).
    public var commands: [RedisCommand] {
        switch self {
        case .commands(let commands):
            return commands
        case .lua(let source, let file):
            return [RedisCommand(arguments: [Array("EVAL".utf8), Array(source.utf8), Array("0".utf8)],
                                 line: 1, file: file)]
        }
    }
}
