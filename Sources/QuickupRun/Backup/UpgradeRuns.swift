import QuickupCore

/// The runs of one upgrade (F4, F6): every run of the same release, versions and site — each
/// stage run, every resume — since the last rollback of that upgrade that finished. A rollback
/// undoes them together, newest first; cleanup removes their backups together.
public enum UpgradeRuns {
    /// Newest first. `target` must be an upgrade run (not a rollback).
    public static func of(_ target: RunRecord, in runs: [RunRecord]) -> [RunRecord] {
        let same = runs.filter { $0.stage != "rollback" && sameUpgrade($0, target) }
        let sameIDs = Set(same.map(\.id))
        // Rollbacks that finished: an upgrade run older than the last one before `target`, or
        // newer than the first one after it, belongs to another attempt of the upgrade.
        let finished = runs.filter { $0.stage == "rollback" && $0.status == .succeeded && $0.parent.map(sameIDs.contains) == true }
        let before = finished.filter { $0.startedAt <= target.startedAt }.map(\.startedAt).max() ?? Int64.min
        let after = finished.filter { $0.startedAt > target.startedAt }.map(\.startedAt).min() ?? Int64.max
        return same.filter { $0.startedAt > before && $0.startedAt < after }.sorted { $0.startedAt > $1.startedAt }
    }

    static func sameUpgrade(_ a: RunRecord, _ b: RunRecord) -> Bool {
        a.release == b.release && a.from == b.from && a.to == b.to && a.site == b.site
    }

    /// Every upgrade in the journal, each as its runs (newest first), the newest upgrade first.
    public static func all(in runs: [RunRecord]) -> [[RunRecord]] {
        var seen = Set<String>(), groups: [[RunRecord]] = []
        for run in runs.sorted(by: { $0.startedAt > $1.startedAt }) where run.stage != "rollback" && !seen.contains(run.id) {
            let group = of(run, in: runs)
            group.forEach { seen.insert($0.id) }
            groups.append(group)
        }
        return groups
    }
}
