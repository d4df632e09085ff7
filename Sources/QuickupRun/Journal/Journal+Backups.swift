import Foundation
import GRDB
import QuickupCore
import QuickupData

/// One backup in the journal (F3): `taking` while it is written, `done` with its manifest,
/// `removed` after cleanup; `restoredAt` once a rollback put it back (F4).
public struct BackupRecord: Sendable, Hashable {
    public var runID: String
    public var datasource: String
    public var object: String
    public var status: String
    /// The backup set's folder (`backup.dir/<run id>`).
    public var directory: String
    public var manifest: BackupManifest?
    public var startedAt: Int64
    public var endedAt: Int64?
    public var restoredAt: Int64?
    public var restoredBy: String?

    public static let taking = "taking", done = "done", removed = "removed"
}

extension Journal {
    public func startBackup(runID: String, datasource: String, object: String, directory: String, at time: Int64) throws(QuickupError) {
        try write("record the backup of \(datasource) \(object)") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO backup (run_id, datasource, object, status, directory, started_at)
                VALUES (?, ?, ?, 'taking', ?, ?)
                """, arguments: [runID, datasource, object, directory, time])
        }
    }

    public func finishBackup(runID: String, _ manifest: BackupManifest, at time: Int64) throws(QuickupError) {
        let json = String(decoding: (try? JSONEncoder().encode(manifest)) ?? Data(), as: UTF8.self)
        try write("record the finished backup of \(manifest.datasource) \(manifest.object)") { db in
            try db.execute(sql: """
                UPDATE backup SET status = 'done', manifest = ?, bytes = ?, ended_at = ?
                WHERE run_id = ? AND datasource = ? AND object = ?
                """, arguments: [json, manifest.bytes, time, runID, manifest.datasource, manifest.object])
        }
    }

    public func markBackup(_ record: BackupRecord, status: String? = nil, restoredBy: String? = nil, at time: Int64) throws(QuickupError) {
        try write("update the backup of \(record.datasource) \(record.object)") { db in
            if let status {
                try db.execute(sql: "UPDATE backup SET status = ? WHERE run_id = ? AND datasource = ? AND object = ?",
                               arguments: [status, record.runID, record.datasource, record.object])
            }
            if let restoredBy {
                try db.execute(sql: "UPDATE backup SET restored_at = ?, restored_by = ? WHERE run_id = ? AND datasource = ? AND object = ?",
                               arguments: [time, restoredBy, record.runID, record.datasource, record.object])
            }
        }
    }

    /// The backups of the given runs (all when nil), oldest first.
    public func backups(runs: Set<String>? = nil) throws(QuickupError) -> [BackupRecord] {
        try read("read the backups") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM backup ORDER BY started_at, rowid").compactMap { row -> BackupRecord? in
                let runID: String = row["run_id"]
                if let runs, !runs.contains(runID) { return nil }
                let json: String? = row["manifest"]
                return BackupRecord(runID: runID, datasource: row["datasource"], object: row["object"], status: row["status"],
                                    directory: row["directory"],
                                    manifest: json.flatMap { try? JSONDecoder().decode(BackupManifest.self, from: Data($0.utf8)) },
                                    startedAt: row["started_at"], endedAt: row["ended_at"], restoredAt: row["restored_at"],
                                    restoredBy: row["restored_by"])
            }
        }
    }

    // MARK: rollback phases (F4): every phase is a checkpoint

    public func startPhase(rollbackID: String, phase: String, at time: Int64) throws(QuickupError) {
        try write("record rollback phase \(phase)") { db in
            try db.execute(sql: "INSERT OR REPLACE INTO rollback_phase (rollback_id, phase, status, started_at) VALUES (?, ?, 'running', ?)",
                           arguments: [rollbackID, phase, time])
        }
    }

    public func finishPhase(rollbackID: String, phase: String, status: String, message: String?, at time: Int64) throws(QuickupError) {
        try write("record the end of rollback phase \(phase)") { db in
            try db.execute(sql: "UPDATE rollback_phase SET status = ?, ended_at = ?, message = ? WHERE rollback_id = ? AND phase = ?",
                           arguments: [status, time, message, rollbackID, phase])
        }
    }

    /// (phase, status) of a rollback's phases in the order they started.
    public func phases(rollbackID: String) throws(QuickupError) -> [(phase: String, status: String)] {
        try read("read rollback phases") { db in
            try Row.fetchAll(db, sql: "SELECT phase, status FROM rollback_phase WHERE rollback_id = ? ORDER BY started_at, rowid",
                             arguments: [rollbackID]).map { row -> (phase: String, status: String) in (row["phase"], row["status"]) }
        }
    }
}
