import GRDB
import QuickupCore

/// Bytes used by tables of a SQLite database, indexes included (for the assessment, A2).
///
/// With the `dbstat` virtual table (SQLITE_ENABLE_DBSTAT_VTAB, which Debian's and Apple's SQLite
/// have) each table's pages and its indexes' pages are summed exactly. Without it there is no
/// per-table figure; each existing table is then given the size of the whole file: an
/// overestimate, the safe side for a disk-space check, and never an absent table reported present.
enum SQLiteTableSizes {
    static func measure(_ tables: [String], on connection: SQLiteConnection) async throws(QuickupError) -> [String: Int64] {
        guard !tables.isEmpty else { return [:] }
        let sql = "table sizes (dbstat)"
        return try await connection.access(sql, at: nil) { db in
            let placeholders = Array(repeating: "?", count: tables.count).joined(separator: ", ")
            let arguments = StatementArguments(tables)
            let existing = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (\(placeholders))
                """, arguments: arguments)
            guard !existing.isEmpty else { return [:] }
            do {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT m.tbl_name AS name, SUM(s.pgsize) AS bytes
                    FROM sqlite_master m JOIN dbstat s ON s.name = m.name
                    WHERE m.tbl_name IN (\(placeholders)) GROUP BY m.tbl_name
                    """, arguments: arguments)
                var sizes: [String: Int64] = [:]
                for row in rows { sizes[row["name"]] = row["bytes"] }
                // A table whose pages dbstat did not list (WITHOUT ROWID edge cases) still exists.
                for name in existing where sizes[name] == nil { sizes[name] = 0 }
                return sizes
            } catch let error as DatabaseError where error.message?.contains("dbstat") == true {
                let pageCount = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
                return Dictionary(uniqueKeysWithValues: existing.map { ($0, pageCount * pageSize) })
            }
        }
    }
}
