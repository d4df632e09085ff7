/// Sets and removes keys in Flink's `flink-conf.yaml` (SPEC K1), which Flink reads as flat
/// `key: value` lines — not as YAML: `GlobalConfiguration` cuts each line at the first `#`,
/// trims it, splits at the first `": "`, and the last line of a key wins. Lines not edited stay
/// byte for byte; a key written twice is refused rather than guessed.
public enum FlinkConfEditor {
    public static func apply(_ changes: [ConfigChange], to text: String, file: String) throws(QuickupError) -> String {
        var document = TextLines(text)
        for change in changes {
            let matches = document.lines.indices.filter { Self.entry(document.lines[$0].content)?.key == change.key }
            if matches.count > 1 {
                throw QuickupError(.configChange,
                    "key '\(change.key)' is written \(matches.count) times in \(file) (lines \(matches.map { String($0 + 1) }.joined(separator: ", "))); the edit is ambiguous",
                    at: change.location, hint: "remove the duplicates from \(file) first (Flink keeps the last)")
            }
            switch change.operation {
            case .remove:
                if let index = matches.first { document.lines.remove(at: index) }
            case .set(let key, let value):
                guard !value.isEmpty, value.trimmingBlanks() == value, !value.contains("#"),
                      !value.contains(where: \.isNewline) else {
                    throw QuickupError(.configChange, "Flink cannot read the value '\(value)' of '\(key)'", at: change.location,
                                       hint: "Flink values are one line, non-empty, without '#' or surrounding spaces")
                }
                guard let index = matches.first else {
                    document.append("\(key): \(value)")
                    continue
                }
                let content = document.lines[index].content
                let indent = String(content.prefix { $0 == " " || $0 == "\t" })
                var comment = ""
                if let hash = content.firstIndex(of: "#") {
                    let before = content[..<hash]
                    let spaces = before.reversed().prefix { $0 == " " || $0 == "\t" }
                    comment = String(spaces.reversed()) + content[hash...]
                }
                document.lines[index].content = "\(indent)\(key): \(value)\(comment)"
            }
        }
        return document.text
    }

    /// What Flink reads from one line, or nil for a comment, blank or malformed line.
    static func entry(_ line: String) -> (key: String, value: String)? {
        let conf = (line.firstIndex(of: "#").map { line[..<$0] } ?? line[...]).trimmingBlanks()
        guard let separator = conf.firstRange(of: ": ") else { return nil }
        let key = conf[..<separator.lowerBound].trimmingBlanks()
        let value = conf[separator.upperBound...].trimmingBlanks()
        guard !key.isEmpty, !value.isEmpty else { return nil }
        return (key, value)
    }

    /// Flink's view of a whole file: last line of a key wins.
    public static func read(_ text: String) -> [String: String] {
        var map: [String: String] = [:]
        for line in TextLines(text).lines { if let entry = entry(line.content) { map[entry.key] = entry.value } }
        return map
    }
}
