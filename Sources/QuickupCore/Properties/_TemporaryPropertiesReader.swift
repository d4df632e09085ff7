// Temporary until the Java-exact reader lands (branch props); simple key=value lines only.
public struct PropertiesEntry: Hashable, Sendable {
    public var key: String
    public var value: String
    public var line: Int
    public init(key: String, value: String, line: Int) { self.key = key; self.value = value; self.line = line }
}

public enum PropertiesReader {
    public static func parse(_ text: String, file: String) throws(QuickupError) -> [PropertiesEntry] {
        var out: [PropertiesEntry] = []
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let line = raw.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            if let i = line.firstIndex(where: { $0 == "=" || $0 == ":" }) {
                out.append(PropertiesEntry(key: line[..<i].trimmingSpaces, value: line[line.index(after: i)...].trimmingSpaces, line: n))
            } else {
                out.append(PropertiesEntry(key: line, value: "", line: n))
            }
        }
        return out
    }
    public static func parse(bytes: [UInt8], file: String) throws(QuickupError) -> [PropertiesEntry] {
        try parse(String(decoding: bytes, as: UTF8.self), file: file)
    }
}
