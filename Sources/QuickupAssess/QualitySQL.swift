import QuickupCore

/// Writes the counting SQL of a built-in data-quality check (M4, A2) for the datasource's engine.
/// Each query returns one number: the rows that break the rule. NULLs only break `not_null`;
/// the other checks leave them to it, as a UNIQUE index or a foreign key would.
public enum QualitySQL {
    public enum Dialect: String, Sendable {
        case mariadb, clickhouse, sqlite

        public init(_ type: DatasourceType) {
            switch type {
            case .clickhouse: self = .clickhouse
            case .sqlite: self = .sqlite
            default: self = .mariadb
            }
        }
    }

    public static func counting(_ check: QualityRule.BuiltInCheck, dialect: Dialect) throws(QuickupError) -> String {
        let table = try identifier(check.table)
        let columns = try check.columns.map { (c) throws(QuickupError) -> String in try identifier(c) }
        let count = dialect == .clickhouse ? "count()" : "COUNT(*)"
        switch check.check {
        case .notNull:
            return "SELECT \(count) FROM \(table) WHERE " + columns.map { "\($0) IS NULL" }.joined(separator: " OR ")
        case .unique:
            let present = columns.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
            let groups = "SELECT \(count) AS n FROM \(table) WHERE \(present) GROUP BY \(columns.joined(separator: ", ")) HAVING \(count) > 1"
            return dialect == .clickhouse ? "SELECT sum(n) FROM (\(groups))" : "SELECT COALESCE(SUM(n), 0) FROM (\(groups)) AS duplicates"
        case .range:
            guard let column = columns.first else { throw invalid(check, "a range check needs one column") }
            var outside: [String] = []
            if let min = check.min, !min.isEmpty { outside.append("\(column) < \(literal(min, dialect: dialect))") }
            if let max = check.max, !max.isEmpty { outside.append("\(column) > \(literal(max, dialect: dialect))") }
            guard !outside.isEmpty else { throw invalid(check, "a range check needs min or max") }
            return "SELECT \(count) FROM \(table) WHERE \(outside.joined(separator: " OR "))"
        case .pattern:
            guard let column = columns.first, let pattern = check.pattern else { throw invalid(check, "a pattern check needs one column and a pattern") }
            switch dialect {
            case .mariadb:
                return "SELECT COUNT(*) FROM \(table) WHERE \(column) IS NOT NULL AND \(column) NOT REGEXP \(literal(text: pattern, dialect: dialect))"
            case .clickhouse:
                return "SELECT count() FROM \(table) WHERE NOT match(toString(\(column)), \(literal(text: pattern, dialect: dialect)))"
            case .sqlite:
                throw QuickupError(.unsupported, "SQLite has no regular expressions: pattern check of \(check.table).\(check.columns.joined()) cannot run",
                                   hint: "write the rule as .sql with GLOB or LIKE instead")
            }
        case .reference:
            let (refTable, refColumns) = try reference(check)
            guard refColumns.count == columns.count else {
                throw invalid(check, "references names \(refColumns.count) column(s) for \(columns.count)")
            }
            if dialect == .clickhouse {
                // 18.x has no correlated subqueries; NOT IN over a (tuple) subquery works on every version.
                let left = columns.count == 1 ? columns[0] : "(\(columns.joined(separator: ", ")))"
                return "SELECT count() FROM \(table) WHERE \(left) NOT IN (SELECT \(refColumns.joined(separator: ", ")) FROM \(refTable))"
            }
            let match = zip(columns, refColumns).map { "r.\($1) = t.\($0)" }.joined(separator: " AND ")
            let presentT = columns.map { "t.\($0) IS NOT NULL" }.joined(separator: " AND ")
            return "SELECT COUNT(*) FROM \(table) t WHERE \(presentT) AND NOT EXISTS (SELECT 1 FROM \(refTable) r WHERE \(match))"
        }
    }

    /// `device.id` → (`device`, [`id`]); `device(id, site)` or `db.device(id)` → table and columns.
    static func reference(_ check: QualityRule.BuiltInCheck) throws(QuickupError) -> (String, [String]) {
        let text = (check.references ?? "").trimmed
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            let table = String(text[..<open]).trimmed
            let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
            let columns = try inner.split(separator: ",").map { (c) throws(QuickupError) -> String in try identifier(String(c).trimmed) }
            return (try identifier(table), columns)
        }
        guard let dot = text.lastIndex(of: ".") else { throw invalid(check, "references must be table.column or table(column, …)") }
        return (try identifier(String(text[..<dot])), [try identifier(String(text[text.index(after: dot)...]))])
    }

    /// A name (optionally `schema.name`) quoted with backticks, which all three engines accept.
    /// Only letters, digits, `_` and `$` are allowed, so no quoting trick can reach the SQL.
    static func identifier(_ name: String) throws(QuickupError) -> String {
        let parts = name.trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" } }) else {
            throw QuickupError(.invalidArgument, "'\(name)' is not a table or column name quickup can quote",
                               hint: "use letters, digits and _ only, or write the rule as .sql")
        }
        return parts.map { "`\($0)`" }.joined(separator: ".")
    }

    /// A number stays a number; anything else (a date …) becomes a string literal.
    static func literal(_ value: String, dialect: Dialect) -> String {
        let v = value.trimmed
        let numeric = !v.isEmpty && Double(v) != nil && v.allSatisfy { $0.isNumber || "+-.eE".contains($0) }
        return numeric ? v : literal(text: v, dialect: dialect)
    }

    static func literal(text: String, dialect: Dialect) -> String {
        var escaped = ""
        for c in text {
            switch c {
            case "'": escaped += dialect == .sqlite ? "''" : "\\'"
            case "\\": escaped += dialect == .sqlite ? "\\" : "\\\\"
            default: escaped.append(c)
            }
        }
        return "'\(escaped)'"
    }

    private static func invalid(_ check: QualityRule.BuiltInCheck, _ message: String) -> QuickupError {
        QuickupError(.invalidArgument, "\(check.check.rawValue) check on \(check.table): \(message)")
    }
}
