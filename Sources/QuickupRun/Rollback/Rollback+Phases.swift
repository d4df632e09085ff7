import QuickupCore
import QuickupData

extension Rollback {
    /// The phases the decision tree picks (RollbackPhases), each a checkpoint in the journal
    /// (`rollback_phase`): a rollback killed in any phase is finished by running it again — every
    /// phase runs again and skips what its own records say is done (tasks rolled back, backups
    /// restored, hosts switched, services started under the series' remote steps).
    func runPhases(_ steps: RollbackSteps<C>, runs: Set<String>, into result: inout RunResult) async throws(QuickupError) {
        let request = steps.request, output = context.output
        // The operator's word on a task (--undone-by-hand, --confirm-rerun) wins over a restore.
        let applied = try await steps.applied().filter { item in
            request.restoreTables || !(RunRequest.names(item.task, in: request.undoneByHand) || RunRequest.names(item.task, in: request.confirmRerun))
        }
        let backups = try journal.backups(runs: runs)
        var restore = RestorePlan.make(applied, backups: backups, restoreAll: request.restoreTables)
        // Restored by an earlier rollback of this upgrade (killed or failed later): listed as
        // done, verified again, restored again only with --restore-tables.
        for record in backups where record.restoredAt != nil && !restore.backups.contains(where: {
            ($0.runID, $0.datasource, $0.object) == (record.runID, record.datasource, record.object) }) {
            restore.backups.append(record)
        }
        var hostsChanged = false
        for phase in request.hostPhases where phase.slot.isHostSlot {
            if try await phase.hasWork() { hostsChanged = true }
        }
        // Where the upgrade stopped (§4.3.2): before any task ran (precheck, backup, transfer),
        // nothing needs undoing; once a task ran, every phase runs (each skips what is done).
        var dataChanged = false
        for run in runs where !dataChanged { dataChanged = try !journal.attempts(run: run).isEmpty }
        let slots = RollbackPhases.decide(dataChanged: dataChanged, hostsChanged: hostsChanged)
        output.line("Phases: " + slots.map(\.rawValue).joined(separator: " → ") + " (runs of the upgrade, newest first: "
            + (try journal.runs(limit: 10_000)).filter { runs.contains($0.id) }.map(\.id).joined(separator: ", ") + ")")
        let series = try RollbackSeries.of(upgrade: runs, current: result.runID, journal: journal)
        if let summary = series.summary { output.line(summary) }
        for (index, slot) in slots.enumerated() {
            output.line("== phase \(index + 1)/\(slots.count) \(slot.rawValue): \(RollbackPhases.title(slot))")
            if !request.dryRun { try journal.startPhase(rollbackID: result.runID, phase: slot.rawValue, at: context.now()) }
            request.crashPoints.check(slot.rawValue, "begin")
            let step = HostRollbackStep(output: output, rollbackID: result.runID, series: series.id,
                                        checkpoint: { [crash = request.crashPoints] item in crash.check(slot.rawValue, item) })
            do throws(QuickupError) {
                switch slot {
                case .lightCleanup:
                    output.line("(nothing of \(request.target)'s upgrade is applied: there is nothing to undo)")
                case .restoreConfiguration:
                    let configured = try await steps.undoConfiguration(into: &result)
                    try await runPlugged(slot, step, request, quietIfNone: configured)
                case .undoScripts:
                    try await steps.run(into: &result, restoring: restore)
                case .restoreTables:
                    if restore.backups.isEmpty { output.line("(no task needs its tables restored)") }
                    try await steps.restoreTables(restore, into: &result)
                case .verify:
                    try await steps.verify(restore)
                    try await runPlugged(slot, step, request, quietIfNone: true)
                default:
                    try await runPlugged(slot, step, request, quietIfNone: false)
                }
            } catch {
                if !request.dryRun {
                    let (journal, id, now) = (self.journal, result.runID, context.now())
                    context.recordWrites.attempt("the journal's FAILED row of rollback phase \(slot.rawValue)") { () throws(QuickupError) in
                        try journal.finishPhase(rollbackID: id, phase: slot.rawValue, status: "failed", message: error.message, at: now)
                    }
                }
                throw error
            }
            request.crashPoints.check(slot.rawValue, "end")
            if !request.dryRun { try journal.finishPhase(rollbackID: result.runID, phase: slot.rawValue, status: "done", message: nil, at: context.now()) }
        }
    }

    /// The phases other parts plugged into `slot` (hosts, quality rules): their actions on a dry run.
    private func runPlugged(_ slot: RollbackSlot, _ step: HostRollbackStep, _ request: RollbackRequest, quietIfNone: Bool) async throws(QuickupError) {
        let phases = request.hostPhases.filter { $0.slot == slot }
        if phases.isEmpty, !quietIfNone { step.output.line("(nothing in this phase for this run)") }
        for phase in phases {
            if request.dryRun {
                for action in try await phase.actions() { step.output.line("-- \(phase.title): \(action)") }
            } else {
                try await phase.run(step)
            }
        }
    }
}
