/// One `key=value` pair of a `.properties` file, with where it was written.
public struct PropertiesEntry: Hashable, Sendable {
    public var key: String
    public var value: String
    /// 1-based line where the key's logical line starts (its first character, after leading
    /// whitespace); continuation lines do not move it.
    public var line: Int

    public init(key: String, value: String, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }
}

/// Reads `.properties` text exactly as `java.util.Properties.load(Reader)` does (SPEC M1), so a
/// file means the same to quickup as to the Java services that also read it.
///
/// Known, deliberate differences, both forced by Swift strings:
/// - a surrogate left unpaired by `\uXXXX` escapes becomes U+FFFD (Java keeps the lone char);
/// - a malformed `\u` escape throws `QuickupError(.propertiesSyntax)` naming file, line and key
///   where Java throws `IllegalArgumentException("Malformed \uxxxx encoding.")`.
public enum PropertiesReader {
    /// Entries in file order, duplicates kept (Java keeps the last; callers decide).
    public static func parse(_ text: String, file: String) throws(QuickupError) -> [PropertiesEntry] {
        var text = text
        // withUTF8 makes the storage contiguous (bridged strings) and lends it without a copy.
        let result = text.withUTF8 { bytes in
            Result { () throws(QuickupError) in try parse(utf8: bytes, file: file) }
        }
        return try result.get()
    }

    /// Bytes: valid UTF-8 is decoded as UTF-8 (BOM U+FEFF kept as Java's UTF-8 Reader does),
    /// otherwise ISO-8859-1 — exactly as Java reads them. Release manifests do not come here:
    /// the release loader refuses bytes that are not UTF-8 (UTF8Text, issue 13 item 7).
    public static func parse(bytes: [UInt8], file: String) throws(QuickupError) -> [PropertiesEntry] {
        if let text = String(validating: bytes, as: UTF8.self) {
            return try parse(text, file: file)
        }
        let utf8 = latin1ToUTF8(bytes)
        let result = utf8.withUnsafeBufferPointer { bytes in
            Result { () throws(QuickupError) in try parse(utf8: bytes, file: file) }
        }
        return try result.get()
    }

    /// ISO-8859-1 maps each byte to the code point of the same value.
    static func latin1ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 4)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
            } else {
                utf8.append(0xC0 | byte >> 6)
                utf8.append(0x80 | byte & 0x3F)
            }
        }
        return utf8
    }

    /// The parser proper, over valid UTF-8 (`Properties.load0` in JDK 17).
    static func parse(utf8 input: UnsafeBufferPointer<UInt8>, file: String) throws(QuickupError) -> [PropertiesEntry] {
        var entries: [PropertiesEntry] = []
        try forEachEntry(utf8: input, file: file) { entries.append($0) }
        return entries
    }

    /// Hands each entry to `body` in file order, as `parse` would return them, without keeping
    /// them: a 50 MB manifest's million entries need not all exist at once (issue 13 item 9).
    /// Entries before a syntax error have been handed over when the error is thrown.
    public static func forEachEntry(_ text: String, file: String, _ body: (PropertiesEntry) -> Void) throws(QuickupError) {
        var text = text
        let result = text.withUTF8 { bytes in
            Result { () throws(QuickupError) in try forEachEntry(utf8: bytes, file: file, body) }
        }
        try result.get()
    }

    static func forEachEntry(utf8 input: UnsafeBufferPointer<UInt8>, file: String, _ body: (PropertiesEntry) -> Void) throws(QuickupError) {
        var reader = LogicalLineReader(input)
        var unescaper = PropertiesUnescaper()
        while reader.readLine() {
            let result = reader.line.withUnsafeBufferPointer { line in
                Result { () throws(QuickupError) in
                    try entry(in: line, reader: reader, unescaper: &unescaper, file: file)
                }
            }
            body(try result.get())
        }
    }

    static func entry(
        in line: UnsafeBufferPointer<UInt8>, reader: LogicalLineReader,
        unescaper: inout PropertiesUnescaper, file: String
    ) throws(QuickupError) -> PropertiesEntry {
        let (keyEnd, valueStart) = PropertiesSyntax.splitKeyValue(line)
        let rawKey = UnsafeBufferPointer(rebasing: line[..<keyEnd])
        let key: String
        do {
            key = try unescaper.text(of: rawKey)
        } catch {
            throw malformed(error, lineOffset: error.offset, key: String(decoding: rawKey, as: UTF8.self),
                            reader: reader, file: file)
        }
        let value: String
        do {
            value = try unescaper.text(of: UnsafeBufferPointer(rebasing: line[valueStart...]))
        } catch {
            throw malformed(error, lineOffset: valueStart + error.offset, key: key, reader: reader, file: file)
        }
        return PropertiesEntry(key: key, value: value, line: reader.startLine)
    }

    private static func malformed(
        _ error: PropertiesUnescaper.MalformedEscape, lineOffset: Int, key: String,
        reader: LogicalLineReader, file: String
    ) -> QuickupError {
        QuickupError(
            .propertiesSyntax, "malformed \\uxxxx escape '\(error.written)'",
            at: SourceLocation(file: file, line: reader.physicalLine(atLineOffset: lineOffset), key: key),
            hint: "\\u needs exactly four hex digits, e.g. \\u4E2D; write \\\\u for a literal backslash and u")
    }
}
