import Foundation
import QuickupCore
import QuickupRun

/// The backups' share of the A4 estimate (F3, issue 16): how long taking the backups before the
/// first change lasts, and how much of it falls inside the stop window. The size is A1's: the
/// tables the scripts change (and `backup_tables`); the rate is this state directory's: the bytes
/// its past backups wrote per second of taking them (the journal's manifests). The whole upgrade
/// takes the backups in its backup step, before the services stop: they lengthen the upgrade, not
/// the outage — `inOutageSeconds` is 0 and says so.
public struct BackupDuration: Codable, Sendable, Hashable {
    /// The tables' size now (A1).
    public var bytes: Int64
    /// Nil when no past backup gives a rate.
    public var seconds: Double?
    public var bytesPerSecond: Double?
    /// In words: "12 MiB at 40 MiB/s (rate of 3 past backups)".
    public var basis: String
    /// The part taken while the services are stopped.
    public var inOutageSeconds: Double

    /// - Parameter past: (bytes written, milliseconds taken) of finished backups.
    public static func estimate(bytes: Int64, past: [(bytes: Int64, durationMs: Int64)]) -> BackupDuration {
        let timed = past.filter { $0.bytes > 0 && $0.durationMs > 0 }
        let size = ByteSize(bytes: bytes).description
        guard bytes > 0 else {
            return BackupDuration(bytes: 0, seconds: 0, bytesPerSecond: nil, basis: "no existing table to back up", inOutageSeconds: 0)
        }
        guard !timed.isEmpty else {
            return BackupDuration(bytes: bytes, seconds: nil, bytesPerSecond: nil,
                                  basis: "\(size); no past backup in the journal to take a rate from", inOutageSeconds: 0)
        }
        let rate = Double(timed.reduce(0) { $0 + $1.bytes }) / (Double(timed.reduce(0) { $0 + $1.durationMs }) / 1000)
        return BackupDuration(bytes: bytes, seconds: Double(bytes) / rate, bytesPerSecond: rate,
                              basis: "\(size) at \(ByteSize(bytes: Int64(rate.rounded())))/s (rate of \(timed.count) past backup\(timed.count == 1 ? "" : "s"))",
                              inOutageSeconds: 0)
    }

    /// The finished backups of the journal in `stateDirectory`, for their rate.
    static func past(stateDirectory: String) -> [(bytes: Int64, durationMs: Int64)] {
        guard FileManager.default.fileExists(atPath: "\(stateDirectory)/journal.sqlite"),
              let journal = try? Journal(stateDirectory: stateDirectory),
              let records = try? journal.backups() else { return [] }
        return records.compactMap { record in
            guard record.status != BackupRecord.taking, let manifest = record.manifest else { return nil }
            return (manifest.bytes, manifest.durationMs)
        }
    }

    /// "backups 2m before the stop (not in the outage)", or "backups of 12 MiB: time unknown".
    public func text(_ span: (Double) -> String) -> String {
        guard let seconds else { return "backups of \(ByteSize(bytes: bytes)): time unknown (no past backup to take a rate from)" }
        return "backups \(span(seconds)) before the stop (\(inOutageSeconds > 0 ? "\(span(inOutageSeconds)) in the outage" : "not in the outage"))"
    }
}
