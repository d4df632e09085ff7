import Foundation
import QuickupCore

/// What one backup holds (F3): written beside its files (`manifest.json` of the backup set) and
/// into the journal, so a rollback restores it and `cleanup` removes it without guessing.
public struct BackupManifest: Codable, Sendable, Hashable {
    /// The datasource (env.yaml name) and what of it: a table (`schema.table` or `table`), the
    /// keys of Redis scripts (`keys`) or a whole Redis database (`database`).
    public var datasource: String
    public var engine: String
    public var object: String
    /// How it was taken, e.g. `mariadb-dump --single-transaction` (docs/BACKUPS.md says why).
    public var method: String
    /// A file or folder relative to the backup set's folder, or `db.table` of an in-server copy.
    public var location: String
    public var rows: Int64
    public var bytes: Int64
    /// The engine's checksum of the data when it was taken; a restore must give it again.
    public var checksum: String
    public var takenAt: Int64
    public var durationMs: Int64
    /// Redis keys the backup holds (`keys` backups), so a restore deletes those that were absent.
    public var keys: [String]?

    public init(datasource: String, engine: String, object: String, method: String, location: String,
                rows: Int64 = 0, bytes: Int64 = 0, checksum: String = "", takenAt: Int64 = 0, durationMs: Int64 = 0) {
        self.datasource = datasource
        self.engine = engine
        self.object = object
        self.method = method
        self.location = location
        self.rows = rows
        self.bytes = bytes
        self.checksum = checksum
        self.takenAt = takenAt
        self.durationMs = durationMs
    }

    /// Whether the backup lives inside the database server (an in-server copy) rather than in
    /// `backup.dir`: its space is the server's, and cleanup drops a table instead of a file.
    public var inServer: Bool { method == ClickHouseCopy.method }

    /// Writes the set's manifests as `manifest.json` in `directory` (replacing the file whole).
    public static func write(_ manifests: [BackupManifest], to directory: String) throws(QuickupError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try encoder.encode(manifests).write(to: URL(fileURLWithPath: "\(directory)/manifest.json"), options: .atomic)
        } catch {
            throw QuickupError(.io, "cannot write the backup manifest in \(directory): \(error.localizedDescription)",
                               hint: "check backup.dir's permissions and free space")
        }
    }

    public static func read(from directory: String) -> [BackupManifest] {
        guard let data = FileManager.default.contents(atPath: "\(directory)/manifest.json") else { return [] }
        return (try? JSONDecoder().decode([BackupManifest].self, from: data)) ?? []
    }
}

/// What to back up on one datasource.
public enum BackupObject: Hashable, Sendable, CustomStringConvertible {
    case table(String)
    case redisKeys([String])
    case redisDatabase

    public var description: String {
        switch self {
        case .table(let name): return name
        case .redisKeys: return "keys"
        case .redisDatabase: return "database"
        }
    }
}
