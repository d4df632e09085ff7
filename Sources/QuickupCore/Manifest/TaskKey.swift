/// A manifest key split into `prefix.uid.field` (`sql.add_index.stage`, `rule.no_null_ids.sql`).
struct TaskKey: Hashable {
    var prefix: String
    var uid: String
    var field: String

    /// Nil when the key does not have three parts or the uid has characters other than
    /// letters, digits, `_` and `-` (dots inside a uid would make keys ambiguous).
    init?(_ key: String) {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[2].isEmpty, TaskKey.isValidUID(parts[1]) else { return nil }
        prefix = String(parts[0])
        uid = String(parts[1])
        field = String(parts[2])
    }

    static func isValidUID(_ uid: Substring) -> Bool {
        !uid.isEmpty && uid.unicodeScalars.allSatisfy { s in
            (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "-")
        }
    }
}

/// Which fields each kind of task accepts (SPEC M2), so unknown keys are errors (M5).
enum TaskFields {
    static let common: Set<String> = [
        "id", "description", "stage", "datasource", "order", "depends", "compatible_version", "sites",
        "exclude_sites", "timeout", "retries", "retry_interval", "retryable", "transactional", "rollback",
        "volume", "rate", "parallel", "where", "source", "target",
    ]

    static func allowed(for kind: TaskKind) -> Set<String> {
        switch kind {
        case .sql, .redis, .config: return common.union(["file"])
        case .tool: return common.union(["package"])
        }
    }

    static func required(for kind: TaskKind) -> [String] {
        switch kind {
        case .sql, .redis, .config: return ["id", "description", "file", "stage"]
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
        var entries: [String: PropertiesEntry] = [:]
        var firstLine: Int
        var position: Int
    }

    var groups: [Group] = []

    init(entries: [PropertiesEntry], prefixes: Set<String>, reader: inout FieldReader, expectedForm: String) {
        var index: [String: Int] = [:]
        for entry in entries {
            guard let key = TaskKey(entry.key), prefixes.contains(key.prefix) else {
                reader.diagnostics.error(
                    "unknown key '\(entry.key)'", at: reader.at(entry), hint: "expected \(expectedForm)")
                continue
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
                continue
            }
            groups[slot].entries[key.field] = entry
        }
    }
}
