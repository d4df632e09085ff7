import QuickupCore
import QuickupData

/// Which applied tasks a rollback undoes by restoring their tables from the backups taken before
/// the upgrade (F4 phase "restore tables") rather than by their `.rollback` script: those with no
/// script, those interrupted half-way, Redis and tool tasks, or every one with `--restore-tables`.
/// A restored table takes the data of every task that touched it back, so a task whose script is
/// seen to change a restored table is restored too (its script would run on data already put
/// back). `backup_tables` are restored with a restored task, but do not by themselves pull in the
/// other tasks of the component: a task that only creates a table is undone by its own script.
struct RestorePlan: Sendable {
    /// One applied task: what it changed and how it ended.
    struct Applied: Sendable {
        var task: UpgradeTask
        var datasource: String
        /// "table" names, Redis `keys`/`database`, as the backups name them.
        var objects: [String]
        /// The objects its script is seen to change (`objects` without `backup_tables`).
        var seen: [String]
        var finished: Bool
    }

    /// Task key → the backups that restore it.
    var tasks: [String: [BackupRecord]] = [:]
    /// The backups to restore, oldest first (each object's first backup: taken before any change).
    var backups: [BackupRecord] = []

    static func make(_ applied: [Applied], backups: [BackupRecord], restoreAll: Bool) -> RestorePlan {
        // The first finished backup of each object in the upgrade holds the data before it.
        var first: [String: BackupRecord] = [:]
        for record in backups where record.status == BackupRecord.done {
            let key = "\(record.datasource)\u{0}\(record.object)"
            if let existing = first[key], existing.startedAt <= record.startedAt { continue }
            first[key] = record
        }
        func backup(_ task: Applied, _ object: String) -> BackupRecord? { first["\(task.datasource)\u{0}\(object)"] }
        func restorable(_ task: Applied) -> Bool { !task.objects.isEmpty && task.objects.allSatisfy { backup(task, $0) != nil } }
        var chosen = Set<String>(), objects = Set<String>()
        for task in applied where restorable(task) {
            let wants = restoreAll || task.task.kind == .redis || task.task.kind == .tool || task.task.rollback == nil || !task.finished
            if wants {
                chosen.insert(task.task.key)
                task.objects.forEach { objects.insert("\(task.datasource)\u{0}\($0)") }
            }
        }
        var grew = true
        while grew {
            grew = false
            for task in applied where !chosen.contains(task.task.key) && restorable(task)
                && task.seen.contains(where: { objects.contains("\(task.datasource)\u{0}\($0)") }) {
                chosen.insert(task.task.key)
                task.objects.forEach { objects.insert("\(task.datasource)\u{0}\($0)") }
                grew = true
            }
        }
        var plan = RestorePlan()
        for task in applied where chosen.contains(task.task.key) {
            plan.tasks[task.task.key] = task.objects.compactMap { backup(task, $0) }
        }
        plan.backups = objects.compactMap { first[$0] }.sorted { ($0.startedAt, $0.object) < ($1.startedAt, $1.object) }
        return plan
    }
}
