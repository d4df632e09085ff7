import QuickupCore
import QuickupTestSupport

/// Random YAML documents in the shapes configuration files take (K1 tests): nested block
/// mappings, block lists (plain, indentless, of compact mappings), quoted keys and values,
/// anchors, flow collections, block scalars, comments everywhere, blank lines, CRLF files and
/// the occasional duplicate key. Every line is tagged with the path of the node it belongs to,
/// so a test can tell which lines an edit may touch.
struct YAMLDocumentGenerator {
    struct Line {
        var text: String
        var path: [ConfigPath.Component]
    }

    var rng: SplitMix64
    var lines: [Line] = []
    /// Paths of every mapping entry and list item, for edit programs to aim at.
    var paths: [[ConfigPath.Component]] = []
    /// Paths of block mappings (where new keys can go) and of block lists (for appends: count).
    var mappings: [[ConfigPath.Component]] = [[]]
    var lists: [([ConfigPath.Component], Int)] = []
    private var anchorCount = 0

    init(seed: UInt64, index: Int) {
        rng = SplitMix64(seed: seed ^ (UInt64(index) &* 0xA24B_AED4_963E_E407))
    }

    mutating func document() -> String {
        if chance(0.1) { lines.append(Line(text: "---", path: [])) }
        if chance(0.3) { lines.append(Line(text: "# generated configuration", path: [])) }
        mapping(indent: 0, path: [], depth: 0)
        let end = chance(0.1) ? "\r\n" : "\n"
        return lines.map(\.text).joined(separator: end) + (chance(0.9) ? end : "")
    }

    private mutating func mapping(indent: Int, path: [ConfigPath.Component], depth: Int, firstPrefix: String? = nil) {
        var used: [String] = []
        let count = Int.random(in: 1...4, using: &rng)
        for position in 0..<count {
            var key = pick(["server", "port", "name", "spring", "redis", "timeout", "hosts", "a.b", "with space", "中文", "x", "url", "enabled"])
            if used.contains(key) && !chance(0.04) { key += "\(position)" }  // rare duplicates stay
            used.append(key)
            let entryPath = path + [.key(key)]
            paths.append(entryPath)
            let pad = String(repeating: " ", count: indent)
            let lead = position == 0 ? (firstPrefix ?? pad) : pad
            if position > 0 && chance(0.15) { lines.append(Line(text: chance(0.5) ? "" : pad + "# about \(key)", path: path)) }
            let writtenKey = writeKey(key)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<45:
                lines.append(Line(text: lead + writtenKey + ": " + scalar() + trailingComment(), path: entryPath))
            case 45..<65 where depth < 3:
                lines.append(Line(text: lead + writtenKey + ":" + trailingComment(), path: entryPath))
                mappings.append(entryPath)
                mapping(indent: indent + 2, path: entryPath, depth: depth + 1)
            case 65..<85 where depth < 3:
                lines.append(Line(text: lead + writtenKey + ":", path: entryPath))
                list(indent: chance(0.3) ? indent : indent + 2, path: entryPath, depth: depth + 1)
            case 85..<92:
                lines.append(Line(text: lead + writtenKey + ": " + pick(["[1, 2]", "{a: 1, b: two}", "[]", "{}"]), path: entryPath))
            case 92..<96:
                lines.append(Line(text: lead + writtenKey + ": " + pick(["|", ">", "|-"]), path: entryPath))
                lines.append(Line(text: pad + "  line one # not a comment", path: entryPath))
                lines.append(Line(text: pad + "  - not a list", path: entryPath))
            default:
                lines.append(Line(text: lead + writtenKey + ":", path: entryPath))
            }
        }
    }

    private mutating func list(indent: Int, path: [ConfigPath.Component], depth: Int) {
        let count = Int.random(in: 1...3, using: &rng)
        lists.append((path, count))
        let pad = String(repeating: " ", count: indent)
        for index in 0..<count {
            let itemPath = path + [.index(index)]
            paths.append(itemPath)
            if chance(0.4) && depth < 3 {
                mappings.append(itemPath)
                mapping(indent: indent + 2, path: itemPath, depth: depth + 1, firstPrefix: pad + "- ")
            } else {
                lines.append(Line(text: pad + "- " + scalar() + trailingComment(), path: itemPath))
            }
        }
    }

    private mutating func writeKey(_ key: String) -> String {
        if key.contains(" ") || key.contains(".") || chance(0.1) { return chance(0.5) ? "\"\(key)\"" : "'\(key)'" }
        return key
    }

    mutating func scalar() -> String {
        var value = pick(["8080", "true", "3.5", "plain text", "\"double: quoted\"", "'single # quoted'", "null", "~",
                          "中文值", "\"esc\\\"aped\"", "'it''s'", "http://host:80/x", "-1", "\"\""])
        if chance(0.1) {
            anchorCount += 1
            value = "&anchor\(anchorCount) " + value
        }
        return value
    }

    private mutating func trailingComment() -> String {
        chance(0.2) ? pick([" # note", "  #: tricky", " # a: b"]) : ""
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &rng) < probability
    }

    mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int.random(in: 0..<choices.count, using: &rng)]
    }
}
