import QuickupCore
import QuickupData
import QuickupRemote

/// The undo of one config task in `quickup rollback` (K1–K3, F4), self-contained so a phased
/// rollback can call it from its configuration phase: decides from the journal's latest
/// attempt of the task whether the runs being rolled back changed it, puts the kept original
/// back on every host (byte for byte, owner and mode; a file that did not exist is removed;
/// nginx tested and reloaded) or republishes / deletes the Nacos configuration, and records the
/// undo in the journal (kind `rollback`, RUNNING then ROLLED_BACK). Running it again after a
/// crash is safe: what was restored has no kept copy left and is not touched again.
struct ConfigUndo<C: Clock>: Sendable where C.Duration == Duration {
    /// This rollback's run id.
    let runID: String
    /// The run being rolled back and every run that resumed it.
    let runs: Set<String>
    let request: RollbackRequest
    let journal: Journal
    let context: RunContext<C>

    /// Whether the latest attempt says the runs changed the task (or a rollback of it did not finish).
    static func needsUndo(_ latest: AttemptRecord?, runs: Set<String>) -> Bool {
        guard let latest else { return false }
        if latest.kind == rollbackKind { return latest.status != UpgradeLogStatus.rolledBack.rawValue }
        return runs.contains(latest.runID) && latest.status != UpgradeLogStatus.skipped.rawValue
    }

    func undo(_ planned: PlannedTask, latest: AttemptRecord?, into result: inout RunResult) async throws(QuickupError) {
        let task = planned.task
        let title = "\(task.component) \(task.version) \(task.qualifiedUID)"
        let output = context.output
        if let latest, latest.kind == rollbackKind, latest.status == UpgradeLogStatus.rolledBack.rawValue {
            result.tasks.append(TaskOutcome(task, status: "SKIPPED"))
            output.line("[SKIPPED] \(title) (already rolled back at \(Timestamps.text(latest.endedAt ?? latest.startedAt)) by \(latest.runID))")
            result.skipped += 1
            return
        }
        guard Self.needsUndo(latest, runs: runs) else { return }
        if request.dryRun {
            result.tasks.append(TaskOutcome(task, status: "WOULD_ROLL_BACK"))
            output.line("-- \(title): would put back the kept \(task.target ?? "configuration")"
                + (task.configTarget.map { if case .file = $0 { return " on every host of \(task.component)" }; return "" } ?? ""))
            return
        }
        let attempt = latest.map { $0.kind == rollbackKind && $0.runID == runID ? $0.attempt + 1 : 1 } ?? 1
        let start = context.clock.now
        var record = AttemptRecord(runID: runID, taskKey: task.key, component: task.component, version: task.version.description,
                                   kind: rollbackKind, stage: task.stage.rawValue, datasource: nil, attempt: attempt,
                                   status: UpgradeLogStatus.running.rawValue, checksum: task.checksum, startedAt: context.now())
        try journal.record(record)
        detail(task, event: "rollback_start")
        do {
            let lines = try await context.configWork(releaseRoot: request.releaseRoot, environment: request.environment)
                .restore(task, runID: runID, attempt: attempt)
            let elapsed = start.duration(to: context.clock.now)
            record.status = UpgradeLogStatus.rolledBack.rawValue
            record.endedAt = record.startedAt + elapsed.milliseconds
            record.durationMs = elapsed.milliseconds
            try journal.record(record)
            for line in lines { output.line(line) }
            output.line("[ROLLED_BACK] \(title) (\(elapsed.short))")
            result.tasks.append(TaskOutcome(task, status: "ROLLED_BACK", durationMs: elapsed.milliseconds))
            detail(task, status: "ROLLED_BACK", durationMs: elapsed.milliseconds)
            result.succeeded += 1
        } catch {
            let elapsed = start.duration(to: context.clock.now)
            record.status = UpgradeLogStatus.failed.rawValue
            record.endedAt = record.startedAt + elapsed.milliseconds
            record.durationMs = elapsed.milliseconds
            record.error = String(error.description.prefix(2000))
            let failed = record
            context.recordWrites.attempt("the journal's FAILED row of the rollback of \(task.key)") { () throws(QuickupError) in
                try journal.record(failed)
            }
            output.line("[FAILED] \(title) rollback (\(elapsed.short)): \(error.message)")
            result.tasks.append(TaskOutcome(task, status: "FAILED", durationMs: elapsed.milliseconds, error: error.description))
            detail(task, status: "FAILED", durationMs: elapsed.milliseconds, error: error)
            result.failed += 1
            throw error
        }
    }

    private func detail(_ task: UpgradeTask, event: String = "rollback_end", status: String? = nil, durationMs: Int64? = nil, error: QuickupError? = nil) {
        var record = DetailRecord(run: runID, event: event, at: context.now(), task: task, datasource: nil)
        record.status = status
        record.durationMs = durationMs
        if let error { record.setFailure(error, status: status ?? "FAILED") }
        context.output.record(record)
    }
}

extension ConfigTaskWork {
    /// Puts back what `apply` kept (K1–K3); returns the lines to show.
    public func restore(_ task: UpgradeTask, runID: String, attempt: Int) async throws(QuickupError) -> [String] {
        guard let target = task.configTarget else {
            throw QuickupError(.manifestInvalid, "\(task.key) has no valid target", at: task.location(of: "target"))
        }
        switch target {
        case .nacos(let group, let dataId):
            let key = NacosClient.ConfigKey(group: group, dataId: dataId)
            let kept = NacosKeptConfig(stateDirectory: stateDirectory, taskKey: task.key)
            guard let saved = try kept.load() else { return ["   nacos \(key): nothing kept (never published, or restored already)"] }
            let client = try nacosClient()
            if let content = saved.content {
                try await client.publish(key, content: content, type: Self.nacosType(task.configFormat ?? .file))
            } else {
                try await client.deleteConfig(key)
            }
            try await client.verify(key, content: saved.content)
            try kept.markRestored()
            return ["   nacos \(client.config.namespace ?? "public")/\(key): " + (saved.content == nil ? "deleted (it did not exist before), checked absent" : "previous content republished, read back (MD5 \(MD5.hex(Array((saved.content ?? "").utf8))))")]
        case .file(let path):
            var lines: [String] = []
            for (host, path) in try placements(of: task, path: path) {
                let restored = try await files.restore(path, taskKey: task.key, on: host, runID: runID,
                                                       stepID: "config-undo-\(task.key)-\(host.name)-\(attempt)",
                                                       nginx: task.configFormat == .nginx ? nginx : nil)
                lines.append("   \(host.name): \(path) " + (restored ? "put back as it was before the upgrade" : "nothing kept (never written, or restored already)")
                    + (restored && task.configFormat == .nginx ? "; nginx tested and reloaded" : ""))
            }
            return lines
        }
    }
}
