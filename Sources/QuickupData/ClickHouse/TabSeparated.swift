/// ClickHouse's `TabSeparated` output format, read back into rows of text (NULL → nil).
///
/// Every row ends with `\n`, columns are separated by `\t`, and inside a value the server writes
/// `\b \f \r \n \t \0 \' \\` as escapes (plus `\a \v` in newer versions) and NULL as `\N`. A raw
/// tab or newline therefore never appears inside a value, which is what makes the format safe to
/// split and lets the error detector trust that a body's last line is a whole line.
enum TabSeparated {
    static func parse(_ body: [UInt8]) -> [[String?]] {
        var rows: [[String?]] = []
        var row: [String?] = []
        var field: [UInt8] = []
        var fieldIsNull = false
        var index = 0

        func endField() {
            row.append(fieldIsNull ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldIsNull = false
        }

        while index < body.count {
            let byte = body[index]
            switch byte {
            case 0x09:  // \t
                endField()
            case 0x0A:  // \n
                endField()
                rows.append(row)
                row.removeAll(keepingCapacity: true)
            case 0x5C where index + 1 < body.count:  // backslash escape
                index += 1
                let escaped = body[index]
                // `\N` alone is NULL; inside a longer value it cannot occur (N is not an escape).
                if escaped == 0x4E, field.isEmpty, isFieldEnd(body, at: index + 1) {
                    fieldIsNull = true
                } else {
                    field.append(unescape(escaped))
                }
            default:
                field.append(byte)
            }
            index += 1
        }
        // A body cut short (no final newline) still yields its last row.
        if !field.isEmpty || !row.isEmpty || fieldIsNull {
            endField()
            rows.append(row)
        }
        return rows
    }

    private static func isFieldEnd(_ body: [UInt8], at index: Int) -> Bool {
        index >= body.count || body[index] == 0x09 || body[index] == 0x0A
    }

    private static func unescape(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x62: return 0x08  // b
        case 0x66: return 0x0C  // f
        case 0x72: return 0x0D  // r
        case 0x6E: return 0x0A  // n
        case 0x74: return 0x09  // t
        case 0x30: return 0x00  // 0
        case 0x61: return 0x07  // a
        case 0x76: return 0x0B  // v
        default: return byte    // \\ \' and anything unknown: the character itself
        }
    }
}

/// ClickHouse SQL literals, for the few statements quickup writes itself (upgrade_log, KILL QUERY).
enum ClickHouseSQL {
    /// A string literal: `'…'` with backslash and quote escaped, control characters as escapes.
    static func quote(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}
