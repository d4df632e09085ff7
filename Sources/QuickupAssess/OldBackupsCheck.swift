import QuickupCore
import QuickupRun

/// The space old backups hold (F6, §6.1.3.3.1.5 备份清理): what `backup.dir` holds on disk, as
/// `du` counts it, and a warning when it crowds the disk — when it holds more than is left free.
enum OldBackupsCheck {
    static func check(backupDirectory: String) -> CheckResult {
        let held = DiskUsage.bytes(backupDirectory)
        let free = DiskUsage.freeBytes(backupDirectory)
        let id = "resources.backups.held", title = "Space held by old backups in \(backupDirectory)"
        guard held > 0 else {
            return CheckResult(category: .resources, id: id, title: title, status: .pass, summary: "no backups are kept", measured: 0, unit: "bytes")
        }
        let freeText = free.map { ", \(ByteSize(bytes: $0)) free on its disk" } ?? ""
        if let free, held >= free {
            return CheckResult(category: .resources, id: id, title: title, status: .warn,
                               summary: "old backups hold \(ByteSize(bytes: held)) (\(held) bytes)\(freeText): they crowd the disk",
                               measured: Double(held), threshold: Double(free), unit: "bytes",
                               suggestion: "`quickup cleanup RUN` removes an upgrade's backups; backup.retention in env.yaml removes old ones at each run")
        }
        return CheckResult(category: .resources, id: id, title: title, status: .pass,
                           summary: "old backups hold \(ByteSize(bytes: held)) (\(held) bytes)\(freeText)", measured: Double(held), unit: "bytes")
    }
}
