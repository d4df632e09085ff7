/// A path into a YAML document as change files write it (SPEC K1): `spring.redis.timeout`,
/// `servers[0].host`, `logging."org.apache.kafka"` (quotes keep dots inside one key).
public struct ConfigPath: Hashable, Sendable, CustomStringConvertible {
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component]) {
        self.components = components
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                let plain = !key.isEmpty && key.allSatisfy { $0 != "." && $0 != "[" && $0 != "]" && $0 != "\"" && $0 != " " }
                if !text.isEmpty { text += "." }
                text += plain ? key : key.quotedPathSegment
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    public static func parse(_ text: String, at location: SourceLocation) throws(QuickupError) -> ConfigPath {
        func bad(_ why: String) -> QuickupError {
            QuickupError(.configChange, "bad YAML path '\(text)': \(why)", at: location,
                         hint: "write keys separated by dots and list items as [n], e.g. servers[0].host; quote a key holding dots: logging.\"org.apache\"")
        }
        var components: [Component] = []
        var rest = Substring(text)
        var expectKey = true
        while !rest.isEmpty {
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]"),
                      let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0 else {
                    throw bad("a list index is a number in brackets")
                }
                components.append(.index(index))
                rest = rest[rest.index(after: close)...]
                expectKey = false
            } else if rest.first == "." {
                guard !components.isEmpty, !expectKey else { throw bad("empty key") }
                rest = rest.dropFirst()
                expectKey = true
                guard !rest.isEmpty, rest.first != "[" else { throw bad("empty key") }
            } else if rest.first == "\"" {
                guard expectKey else { throw bad("missing '.' before a key") }
                components.append(.key(try ConfigChangeParser.readQuoted(&rest, at: location)))
                expectKey = false
            } else {
                guard expectKey else { throw bad("missing '.' before a key") }
                let key = rest.prefix { $0 != "." && $0 != "[" && $0 != "]" }
                guard !key.isEmpty else { throw bad("unexpected ']'") }
                components.append(.key(String(key)))
                rest = rest.dropFirst(key.count)
                expectKey = false
            }
        }
        guard !components.isEmpty else { throw bad("empty path") }
        return ConfigPath(components)
    }
}

extension String {
    /// Backslash-escapes `\` and `"` for a double-quoted path segment.
    var quotedPathSegment: String {
        var result = "\""
        for character in self {
            if character == "\\" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }
}
