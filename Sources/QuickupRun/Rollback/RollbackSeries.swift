import QuickupCore

/// The rollbacks of one upgrade that one more `quickup rollback` continues (F4): those started
/// after the upgrade's newest run and after the last rollback of it that finished — killed,
/// failed or stopped ones. The first of them names the series: a service start is a remote step
/// keyed by it, so a start launched before a kill is waited for, never launched again.
struct RollbackSeries: Sendable {
    /// The first unfinished rollback of this upgrade (the current one when there is none).
    var id: String
    /// The unfinished rollbacks this one continues, oldest first.
    var earlier: [RunRecord]
    /// Each phase those rollbacks recorded, with its latest status ("running" = killed in it).
    var phases: [(rollback: String, phase: String, status: String)]

    static func of(upgrade runs: Set<String>, current: String, journal: Journal) throws(QuickupError) -> RollbackSeries {
        let all = try journal.runs(limit: 10_000).sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        let upgradeStarted = all.filter { runs.contains($0.id) }.map(\.startedAt).max() ?? 0
        var earlier: [RunRecord] = []
        for run in all where run.stage == "rollback" && run.id != current && run.parent.map({ runs.contains($0) }) == true
            && run.startedAt >= upgradeStarted {
            // A finished rollback closes a series: the next one starts afresh.
            if run.status == .succeeded { earlier = [] } else { earlier.append(run) }
        }
        var phases: [(rollback: String, phase: String, status: String)] = []
        for run in earlier {
            phases += try journal.phases(rollbackID: run.id).map { (rollback: run.id, phase: $0.phase, status: $0.status) }
        }
        return RollbackSeries(id: earlier.first?.id ?? current, earlier: earlier, phases: phases)
    }

    /// "Continues rollback R (killed in phase restore-tables; done there: …)", or nil for a first rollback.
    var summary: String? {
        guard let last = earlier.last else { return nil }
        var latest: [String: String] = [:], order: [String] = []
        for entry in phases {
            if latest[entry.phase] == nil { order.append(entry.phase) }
            latest[entry.phase] = entry.status
        }
        let done = order.filter { latest[$0] == "done" }
        let open = order.filter { latest[$0] != "done" }.map { "\($0) (\(latest[$0] == "running" ? "killed in it" : latest[$0] ?? "?"))" }
        return "Continues the rollback \(earlier.count == 1 ? last.id : earlier.map(\.id).joined(separator: ", ")) of this upgrade: "
            + (done.isEmpty ? "no phase finished" : "finished \(done.joined(separator: ", "))")
            + (open.isEmpty ? "" : "; not finished: \(open.joined(separator: ", "))")
            + ". Each phase runs again and skips what is done."
    }
}
