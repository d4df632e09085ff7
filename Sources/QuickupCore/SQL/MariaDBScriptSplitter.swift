/// Splits a script the way the `mariadb` client (MariaDB 10.11) does when it reads a file in batch
/// mode: line by line (`read_and_execute()`), each line scanned by `add_line()` (see
/// `MariaDBScriptSplitter+Line.swift`), client commands run as it runs them.
///
/// It assumes what a quickup connection has: a utf8mb4 client character set, and a server
/// `sql_mode` without `NO_BACKSLASH_ESCAPES` and `ANSI_QUOTES` (the client asks the server which
/// of those is on; quickup cannot, before running anything).
struct MariaDBScriptSplitter {
    let file: String
    let script: UnsafeBufferPointer<UInt8>

    var delimiter: [UInt8] = [.semicolon] {
        didSet { meaningfulBytes = Self.meaningfulBytes(delimiter: delimiter) }
    }
    /// ASCII bytes `add_line()` may treat specially; runs of other bytes are copied at once.
    var meaningfulBytes = Self.semicolonMeaningfulBytes
    var pending = PendingStatement()
    /// The quote byte of the string or quoted identifier the scan is in, or 0.
    var openQuote: UInt8 = 0
    var openQuoteLine = 0
    var inBlockComment = false
    var blockCommentLine = 0
    var lineNumber = 0
    var quitRequested = false
    var statements: [SQLStatement] = []
    /// Lines the client reads differently from how they look (for `quickup lint`, N1).
    var notes: [SQLSplitNote] = []

    static func split(_ bytes: [UInt8], file: String) throws(QuickupError) -> [SQLStatement] {
        try bytes.withUnsafeBufferPointer { (script) throws(QuickupError) -> [SQLStatement] in
            var splitter = MariaDBScriptSplitter(file: file, script: script)
            try splitter.run()
            return splitter.statements
        }
    }

    /// Statements and notes; on a split error, the statements cut before it and the error.
    static func analyze(_ bytes: [UInt8], file: String) -> SQLScriptAnalysis {
        bytes.withUnsafeBufferPointer { script in
            var splitter = MariaDBScriptSplitter(file: file, script: script)
            do throws(QuickupError) {
                try splitter.run()
                return SQLScriptAnalysis(statements: splitter.statements, notes: splitter.notes, error: nil)
            } catch {
                return SQLScriptAnalysis(statements: splitter.statements, notes: splitter.notes, error: error)
            }
        }
    }

    private init(file: String, script: UnsafeBufferPointer<UInt8>) {
        self.file = file
        self.script = script
    }

    /// `read_and_execute()`: one line at a time; a line that is a client command while no
    /// statement is pending is run, any other line goes to `add_line()`.
    private mutating func run() throws(QuickupError) {
        var lineStart = 0
        while lineStart < script.count && !quitRequested {
            var lineEnd = lineStart
            var hasNullByte = false
            while lineEnd < script.count && script[lineEnd] != .newline {
                if script[lineEnd] == 0 { hasNullByte = true }
                lineEnd += 1
            }
            lineNumber += 1
            if hasNullByte {
                throw error(.sqlSyntax, "NUL byte in the script; the mariadb client refuses it outside --binary-mode")
            }
            let line = UnsafeBufferPointer(rebasing: script[lineStart..<lineEnd])
            if !inBlockComment && openQuote == 0 { noteLineStart(line) }
            if pending.isEmpty && !inBlockComment && openQuote == 0,
               let command = MariaDBClientCommand.find(in: line, delimiter: delimiter) {
                try perform(command, invocation: line, line: lineNumber)
            } else {
                try scanLine(line)
            }
            lineStart = lineEnd + 1
        }
        if !quitRequested { try checkNothingLeftOpen() }
        // Batch mode sends what is left even without a delimiter (and after `quit`).
        send()
    }

    /// Notes a line that starts with `--X` (no blank after `--`) or, inside an unfinished
    /// statement, with the word `delimiter`: the two places where the client quietly does
    /// something else than the script seems to say.
    private mutating func noteLineStart(_ line: UnsafeBufferPointer<UInt8>) {
        var start = 0
        while start < line.count && line[start].isSQLSpace { start += 1 }
        guard start < line.count else { return }
        let rest = UnsafeBufferPointer(rebasing: line[start...])
        if rest.count > 2 && rest[0] == .dash && rest[1] == .dash && !rest[2].isSQLSpace {
            notes.append(.dashCommentWithoutSpace(line: lineNumber, column: start + 1, dropped: pending.isEmpty))
        } else if !pending.isEmpty && MariaDBClientCommand.startsWithDelimiterName(rest)
                    && (rest.count == MariaDBClientCommand.delimiterName.count
                        || rest[MariaDBClientCommand.delimiterName.count].isSQLSpace) {
            notes.append(.delimiterInStatement(line: lineNumber, column: start + 1, statementLine: pending.startLine,
                                               delimiter: String(decoding: delimiter, as: UTF8.self)))
        }
    }

    private func checkNothingLeftOpen() throws(QuickupError) {
        if openQuote != 0 {
            let quote = String(decoding: [openQuote], as: UTF8.self)
            throw QuickupError(
                .sqlSyntax, "unterminated \(openQuote == .backtick ? "quoted identifier" : "string"): the \(quote) opened here is never closed",
                at: SourceLocation(file: file, line: openQuoteLine),
                hint: "close it; inside, a doubled \(quote) stands for one")
        }
        if inBlockComment {
            throw QuickupError(
                .sqlSyntax, "unterminated comment: the /* opened here is never closed",
                at: SourceLocation(file: file, line: blockCommentLine), hint: "close it with */")
        }
    }

    /// `com_go()`: send the pending statement (if anything but blanks) and start a new one.
    mutating func send() {
        if let text = pending.sentText() {
            statements.append(SQLStatement(text: text, line: pending.startLine, file: file))
        }
        pending.clear()
    }

    /// Runs a client command. `invocation` is the text the client hands the command: the whole
    /// line, the whole pending statement, or a line's rest from the `\`.
    mutating func perform(
        _ command: MariaDBClientCommand, invocation: UnsafeBufferPointer<UInt8>, line: Int
    ) throws(QuickupError) {
        switch command.effect {
        case .setDelimiter:
            // The client copies the line into 256 bytes and the delimiter into 16.
            let argument = MariaDBCommandArgument.parse(UnsafeBufferPointer(rebasing: invocation.prefix(255)), mode: .get)
            guard let argument, !argument.isEmpty else {
                throw error(.sqlSyntax, "DELIMITER must be followed by a delimiter", line: line)
            }
            guard !argument.contains(.backslash) else {
                throw error(.sqlSyntax, "DELIMITER cannot contain a backslash character", line: line)
            }
            // The client keeps 15 bytes; cut inside a character, it would send broken UTF-8.
            let kept = Array(argument.prefix(15))
            guard String(validating: kept, as: UTF8.self) != nil else {
                throw error(.sqlSyntax, "DELIMITER is longer than 15 bytes and the client would cut it inside a character", line: line)
            }
            delimiter = kept
        case .send:
            send()
        case .clear:
            pending.clear()
        case .quit:
            quitRequested = true
        case .useDatabase:
            let argument = MariaDBCommandArgument.parse(UnsafeBufferPointer(rebasing: invocation.prefix(512)), mode: .get)
            guard let argument, !argument.isEmpty else {
                throw error(.sqlSyntax, "USE must be followed by a database name", line: line)
            }
            guard String(validating: argument, as: UTF8.self) != nil else {
                throw error(.sqlSyntax, "USE argument is cut inside a character (the client reads 512 bytes)", line: line)
            }
            let quotedName = argument.flatMap { $0 == .backtick ? [.backtick, .backtick] : [$0] }
            statements.append(SQLStatement(text: "USE `\(String(decoding: quotedName, as: UTF8.self))`", line: line, file: file))
        case .unsupported:
            throw error(
                .sqlClientCommand, "the mariadb client command '\(command.displayName)' is not supported in quickup scripts",
                line: line, hint: "remove it; quickup runs only SQL, DELIMITER, USE, go/\\g, ego/\\G, clear/\\c and quit/\\q")
        }
    }

    /// Those of the default delimiter, made once: every script starts with it (P5, issue 20.1).
    static let semicolonMeaningfulBytes = meaningfulBytes(delimiter: [.semicolon])

    static func meaningfulBytes(delimiter: [UInt8]) -> ASCIIByteSet {
        ASCIIByteSet([.backslash, .singleQuote, .doubleQuote, .backtick, .slash, .star, .dash, .hash, 0]
                     + delimiter.prefix(1))
    }

    func error(_ code: QuickupError.Code, _ message: String, line: Int? = nil, hint: String? = nil) -> QuickupError {
        QuickupError(code, message, at: SourceLocation(file: file, line: line ?? lineNumber), hint: hint)
    }
}

/// The statement being assembled: the `mariadb` client's `glob_buffer`, plus where it started.
///
/// The client edits each input line in place and appends it to its buffer at "flush" points
/// (a delimiter, a comment, a client command); one rule depends on what was written since the
/// last flush, so `segmentStart` remembers where that part begins.
struct PendingStatement {
    private(set) var bytes: [UInt8] = []
    /// Line of the first byte; meaningful only when not empty.
    private(set) var startLine = 0
    /// Index in `bytes` where the part written since the client's last flush begins.
    private(set) var segmentStart = 0

    init() {
        bytes.reserveCapacity(256)
    }

    var isEmpty: Bool { bytes.isEmpty }

    @inline(__always)
    mutating func append(_ byte: UInt8, line: Int) {
        if bytes.isEmpty { startLine = line }
        bytes.append(byte)
    }

    mutating func append(contentsOf part: UnsafeBufferPointer<UInt8>, line: Int) {
        guard !part.isEmpty else { return }
        if bytes.isEmpty { startLine = line }
        bytes.append(contentsOf: part)
    }

    /// The client appended its in-place line buffer here; what follows is a new segment.
    @inline(__always)
    mutating func markFlushed() {
        segmentStart = bytes.count
    }

    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
        segmentStart = 0
    }

    /// Whether the part written since the last flush starts with the word `delimiter`: then the
    /// client does not end the line with `\n` (it expects a `DELIMITER` command to follow).
    var segmentStartsWithDelimiterCommand: Bool {
        bytes.withUnsafeBufferPointer { all in
            let segment = UnsafeBufferPointer(rebasing: all[segmentStart...])
            return MariaDBClientCommand.startsWithDelimiterName(segment)
        }
    }

    /// What the client sends for this buffer (its `remove_cntrl`: trailing spaces and control
    /// characters dropped), or nil when nothing is left.
    func sentText() -> String? {
        var end = bytes.count
        while end > 0 && !bytes[end - 1].isSQLPrintable { end -= 1 }
        guard end > 0 else { return nil }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
