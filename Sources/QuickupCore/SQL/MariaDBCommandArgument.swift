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
