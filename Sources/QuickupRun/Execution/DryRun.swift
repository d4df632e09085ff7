import QuickupCore

/// E11: prints every task of the selected stages and every statement it would send, without
/// connecting to anything. Whether a task is skipped as already applied is decided at run time.
struct DryRun: Sendable {
    let releaseRoot: String

    /// Returns the first error met (a script that cannot be split), after printing everything else.
    /// Config tasks (K1) are shown as a diff per host: `config` reads the current files over SSH
    /// (and Nacos), writing nothing.
    func print(_ request: RunRequest, output: RunOutput, listed: inout [TaskOutcome], config: ConfigTaskWork) async -> QuickupError? {
        let runner = TaskRunner(releaseRoot: releaseRoot)
        var firstError: QuickupError?
        for stage in request.stages {
            guard let stagePlan = request.plan.stage(stage) ?? (request.hasHooks(in: stage) ? StagePlan(stage: stage, components: []) : nil) else { continue }
            output.line("== \(stage)")
            hooks(stage, .beforeTasks, request, output)
            for component in stagePlan.components {
                for planned in component.tasks {
                    let task = planned.task
                    listed.append(TaskOutcome(task, status: "LISTED"))
                    let type = planned.datasource.flatMap { request.environment.datasource(named: $0)?.type }
                    output.line("-- \(task.component) \(task.version) \(task.qualifiedUID) on \(planned.datasource ?? "-") (timeout \(planned.timeout)): \(task.description)")
                    switch task.kind {
                    case .sql, .redis:
                        do {
                            let statements = try runner.statements(of: task, type: type)
                            let tx = TaskRunner.isTransactional(task, statements: statements, supportsTransactions: type != .clickhouse && type != .redis, type: type)
                            let commands = TaskRunner.commands(statements, type: type)
                            let noun = type == .redis ? "command" : "statement"
                            output.line("   \(tx ? "in one transaction" : "without a transaction"), \(commands.count) \(noun)\(commands.count == 1 ? "" : "s"):")
                            for statement in commands {
                                output.line("   [\(statement.file):\(statement.line)] \(statement.text)\(type == .redis ? "" : ";")")
                            }
                        } catch {
                            listed[listed.count - 1].status = "FAILED"
                            listed[listed.count - 1].error = error.description
                            output.line("   cannot read or split: \(error)")
                            if firstError == nil { firstError = error }
                        }
                    case .tool:
                        let profile = request.plugin(task.component)
                        output.line("   would start tool \(task.package ?? "?") in \(task.directory) as a \(profile.pluginClass.rawValue) plugin "
                            + "(\(profile.limits.memory), \(profile.limits.cpuPercent) % CPU; on failure: \(profile.failurePolicy(for: task).action.rawValue))")
                    case .config:
                        output.line("   would apply configuration change \(task.file ?? "?") (\(task.configFormat?.rawValue ?? "?") → \(task.target ?? "?")):")
                        do {
                            for line in try await config.preview(task) { output.line(line) }
                        } catch {
                            listed[listed.count - 1].status = "FAILED"
                            listed[listed.count - 1].error = error.description
                            output.line("   cannot show what it would change: \(error)")
                            if firstError == nil { firstError = error }
                        }
                    }
                }
            }
            hooks(stage, .afterTasks, request, output)
        }
        output.line("Dry run complete: \(listed.count) task\(listed.count == 1 ? "" : "s") listed; nothing was changed.")
        return firstError
    }

    /// The component hooks due at this moment of the stage (T5).
    private func hooks(_ stage: Stage, _ moment: HookSchedule.Moment, _ request: RunRequest, _ output: RunOutput) {
        for point in HookSchedule.points(stage, moment) {
            for profile in request.plugins {
                guard let entry = profile.hooks[point] else { continue }
                output.line("-- hook \(profile.component)/\(point.rawValue) (\(moment.rawValue) the stage's tasks): would start \(entry)")
            }
        }
    }
}
