import Foundation
import QuickupCore
import QuickupData

/// Removes backups (F6): those of one upgrade (`quickup cleanup RUN`), or those older than
/// env.yaml's `backup.retention` at the start of each run. The backups of the newest upgrade
/// that succeeded are kept unless forced: they are the way back from it.
public struct BackupCleanup: Sendable {
    public let journal: Journal
    public let environment: Environment
    public let stateDirectory: String
    public let secrets: SecretResolver
    public let connect: @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection

    public init(journal: Journal, environment: Environment, stateDirectory: String, secrets: SecretResolver,
                connect: @escaping @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection) {
        self.journal = journal
        self.environment = environment
        self.stateDirectory = stateDirectory
        self.secrets = secrets
        self.connect = connect
    }

    /// What a cleanup would remove: the backups, the bytes they hold on disk (as `du` counts
    /// them) and in servers, and the folders.
    public struct Selection: Sendable {
        public var records: [BackupRecord]
        public var diskBytes: Int64
        public var serverBytes: Int64
        public var directories: [String]
    }

    /// The backups of the upgrade `target` belongs to.
    public func selection(upgradeOf target: String, force: Bool) throws(QuickupError) -> Selection {
        let runs = try journal.runs(limit: 10_000)
        guard let run = runs.first(where: { $0.id == target }), run.stage != "rollback" else {
            throw QuickupError(.invalidArgument, "no upgrade run '\(target)' in the journal", hint: "`quickup history` lists the runs")
        }
        let group = Set(UpgradeRuns.of(run, in: runs).map(\.id))
        if !force, let newest = Self.newestSucceeded(runs), newest == group {
            throw QuickupError(.needsConfirmation,
                               "\(target) belongs to the newest upgrade that succeeded (\(run.release) \(run.from) → \(run.to)): its backups are the way back from it",
                               hint: "add --force to remove them anyway")
        }
        return select(try journal.backups(runs: group).filter { $0.status != BackupRecord.removed })
    }

    /// Backups older than `backup.retention`, except the newest successful upgrade's.
    public func expired(now: Int64) throws(QuickupError) -> Selection {
        guard let retention = environment.backupRetention else { return select([]) }
        let runs = try journal.runs(limit: 10_000)
        let kept = Self.newestSucceeded(runs) ?? []
        return select(try journal.backups().filter {
            $0.status != BackupRecord.removed && !kept.contains($0.runID) && ($0.endedAt ?? $0.startedAt) < now - retention.milliseconds
        })
    }

    public func applyRetention(now: Int64, output: RunOutput) async throws(QuickupError) {
        let selection = try expired(now: now)
        guard !selection.records.isEmpty else { return }
        try await remove(selection, at: now)
        output.line("Retention (backup.retention \(environment.backupRetention?.description ?? "")): removed \(selection.records.count) old backup\(selection.records.count == 1 ? "" : "s"), \(ByteSize(bytes: selection.diskBytes)) freed")
    }

    /// Removes the files, folders and in-server copies, and marks the records removed.
    public func remove(_ selection: Selection, at now: Int64) async throws(QuickupError) {
        for record in selection.records {
            if let manifest = record.manifest, manifest.inServer, let config = environment.datasource(named: record.datasource) {
                let connection = try await connect(config)
                var failure: QuickupError?
                do { try await DataBackup(directory: record.directory, tag: record.runID, secrets: secrets, now: { now }).remove(manifest, on: connection) } catch { failure = error }
                await connection.close()
                if let failure { throw failure }
            }
            try journal.markBackup(record, status: BackupRecord.removed, at: now)
        }
        for directory in selection.directories {
            do { try FileManager.default.removeItem(atPath: directory) } catch {
                throw QuickupError(.io, "cannot remove \(directory): \(error.localizedDescription)", hint: "check its permissions")
            }
        }
    }

    private func select(_ records: [BackupRecord]) -> Selection {
        let directories = Array(Set(records.map(\.directory))).sorted().filter { FileManager.default.fileExists(atPath: $0) }
        return Selection(records: records, diskBytes: directories.reduce(0) { $0 + DiskUsage.bytes($1) },
                         serverBytes: records.compactMap(\.manifest).filter(\.inServer).reduce(0) { $0 + $1.bytes },
                         directories: directories)
    }

    /// The runs of the newest upgrade with a run that succeeded.
    static func newestSucceeded(_ runs: [RunRecord]) -> Set<String>? {
        UpgradeRuns.all(in: runs).first { $0.contains { $0.status == .succeeded } }.map { Set($0.map(\.id)) }
    }
}

/// The space files take on disk as `du` counts it (allocated blocks, each file once).
public enum DiskUsage {
    public static func bytes(_ path: String) -> Int64 {
        var total: Int64 = 0, seen = Set<[UInt64]>()
        func visit(_ path: String) {
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            guard seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return }
            total += Int64(info.st_blocks) * 512
            if (info.st_mode & 0o170000) == 0o040000, let children = try? FileManager.default.contentsOfDirectory(atPath: path) {
                for child in children { visit("\(path)/\(child)") }
            }
        }
        visit(path)
        return total
    }

    /// Free bytes of the file system holding `path` (or its nearest existing parent).
    public static func freeBytes(_ path: String) -> Int64? {
        var candidate = path
        while !FileManager.default.fileExists(atPath: candidate), candidate != "/" {
            candidate = (candidate as NSString).deletingLastPathComponent
            if candidate.isEmpty { candidate = "/" }
        }
        var stats = statvfs()
        guard statvfs(candidate, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }
}
