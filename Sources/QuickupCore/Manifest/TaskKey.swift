/// A manifest key split into `prefix.uid.field` (`sql.add_index.stage`, `rule.no_null_ids.sql`).
struct TaskKey: Hashable {
    var prefix: String
    var uid: String
    var field: String

    /// Nil when the key does not have three parts or the uid has characters other than
    /// letters, digits, `_` and `-` (dots inside a uid would make keys ambiguous).
    init?(_ key: String) {
        // Over the key's UTF-8 bytes, each part made from its bytes at once: keys are mostly
        // ASCII, there are several per task, and String indices and Substrings cost more than
        // the split itself (P5, issue 20.1).
        var key = key
        guard let parts = key.withUTF8(TaskKey.split) else { return nil }
        self = parts
    }

    private init(prefix: String, uid: String, field: String) {
        self.prefix = prefix
        self.uid = uid
        self.field = field
    }

    /// Where a key's three parts lie in its UTF-8 bytes, for a reader that compares them as
    /// bytes and makes no string of them (the task manifest's fast path, P5).
    struct Parts {
        var prefix: Range<Int>
        var uid: Range<Int>
        var field: Range<Int>
    }

    /// `prefix.uid.field` split at the first and the last dot (ASCII, so each part is UTF-8
    /// too); nil as for `init?(_:)`.
    static func parts(_ utf8: UnsafeBufferPointer<UInt8>) -> Parts? {
        guard let first = utf8.firstIndex(of: UInt8(ascii: ".")),
              let last = utf8.lastIndex(of: UInt8(ascii: ".")), first != last,
              first != 0, last + 1 < utf8.count else { return nil }
        guard isValidUID(UnsafeBufferPointer(rebasing: utf8[(first + 1)..<last])) else { return nil }
        return Parts(prefix: 0..<first, uid: (first + 1)..<last, field: (last + 1)..<utf8.count)
    }

    private static func split(_ utf8: UnsafeBufferPointer<UInt8>) -> TaskKey? {
        guard let parts = parts(utf8) else { return nil }
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: utf8[range]), as: UTF8.self) }
        return TaskKey(prefix: text(parts.prefix), uid: text(parts.uid), field: text(parts.field))
    }

    static func isValidUID(_ uid: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !uid.isEmpty else { return false }
        for byte in uid {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            case 0x80...:
                // Non-ASCII uids (e.g. Chinese) are letters; a dot can't hide here, it was split on.
                return String(decoding: uid, as: UTF8.self).unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-" || $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
            default:
                return false
            }
        }
        return true
    }
}

/// Which fields each kind of task accepts (SPEC M2), so unknown keys are errors (M5).
enum TaskFields {
    static let common: Set<String> = [
        "id", "description", "stage", "datasource", "order", "depends", "compatible_version", "sites",
        "exclude_sites", "timeout", "retries", "retry_interval", "retryable", "transactional", "rollback",
        "volume", "rate", "parallel", "where", "source", "target",
    ]

    /// Made once, not per task (P5).
    private static let withFile = common.union(["file"])
    private static let withFileAndFormat = common.union(["file", "format"])
    private static let withPackage = common.union(["package"])

    static func allowed(for kind: TaskKind) -> Set<String> {
        switch kind {
        case .sql, .redis: return withFile
        case .config: return withFileAndFormat
        case .tool: return withPackage
        }
    }

    static func required(for kind: TaskKind) -> [String] {
        switch kind {
        case .sql, .redis: return ["id", "description", "file", "stage"]
        case .config: return ["id", "description", "file", "stage", "target", "format"]
        case .tool: return ["id", "description", "package", "stage"]
        }
    }

    /// Fields the orchestration file may override (M3).
    static let overridable: Set<String> = ["stage", "order", "depends", "timeout"]
}

/// Groups properties entries by `prefix.uid`, keeping file order and reporting duplicates and bad keys.
struct EntryGroups {
    struct Group {
        var prefix: String
        var uid: String
        var entries: GroupEntries = [:]
        var firstLine: Int
        var position: Int
    }

    var groups: [Group] = []
    private var index: [String: Int] = [:]
    private let prefixes: Set<String>
    private let expectedForm: String

    init(entries: [PropertiesEntry], prefixes: Set<String>, reader: inout FieldReader, expectedForm: String) {
        self.init(prefixes: prefixes, expectedForm: expectedForm)
        for entry in entries { add(entry, reader: &reader) }
    }

    /// Empty, to be fed entry by entry as a manifest is read (issue 13 item 9).
    init(prefixes: Set<String>, expectedForm: String) {
        self.prefixes = prefixes
        self.expectedForm = expectedForm
    }

    mutating func add(_ entry: PropertiesEntry, reader: inout FieldReader) {
        guard let key = TaskKey(entry.key), prefixes.contains(key.prefix) else {
            reader.diagnostics.error(
                "unknown key '\(entry.key)'", at: reader.at(entry), hint: "expected \(expectedForm)")
            return
        }
        let groupKey = "\(key.prefix).\(key.uid)"
        let slot: Int
        if let existing = index[groupKey] {
            slot = existing
        } else {
            slot = groups.count
            index[groupKey] = slot
            groups.append(Group(prefix: key.prefix, uid: key.uid, firstLine: entry.line, position: slot + 1))
        }
        if let first = groups[slot].entries[key.field] {
            reader.diagnostics.error(
                "duplicate key '\(entry.key)' (first defined at line \(first.line))", at: reader.at(entry),
                hint: "remove one of them; Java would silently keep the last")
            return
        }
        groups[slot].entries[key.field] = entry
    }
}
