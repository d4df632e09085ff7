/// Quoting for POSIX `sh`: remote commands are text a remote shell parses, so every path or
/// value put into one goes through here.
public enum ShellQuoting {
    /// `text` as one single-quoted word: `it's` → `'it'\''s'`.
    public static func quote(_ text: String) -> String {
        var quoted = "'"
        for character in text {
            if character == "'" { quoted += #"'\''"# } else { quoted.append(character) }
        }
        return quoted + "'"
    }

    /// Words quoted and joined by spaces.
    public static func command(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }
}
