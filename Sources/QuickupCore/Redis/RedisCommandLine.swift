/// Splits one command line into arguments exactly as `redis-cli` does (`sdssplitargs` in Redis'
/// sds.c), so a line that works typed into `redis-cli` works in a `.redis` script:
///
/// - arguments are separated by spaces or tabs; quotes may start inside a word (`a"b c"` is `ab c`);
/// - `"…"` takes backslash escapes: `\n \r \t \b \a`, `\xHH` (one byte), any other `\c` is `c`;
/// - `'…'` is literal except `\'`, which is a quote;
/// - a closing quote must be followed by a blank or the end of the line;
/// - `""` and `''` are empty arguments.
public enum RedisCommandLine {
    public static func split(_ line: String, at location: SourceLocation) throws(QuickupError) -> [[UInt8]] {
        let bytes = Array(line.utf8)
        var arguments: [[UInt8]] = []
        var index = 0

        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        func byte(at i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }
        func fail(_ message: String, column: Int) -> QuickupError {
            QuickupError(.redisScriptSyntax, "\(message) (column \(column))", at: location,
                         hint: "quote arguments the way redis-cli does: \"a \\\"b\\\"\" or 'a b'")
        }

        while true {
            while let b = byte(at: index), isBlank(b) { index += 1 }
            guard index < bytes.count else { return arguments }
            var current: [UInt8] = []
            var quote: UInt8? = nil
            var quoteStart = 0
            argument: while true {
                guard let b = byte(at: index) else {
                    if quote != nil {
                        let kind = quote == 0x22 ? "double" : "single"
                        throw fail("unterminated \(kind) quote", column: quoteStart + 1)
                    }
                    break argument
                }
                switch quote {
                case 0x22?:  // inside "…"
                    if b == 0x5C, byte(at: index + 1) == 0x78,
                       let high = byte(at: index + 2).flatMap(hexValue), let low = byte(at: index + 3).flatMap(hexValue) {
                        current.append(high << 4 | low)
                        index += 4
                    } else if b == 0x5C, let next = byte(at: index + 1) {
                        current.append(unescaped(next))
                        index += 2
                    } else if b == 0x22 {
                        index += 1
                        if let after = byte(at: index), !isBlank(after) {
                            throw fail("a closing quote must be followed by a space or the end of the line", column: index + 1)
                        }
                        break argument
                    } else {
                        current.append(b)
                        index += 1
                    }
                case 0x27?:  // inside '…'
                    if b == 0x5C, byte(at: index + 1) == 0x27 {
                        current.append(0x27)
                        index += 2
                    } else if b == 0x27 {
                        index += 1
                        if let after = byte(at: index), !isBlank(after) {
                            throw fail("a closing quote must be followed by a space or the end of the line", column: index + 1)
                        }
                        break argument
                    } else {
                        current.append(b)
                        index += 1
                    }
                default:  // unquoted
                    if isBlank(b) { break argument }
                    if b == 0x22 || b == 0x27 {
                        quote = b
                        quoteStart = index
                    } else {
                        current.append(b)
                    }
                    index += 1
                }
            }
            arguments.append(current)
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    private static func unescaped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x6E: return 0x0A  // \n
        case 0x72: return 0x0D  // \r
        case 0x74: return 0x09  // \t
        case 0x62: return 0x08  // \b
        case 0x61: return 0x07  // \a
        default: return byte
        }
    }
}

extension QuickupError.Code {
    /// A Redis script line cannot be split into arguments (unterminated quote…): an input error.
    public static let redisScriptSyntax = Self(rawValue: "redis_script_syntax")
}
