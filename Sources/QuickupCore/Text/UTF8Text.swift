/// Release files are UTF-8 (issue 13 item 7): a script or manifest in another encoding is refused
/// with the file, line and column of the first byte that is not UTF-8, instead of being applied
/// with U+FFFD in place of its characters or read as Latin-1 mojibake. A leading byte-order mark
/// is accepted and dropped.
public enum UTF8Text {
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The text of `bytes`, without a leading BOM. `allowNUL: false` also refuses a NUL byte
    /// (SQL scripts: the client and SQLite stop reading a statement there).
    public static func decode(_ bytes: [UInt8], file: String, allowNUL: Bool = true,
                              what: String = "file") throws(QuickupError) -> String {
        let body = self.body(of: bytes)
        if let text = String(validating: body, as: UTF8.self) {
            if allowNUL || !body.contains(0) { return text }
        }
        throw problem(in: body, at: firstInvalid(in: body, allowNUL: allowNUL) ?? (body.endIndex, 0), file: file, what: what)
    }

    /// `decode`'s checks and errors without the text, for a caller that goes on with the bytes
    /// (`SQLSplitter.split(utf8:file:)`): the loader made each of 100,000 scripts a String only
    /// to turn it back into bytes (P5, issue 20.1). `firstInvalid` is UTF-8's definition (the
    /// Unicode standard's table of well-formed sequences), as the standard library validates.
    public static func check(_ bytes: [UInt8], file: String, allowNUL: Bool = true, what: String = "file") throws(QuickupError) {
        let body = self.body(of: bytes)
        if let invalid = firstInvalid(in: body, allowNUL: allowNUL) {
            throw problem(in: body, at: invalid, file: file, what: what)
        }
    }

    /// The bytes after a leading BOM.
    public static func body(of bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes[(bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0)...]
    }

    /// The error for the sequence at `invalid` (offset, length) of `body`, with its line and column.
    private static func problem(in body: ArraySlice<UInt8>, at invalid: (Int, Int), file: String, what: String) -> QuickupError {
        let (offset, length) = invalid
        let (line, column) = position(of: offset, in: body)
        let location = SourceLocation(file: file, line: line, column: column)
        if length == 1, body[offset] == 0 {
            return QuickupError(.textEncoding, "this \(what) holds a NUL byte", at: location,
                                hint: "remove it: a NUL byte ends a statement early for the database's own client")
        }
        let shown = body[offset..<min(body.endIndex, offset + max(1, length))].map { hexByte($0) }.joined(separator: " ")
        return QuickupError(.textEncoding, "this \(what) is not UTF-8: byte \(shown) is not a UTF-8 character", at: location,
                            hint: "save it as UTF-8 (e.g. iconv -f GBK -t UTF-8 < old > new); quickup reads release files, "
                                + "scripts and manifests as UTF-8 only")
    }

    /// Offset and length (1–4) of the first byte sequence that is not UTF-8 (or a NUL).
    static func firstInvalid(in bytes: ArraySlice<UInt8>, allowNUL: Bool) -> (Int, Int)? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            if lead < 0x80 {
                if lead == 0 && !allowNUL { return (index, 1) }
                index += 1
                continue
            }
            let count: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: count = 2
            case 0xE0: count = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: count = 3
            case 0xED: count = 3; upper = 0x9F
            case 0xF0: count = 4; lower = 0x90
            case 0xF1...0xF3: count = 4
            case 0xF4: count = 4; upper = 0x8F
            default: return (index, 1)
            }
            for k in 1..<count {
                guard index + k < bytes.endIndex else { return (index, k) }
                let byte = bytes[index + k]
                let (low, high) = k == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
                guard byte >= low && byte <= high else { return (index, k) }
            }
            index += count
        }
        return nil
    }

    /// 1-based line, and column in characters (Unicode scalars) as an editor counts them.
    static func position(of offset: Int, in bytes: ArraySlice<UInt8>) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes[bytes.startIndex..<offset] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
