import Foundation
import QuickupCore

/// Takes and restores backups per engine (F3, F4): the one entry the run and the rollback call.
/// MariaDB/MySQL: `mariadb-dump --single-transaction` into `backup.dir`; ClickHouse: a copy into
/// the backup database on the server; Redis: DUMP/PTTL of the keys into a file; SQLite: the
/// online backup API into a file. docs/BACKUPS.md says why each.
public struct DataBackup: Sendable {
    /// The backup set's folder in `backup.dir` (one per run that takes backups).
    public var directory: String
    /// The run taking it: names in-server copies, so two upgrades never share one.
    public var tag: String
    public var secrets: SecretResolver
    public var now: @Sendable () -> Int64

    public init(directory: String, tag: String, secrets: SecretResolver, now: @escaping @Sendable () -> Int64) {
        self.directory = directory
        self.tag = tag
        self.secrets = secrets
        self.now = now
    }

    public func take(_ object: BackupObject, on connection: any DatasourceConnection) async throws(QuickupError) -> BackupManifest {
        let started = now()
        var manifest: BackupManifest
        let config = connection.config
        switch (config.type, object) {
        case (.mariadb, .table(let table)), (.mysql, .table(let table)):
            manifest = try await MariaDBDump(config: config, secrets: secrets).take(table, on: connection, into: directory)
        case (.clickhouse, .table(let table)):
            manifest = try await ClickHouseCopy(tag: tag).take(table, on: connection)
        case (.sqlite, .table(let table)):
            manifest = try await SQLiteFileBackup.take(table, on: connection, into: directory)
        case (.redis, _):
            manifest = try await RedisKeyBackup.take(object, on: connection, into: directory)
        default:
            throw QuickupError(.unsupported, "cannot back up \(object) of \(config.type) datasource \(config.name)")
        }
        manifest.takenAt = started
        manifest.durationMs = max(0, now() - started)
        return manifest
    }

    /// Puts the object back as it was when the backup was taken, then checks the checksum.
    /// Restoring twice gives the same result (a rollback killed half-way restores again).
    /// `waiting` is called when an earlier restore of the same dump still runs (its client
    /// outlived a killed rollback): this one waits for it to end. `loading` once the load started.
    public func restore(_ manifest: BackupManifest, on connection: any DatasourceConnection,
                        waiting: @Sendable () -> Void = {}, loading: @Sendable () -> Void = {}) async throws(QuickupError) {
        let config = connection.config
        if ![DatasourceType.mariadb, .mysql].contains(config.type) { loading() }
        switch config.type {
        case .mariadb, .mysql:
            try await MariaDBDump(config: config, secrets: secrets).restore(manifest, on: connection, from: directory, waiting: waiting, loading: loading)
        case .clickhouse:
            try await ClickHouseCopy(tag: tag).restore(manifest, on: connection)
        case .sqlite:
            try await SQLiteFileBackup.restore(manifest, on: connection, from: directory)
        case .redis:
            try await RedisKeyBackup.restore(manifest, on: connection, from: directory)
        }
        let now = try await checksum(manifest, on: connection)
        guard now == manifest.checksum else {
            throw QuickupError(.io, "\(manifest.datasource) \(manifest.object) restored from \(manifest.location) but its checksum is \(now), not \(manifest.checksum) as when backed up",
                               hint: "the backup may be damaged; compare it by hand before going on")
        }
    }

    /// The engine's checksum of the object now, as the manifest records it.
    public func checksum(_ manifest: BackupManifest, on connection: any DatasourceConnection) async throws(QuickupError) -> String {
        switch connection.config.type {
        case .mariadb, .mysql: return try await MariaDBDump.checksum(manifest.object, on: connection)
        case .clickhouse: return try await ClickHouseCopy.checksum(manifest.object, on: connection)
        case .sqlite: return try await SQLiteFileBackup.checksum(manifest.object, on: connection)
        case .redis: return try await RedisKeyBackup.checksum(keys: manifest.keys, on: connection)
        }
    }

    /// Removes what the backup holds: its file or folder, or its in-server copy.
    public func remove(_ manifest: BackupManifest, on connection: (any DatasourceConnection)?) async throws(QuickupError) {
        if manifest.inServer {
            guard let connection else { return }
            try await ClickHouseCopy(tag: tag).drop(manifest, on: connection)
        } else {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(manifest.location)")
        }
    }

    /// `schema` and `table` of `name`, the schema defaulting to the datasource's database.
    static func split(_ name: String, database: String?) -> (schema: String?, table: String) {
        guard let dot = name.firstIndex(of: ".") else { return (database, name) }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// A name safe as a file name and an identifier part.
    static func safe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }
}
