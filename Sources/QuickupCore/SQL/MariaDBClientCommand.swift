/// A command of the `mariadb` client itself (its `help` lists them): the client runs it instead
/// of sending text to the server. It is recognised as a whole line when no statement is pending
/// (`DELIMITER $$`), as a whole statement at a delimiter (`use db;`), or as `\x` anywhere outside
/// quotes and comments (`select 1\G`).
struct MariaDBClientCommand: Sendable {
    /// What quickup does where the client would run the command.
    enum Effect: Sendable {
        case setDelimiter
        /// `go`, `ego`: send the pending statement now.
        case send
        /// `clear`: drop the pending statement.
        case clear
        /// `quit`, `exit`: stop reading; what is pending is still sent.
        case quit
        /// `use db`: the client sends COM_INIT_DB; quickup yields the statement "USE `db`".
        case useDatabase
        /// Everything else (`source`, `system`, `tee`, `status`, `charset`…) reads files, runs
        /// programs or changes the session behind quickup's back: quickup refuses the script.
        case unsupported
    }

    /// Lower-case name, as typed at the start of a line.
    let name: [UInt8]
    /// The `x` of the `\x` form.
    let shortcut: UInt8
    let takesArgument: Bool
    let effect: Effect

    private init(_ name: String, _ shortcut: Unicode.Scalar, _ takesArgument: Bool, _ effect: Effect) {
        self.name = Array(name.utf8)
        self.shortcut = UInt8(ascii: shortcut)
        self.takesArgument = takesArgument
        self.effect = effect
    }

    var displayName: String { String(decoding: name, as: UTF8.self) }

    /// The client's command table (MariaDB 10.11, Linux build).
    static let all: [MariaDBClientCommand] = [
        .init("?", "?", true, .unsupported), .init("charset", "C", true, .unsupported),
        .init("clear", "c", false, .clear), .init("connect", "r", true, .unsupported),
        .init("delimiter", "d", true, .setDelimiter), .init("edit", "e", false, .unsupported),
        .init("ego", "G", false, .send), .init("exit", "q", false, .quit),
        .init("go", "g", false, .send), .init("help", "h", true, .unsupported),
        .init("nopager", "n", false, .unsupported), .init("notee", "t", false, .unsupported),
        .init("nowarning", "w", false, .unsupported), .init("pager", "P", true, .unsupported),
        .init("print", "p", false, .unsupported), .init("prompt", "R", true, .unsupported),
        .init("quit", "q", false, .quit), .init("rehash", "#", false, .unsupported),
        .init("sandbox", "-", false, .unsupported), .init("source", ".", true, .unsupported),
        .init("status", "s", false, .unsupported), .init("system", "!", true, .unsupported),
        .init("tee", "T", true, .unsupported), .init("use", "u", true, .useDatabase),
        .init("warnings", "W", false, .unsupported),
    ]

    static let delimiterName = Array("delimiter".utf8)

    /// The command `\x` stands for, if any.
    static func withShortcut(_ shortcut: UInt8) -> MariaDBClientCommand? {
        all.first { $0.shortcut == shortcut }
    }

    /// The client's `is_delimiter_command`: the text starts with the word `delimiter`, any case.
    static func startsWithDelimiterName(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.count >= delimiterName.count
            && SQLScriptBytes.equalsIgnoringCase(UnsafeBufferPointer(rebasing: text[..<delimiterName.count]), delimiterName)
    }

    /// The client's `find_command(char *name)`: is this whole line (or whole statement) a client
    /// command? Not when it contains `\g` or the delimiter, unless it is a `DELIMITER` command;
    /// with an argument only if the command takes one and the argument parses.
    static func find(in text: UnsafeBufferPointer<UInt8>, delimiter: [UInt8]) -> MariaDBClientCommand? {
        var start = 0
        while start < text.count && text[start].isSQLSpace { start += 1 }
        let name = UnsafeBufferPointer(rebasing: text[start...])
        let wordEnd = name.firstIndex { $0 == .space || $0 == .tab }
        let word = UnsafeBufferPointer(rebasing: name[..<(wordEnd ?? name.count)])
        // Cheapest test first: almost every statement's first word is no command.
        guard let command = all.first(where: { SQLScriptBytes.equalsIgnoringCase(word, $0.name) }) else {
            return nil
        }
        if contains(name, [.backslash, UInt8(ascii: "g")]) { return nil }
        if contains(name, delimiter) && !startsWithDelimiterName(name) { return nil }
        var argumentStart = wordEnd ?? name.count
        while argumentStart < name.count && name[argumentStart].isSQLSpace { argumentStart += 1 }
        let hasArgument = argumentStart < name.count
        if hasArgument && !(command.takesArgument && MariaDBCommandArgument.parse(name, mode: .check) != nil) {
            return nil
        }
        return command
    }

    private static func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, text.count >= needle.count else { return false }
        var index = 0
        while index <= text.count - needle.count {
            if text[index] == first && text[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}

/// The argument of a `mariadb` client command, read as the client's `get_arg()` reads it, so that
/// `DELIMITER $$ junk`, `delimiter '$ $'`, `use \`my db\`` and `\d //` mean what they mean there.
///
/// Rules (checked against the 10.11 client): skip the command word (or the two bytes of `\x`) and
/// the blanks after it; an argument in `'`, `"` or `` ` `` runs to the matching quote, otherwise
/// to the next space (only a space: a tab stays part of it). A backslash escapes the byte after
/// it and disappears, except inside `` ` `` in the long form (`use \`a\b\``), where it is a plain
/// byte. An empty argument or an unclosed quote is no argument.
enum MariaDBCommandArgument {
    enum Mode {
        /// Only tell whether there is an argument (the client's `CHECK`).
        case check
        /// Return it with escaping backslashes removed (the client's `GET`).
        case get
    }

    static func parse(_ invocation: UnsafeBufferPointer<UInt8>, mode: Mode) -> [UInt8]? {
        let text = invocation
        var position = 0
        while position < text.count && text[position].isSQLSpace { position += 1 }
        let isShortForm = position < text.count && text[position] == .backslash
        if isShortForm {
            position += 2
        } else {
            while position < text.count && !text[position].isSQLSpace { position += 1 }
        }
        guard position < text.count else { return nil }
        while position < text.count && text[position].isSQLSpace { position += 1 }

        var quote: UInt8 = 0
        if position < text.count && [.singleQuote, .doubleQuote, .backtick].contains(text[position]) {
            quote = text[position]
            position += 1
        }
        var argument = [UInt8]()
        var consumedSomething = false
        while position < text.count {
            let byte = text[position]
            let hasNext = position + 1 < text.count
            let isEscape = byte == .backslash && hasNext && (isShortForm || quote != .backtick)
            if isEscape {
                if mode == .get { argument.append(text[position + 1]) }
                position += 2
            } else if byte == (quote != 0 ? quote : .space) {
                quote = 0
                break
            } else {
                if mode == .get { argument.append(byte) }
                position += 1
            }
            consumedSomething = true
        }
        guard consumedSomething && quote == 0 else { return nil }
        return argument
    }
}
