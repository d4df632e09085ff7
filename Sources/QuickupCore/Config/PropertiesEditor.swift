/// Sets and removes keys in a `.properties` file in place (SPEC K1): every line it does not
/// touch stays byte for byte — comments, blank lines, order, escapes, continuations, line endings.
///
/// The file is read with the M1 reader's rules (`java.util.Properties`), so "the entry for key k"
/// is exactly what Java would load. New values are escaped as `Properties.store` writes them, so
/// Java reads back exactly the value set. A key written more than once is refused (which one did
/// the operator mean?), and the result is re-read to prove only the intended keys changed.
public enum PropertiesEditor {
    public static func apply(_ changes: [ConfigChange], to bytes: [UInt8], file: String) throws(QuickupError) -> [UInt8] {
        let latin1 = String(validating: bytes, as: UTF8.self) == nil
        var utf8 = latin1 ? PropertiesReader.latin1ToUTF8(bytes) : bytes
        // Non-ASCII written raw only where the file already holds raw UTF-8; else \uXXXX, which
        // every reader (load(InputStream) is ISO-8859-1) decodes the same.
        let rawUnicode = !latin1 && bytes.contains { $0 >= 0x80 }
        var expected = try finalMap(utf8, file: file)
        for change in changes {
            utf8 = try apply(change, to: utf8, file: file, rawUnicode: rawUnicode)
            switch change.operation {
            case .set(let key, let value): expected[Array(key.utf8)] = Array(value.utf8)
            case .remove(let key): expected[Array(key.utf8)] = nil
            }
        }
        guard try finalMap(utf8, file: file) == expected else {
            throw QuickupError(.configChange, "editing \(file) would change keys the change file does not name",
                               at: changes.first?.location,
                               hint: "this is a quickup bug; edit the file by hand and report the file's shape")
        }
        return latin1 ? utf8ToLatin1(utf8) : utf8
    }

    /// Java's view (last duplicate wins), compared as bytes: Swift's `==` on strings equates
    /// canonically equivalent text ("é" and "e\u{301}"), Java's keys do not.
    private static func finalMap(_ utf8: [UInt8], file: String) throws(QuickupError) -> [[UInt8]: [UInt8]] {
        var map: [[UInt8]: [UInt8]] = [:]
        for entry in try PropertiesLayout.read(utf8, file: file).slots.map(\.entry) { map[Array(entry.key.utf8)] = Array(entry.value.utf8) }
        return map
    }

    private static func apply(_ change: ConfigChange, to utf8: [UInt8], file: String, rawUnicode: Bool) throws(QuickupError) -> [UInt8] {
        let layout = try PropertiesLayout.read(utf8, file: file)
        let matches = layout.slots.filter { $0.entry.key.utf8.elementsEqual(change.key.utf8) }
        if matches.count > 1 {
            let lines = matches.map { String($0.entry.line) }.joined(separator: ", ")
            throw QuickupError(.configChange, "key '\(change.key)' is written \(matches.count) times in \(file) (lines \(lines)); the edit is ambiguous",
                               at: change.location, hint: "remove the duplicates from \(file) first (Java keeps the last)")
        }
        var result = utf8
        switch (change.operation, matches.first) {
        case (.remove, nil):
            return utf8
        case (.remove, let slot?):
            var end = slot.end
            if end < utf8.count && utf8[end] == PropertiesSyntax.carriageReturn { end += 1 }
            if end < utf8.count && utf8[end] == PropertiesSyntax.lineFeed { end += 1 }
            if slot.lineStart > 0 && utf8[slot.lineStart - 1] == PropertiesSyntax.carriageReturn
                && end < utf8.count && utf8[end] == PropertiesSyntax.lineFeed {
                // A CR line then an LF line would merge into one CRLF and a blank line would
                // vanish; an empty comment keeps every other line as it was.
                result.replaceSubrange(slot.lineStart..<slot.end, with: [PropertiesSyntax.hash])
            } else {
                result.removeSubrange(slot.lineStart..<end)
            }
        case (.set(let key, let value), let slot?):
            var line = Array(utf8[slot.lineStart..<slot.firstCharacter])
            if let prefixEnd = slot.valuePrefixEnd {
                line += utf8[slot.firstCharacter..<prefixEnd]
                if !slot.hasSeparatorOrSpace { line.append(PropertiesSyntax.equals) }
            } else {
                line += escape(key, isKey: true, rawUnicode: rawUnicode) + [PropertiesSyntax.equals]
            }
            line += escape(value, isKey: false, rawUnicode: rawUnicode)
            result.replaceSubrange(slot.lineStart..<slot.end, with: line)
        case (.set(let key, let value), nil):
            let lineEnd = dominantLineEnd(utf8)
            let line = escape(key, isKey: true, rawUnicode: rawUnicode) + [PropertiesSyntax.equals]
                + escape(value, isKey: false, rawUnicode: rawUnicode)
            if layout.endsInContinuation, let last = layout.slots.last {
                // The last line continues past the end of the file (`a=b\`): anything appended
                // would join it, so the new key goes just before it.
                result.insert(contentsOf: line + lineEnd, at: last.lineStart)
                return result
            }
            let endsWithBreak = utf8.last.map(PropertiesSyntax.isLineBreak) ?? false
            var addition: [UInt8] = []
            if !utf8.isEmpty && !endsWithBreak { addition += lineEnd }
            addition += line
            if endsWithBreak || utf8.isEmpty { addition += lineEnd }
            result += addition
        }
        return result
    }

    /// The first line break of the file (CRLF, CR or LF); LF for a file without one.
    static func dominantLineEnd(_ bytes: [UInt8]) -> [UInt8] {
        guard let index = bytes.firstIndex(where: PropertiesSyntax.isLineBreak) else { return [PropertiesSyntax.lineFeed] }
        if bytes[index] == PropertiesSyntax.lineFeed { return [PropertiesSyntax.lineFeed] }
        if index + 1 < bytes.count && bytes[index + 1] == PropertiesSyntax.lineFeed {
            return [PropertiesSyntax.carriageReturn, PropertiesSyntax.lineFeed]
        }
        return [PropertiesSyntax.carriageReturn]
    }

    /// `Properties.saveConvert`: backslash escapes for `\ \t \n \r \f = : # !`, spaces escaped
    /// in keys and at the start of values, controls (and, unless `rawUnicode`, all non-ASCII)
    /// as `\uXXXX` UTF-16 units.
    static func escape(_ text: String, isKey: Bool, rawUnicode: Bool) -> [UInt8] {
        var out: [UInt8] = []
        var first = true
        for scalar in text.unicodeScalars {
            defer { first = false }
            switch scalar {
            case " ": out += (isKey || first) ? Array("\\ ".utf8) : [PropertiesSyntax.space]
            case "\\": out += Array("\\\\".utf8)
            case "\t": out += Array("\\t".utf8)
            case "\n": out += Array("\\n".utf8)
            case "\r": out += Array("\\r".utf8)
            case "\u{0C}": out += Array("\\f".utf8)
            case "=", ":", "#", "!": out += [PropertiesSyntax.backslash, UInt8(scalar.value)]
            default:
                let value = scalar.value
                if value >= 0x20 && value < 0x7F {
                    out.append(UInt8(value))
                } else if rawUnicode && value >= 0xA0 && value != 0x2028 && value != 0x2029 && value != 0xFEFF {
                    out += Array(String(scalar).utf8)
                } else {
                    for unit in String(scalar).utf16 { out += Array("\\u".utf8) + hex4(unit) }
                }
            }
        }
        return out
    }

    private static func hex4(_ unit: UInt16) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [12, 8, 4, 0].map { digits[Int((unit >> UInt16($0)) & 0xF)] }
    }

    private static func utf8ToLatin1(_ utf8: [UInt8]) -> [UInt8] {
        // Everything in the file came from Latin-1 bytes or ASCII escapes, so each scalar fits a byte.
        String(decoding: utf8, as: UTF8.self).unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }
}

/// Where each entry of a `.properties` file lies in its UTF-8 bytes.
struct PropertiesLayout {
    struct Slot {
        var entry: PropertiesEntry
        /// Start of the entry's first natural line (its leading whitespace included).
        var lineStart: Int
        /// Offset of the key's first character.
        var firstCharacter: Int
        /// End of the entry's last natural line, before its line break.
        var end: Int
        /// Where the value starts, when key and separator sit on the first natural line.
        var valuePrefixEnd: Int?
        /// False for a line holding only a key (`flag`): a value needs a separator added.
        var hasSeparatorOrSpace: Bool
    }

    var slots: [Slot] = []
    var endsInContinuation = false

    static func read(_ utf8: [UInt8], file: String) throws(QuickupError) -> PropertiesLayout {
        let result = utf8.withUnsafeBufferPointer { input in
            Result { () throws(QuickupError) -> PropertiesLayout in
                var layout = PropertiesLayout()
                var reader = LogicalLineReader(input)
                var unescaper = PropertiesUnescaper()
                while reader.readLine() {
                    let parsed = reader.line.withUnsafeBufferPointer { line in
                        Result { () throws(QuickupError) in
                            (try PropertiesReader.entry(in: line, reader: reader, unescaper: &unescaper, file: file),
                             PropertiesSyntax.splitKeyValue(line))
                        }
                    }
                    let (entry, split) = try parsed.get()
                    let first = reader.firstCharacterOffset
                    var lineStart = first
                    while lineStart > 0 && !PropertiesSyntax.isLineBreak(input[lineStart - 1]) { lineStart -= 1 }
                    let prefixEnd = split.valueStart <= reader.firstSegmentLength ? first + split.valueStart : nil
                    layout.slots.append(Slot(entry: entry, lineStart: lineStart, firstCharacter: first, end: reader.endOffset,
                                             valuePrefixEnd: prefixEnd, hasSeparatorOrSpace: split.valueStart > split.keyEnd))
                    layout.endsInContinuation = reader.endsInContinuation
                }
                return layout
            }
        }
        return try result.get()
    }
}
