import Foundation
import GRDB
import QuickupCore

/// SQLite tables kept through the online backup API (F3): a consistent copy of the whole file
/// taken while others may read and write it. A restore puts back only the table asked for (from
/// the copy, ATTACHed), in one transaction, so upgrade_log in the same file keeps its rows.
enum SQLiteFileBackup {
    static let method = "sqlite online backup API"

    static func take(_ table: String, on connection: any DatasourceConnection, into directory: String) async throws(QuickupError) -> BackupManifest {
        guard let sqlite = connection as? SQLiteConnection else { throw QuickupError(.unsupported, "not a SQLite connection") }
        let file = "\(DataBackup.safe(sqlite.config.name))/\(DataBackup.safe(table)).sqlite"
        let path = "\(directory)/\(file)"
        try MariaDBDump.makeParent(of: path)
        try? FileManager.default.removeItem(atPath: path)
        do {
            let copy = try DatabaseQueue(path: path)
            try sqlite.queue.backup(to: copy)
            try copy.close()
        } catch {
            throw QuickupError(.io, "cannot back up \(sqlite.path) to \(path): \(error)", hint: "check backup.dir's permissions and free space")
        }
        let rows = Int64(try await connection.scalar("SELECT count(*) FROM \(quoted(table))") ?? "0") ?? 0
        return BackupManifest(datasource: sqlite.config.name, engine: "sqlite", object: table, method: method, location: file,
                              rows: rows, bytes: DataBackup.fileSize(path), checksum: try await checksum(table, on: connection))
    }

    static func restore(_ manifest: BackupManifest, on connection: any DatasourceConnection, from directory: String) async throws(QuickupError) {
        guard let sqlite = connection as? SQLiteConnection else { throw QuickupError(.unsupported, "not a SQLite connection") }
        let path = "\(directory)/\(manifest.location)"
        let table = manifest.object
        do {
            try await sqlite.queue.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS quickup_backup", arguments: [path])
                defer { try? db.execute(sql: "DETACH DATABASE quickup_backup") }
                try db.inTransaction {
                    let schema = try String.fetchAll(db, sql: """
                        SELECT sql FROM quickup_backup.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL
                        ORDER BY type = 'table' DESC
                        """, arguments: [table])
                    try db.execute(sql: "DROP TABLE IF EXISTS main.\(quoted(table))")
                    guard let create = schema.first else { return .commit }
                    try db.execute(sql: create)
                    try db.execute(sql: "INSERT INTO main.\(quoted(table)) SELECT * FROM quickup_backup.\(quoted(table))")
                    for index in schema.dropFirst() { try db.execute(sql: index) }
                    return .commit
                }
            }
        } catch {
            throw QuickupError(.io, "cannot restore \(table) of \(sqlite.path) from \(path): \(error)", hint: "check that the backup file is there")
        }
    }

    /// SHA-256 of every row in rowid order, as text.
    static func checksum(_ table: String, on connection: any DatasourceConnection) async throws(QuickupError) -> String {
        var hash = SHA256()
        for row in try await connection.query("SELECT * FROM \(quoted(table)) ORDER BY rowid") {
            for value in row { hash.update(value.map { "v\($0.count):\($0)" } ?? "n") }
            hash.update("\n")
        }
        return SHA256.hex(hash.finalize())
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
