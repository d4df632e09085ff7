/// Reads `quality_<version>.properties` into rules (SPEC M4), reporting every problem (M5).
public struct QualityRuleParser {
    static let fields: Set<String> = [
        "description", "sql", "file", "check", "table", "columns", "min", "max", "pattern", "references",
        "datasource", "threshold", "severity", "versions", "suggestion",
    ]

    public var component: String
    public var version: Version
    public var file: String

    public init(component: String, version: Version, file: String) {
        self.component = component
        self.version = version
        self.file = file
    }

    public func parse(_ entries: [PropertiesEntry], into diagnostics: inout Diagnostics) -> [QualityRule] {
        var reader = FieldReader(file: file, diagnostics: Diagnostics())
        let groups = EntryGroups(entries: entries, prefixes: ["rule"], reader: &reader,
                                 expectedForm: "rule.<uid>.<field>")
        let rules = groups.groups.compactMap { parseRule($0, reader: &reader) }
        diagnostics.merge(reader.diagnostics)
        return rules
    }

    private func parseRule(_ group: EntryGroups.Group, reader: inout FieldReader) -> QualityRule? {
        let location = SourceLocation(file: file, line: group.firstLine, key: "rule.\(group.uid)")
        let e = group.entries
        for (field, entry) in e.sorted(by: { $0.value.line < $1.value.line }) where !Self.fields.contains(field) {
            reader.diagnostics.error("unknown key '\(entry.key)'", at: reader.at(entry),
                                     hint: "a rule accepts: \(Self.fields.sorted().joined(separator: ", "))")
        }
        let bodies = ["sql", "file", "check"].filter { e[$0] != nil }
        guard bodies.count == 1 else {
            reader.diagnostics.error(
                bodies.isEmpty ? "rule '\(group.uid)' has no sql, file or check"
                    : "rule '\(group.uid)' has more than one of \(bodies.joined(separator: ", "))",
                at: location, hint: "give exactly one of .sql, .file or .check")
            return nil
        }
        guard let body = parseBody(group, reader: &reader) else { return nil }
        var rule = QualityRule(component: component, version: version, uid: group.uid,
                               description: e["description"]?.value.trimmingSpaces ?? "", body: body, location: location)
        if e["description"] == nil {
            reader.diagnostics.error("missing key 'rule.\(group.uid).description'", at: location,
                                     hint: "the report shows it to the operator")
        }
        rule.datasource = e["datasource"].flatMap { reader.nonEmpty($0) }
        if let entry = e["threshold"], let n = reader.int(entry) { rule.threshold = Int64(n) }
        if let entry = e["severity"] {
            if let severity = QualityRule.Severity(rawValue: entry.value.trimmingSpaces.lowercased()) {
                rule.severity = severity
            } else {
                reader.fail(entry, expected: "fail or warn")
            }
        }
        rule.versions = e["versions"].flatMap { reader.range($0) }
        rule.suggestion = e["suggestion"]?.value.trimmingSpaces
        return rule
    }

    private func parseBody(_ group: EntryGroups.Group, reader: inout FieldReader) -> QualityRule.Body? {
        let e = group.entries
        if let entry = e["sql"] { return reader.nonEmpty(entry).map { .sql($0) } }
        if let entry = e["file"] { return reader.nonEmpty(entry).map { .file($0) } }
        guard let entry = e["check"] else { return nil }
        guard let check = QualityRule.Check(rawValue: entry.value.trimmingSpaces) else {
            reader.fail(entry, expected: QualityRule.Check.allCases.map(\.rawValue).joined(separator: "|"))
            return nil
        }
        let location = reader.at(entry)
        var needed = ["table", "columns"]
        switch check {
        case .notNull, .unique: break
        case .range: if e["min"] == nil && e["max"] == nil { needed.append("min or max") }
        case .pattern: needed.append("pattern")
        case .reference: needed.append("references")
        }
        let missing = needed.filter { $0.contains(" or ") || e[$0] == nil }
        guard missing.isEmpty, let tableEntry = e["table"], let columnsEntry = e["columns"],
              let table = reader.nonEmpty(tableEntry), let columns = reader.list(columnsEntry), !columns.isEmpty else {
            reader.diagnostics.error("check '\(check.rawValue)' needs \(needed.joined(separator: ", "))", at: location)
            return nil
        }
        if (check == .range || check == .pattern) && columns.count != 1 {
            reader.fail(columnsEntry, expected: "exactly one column for a \(check.rawValue) check")
            return nil
        }
        var builtIn = QualityRule.BuiltInCheck(check: check, table: table, columns: columns)
        builtIn.min = e["min"]?.value.trimmingSpaces
        builtIn.max = e["max"]?.value.trimmingSpaces
        builtIn.pattern = e["pattern"]?.value
        builtIn.references = e["references"]?.value.trimmingSpaces
        if check == .reference, let ref = builtIn.references, !ref.contains(".") && !ref.contains("(") {
            if let entry = e["references"] { reader.fail(entry, expected: "table.column or table(column, …)") }
            return nil
        }
        return .check(builtIn)
    }
}
