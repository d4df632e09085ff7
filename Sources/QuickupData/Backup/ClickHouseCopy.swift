import QuickupCore

/// ClickHouse tables kept as a copy in the `quickup_backup` database on the same server (F3).
/// `CREATE TABLE … AS` + `INSERT … SELECT` works alike on 18.16 and current servers; `ALTER
/// TABLE … FREEZE` is faster (hard links) but leaves the parts in the server's `shadow/` folder,
/// which quickup cannot read over HTTP and 18.16 cannot attach back from SQL (docs/BACKUPS.md).
struct ClickHouseCopy: Sendable {
    static let method = "clickhouse in-server copy"
    static let database = "quickup_backup"
    var tag: String

    func take(_ table: String, on connection: any DatasourceConnection) async throws(QuickupError) -> BackupManifest {
        let (schema, name) = DataBackup.split(table, database: connection.config.database)
        let source = Self.qualified(schema, name)
        let copy = "\(Self.database)_\(DataBackup.safe(tag))_\(DataBackup.safe(schema ?? "default"))_\(DataBackup.safe(name))"
        let target = Self.qualified(Self.database, copy)
        try await connection.execute(SQLStatement(text: "CREATE DATABASE IF NOT EXISTS \(Self.database)", line: 1, file: "<backup>"))
        // Taken again after an interruption: the copy is started afresh.
        try await connection.execute(SQLStatement(text: "DROP TABLE IF EXISTS \(target)", line: 1, file: "<backup>"))
        try await connection.execute(SQLStatement(text: "CREATE TABLE \(target) AS \(source)", line: 1, file: "<backup>"))
        try await connection.execute(SQLStatement(text: "INSERT INTO \(target) SELECT * FROM \(source)", line: 1, file: "<backup>"))
        let rows = Int64(try await connection.scalar("SELECT count() FROM \(target)") ?? "0") ?? 0
        let bytes = Int64(try await connection.scalar(
            "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = '\(Self.database)' AND table = '\(copy)'") ?? "0") ?? 0
        return BackupManifest(datasource: connection.config.name, engine: "clickhouse", object: table, method: Self.method,
                              location: "\(Self.database).\(copy)", rows: rows, bytes: bytes,
                              checksum: try await Self.checksum(table, on: connection))
    }

    /// Drops the table and creates it again from the copy; the copy stays until cleanup.
    func restore(_ manifest: BackupManifest, on connection: any DatasourceConnection) async throws(QuickupError) {
        let (schema, name) = DataBackup.split(manifest.object, database: connection.config.database)
        let target = Self.qualified(schema, name)
        let copy = Self.qualified(Self.database, String(manifest.location.dropFirst(Self.database.count + 1)))
        for sql in ["DROP TABLE IF EXISTS \(target)", "CREATE TABLE \(target) AS \(copy)", "INSERT INTO \(target) SELECT * FROM \(copy)"] {
            try await connection.execute(SQLStatement(text: sql, line: 1, file: "<restore>"))
        }
    }

    func drop(_ manifest: BackupManifest, on connection: any DatasourceConnection) async throws(QuickupError) {
        let copy = Self.qualified(Self.database, String(manifest.location.dropFirst(Self.database.count + 1)))
        try await connection.execute(SQLStatement(text: "DROP TABLE IF EXISTS \(copy)", line: 1, file: "<cleanup>"))
    }

    /// `groupBitXor(cityHash64(*))` with the row count: equal rows in any order give equal figures.
    static func checksum(_ table: String, on connection: any DatasourceConnection) async throws(QuickupError) -> String {
        let (schema, name) = DataBackup.split(table, database: connection.config.database)
        let row = try await connection.query("SELECT count(), groupBitXor(cityHash64(*)) FROM \(qualified(schema, name))").first
        return "\((row?.first ?? nil) ?? "0"):\((row?.last ?? nil) ?? "0")"
    }

    static func qualified(_ schema: String?, _ name: String) -> String {
        (schema.map { "`\($0)`." } ?? "") + "`\(name)`"
    }
}
