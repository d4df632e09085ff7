/// Prints a plan as a table a person reads (P4). JSON goes through `PlanDocument`.
public struct PlanRenderer: Sendable {
    public init() {}

    public func render(_ plan: Plan) -> String {
        var out: [String] = []
        let site = plan.site.map { ", site \($0)" } ?? ""
        out.append("Plan: \(plan.release), \(plan.from) → \(plan.to)\(site)")
        out.append("Mode: \(modeText(plan))")
        for note in plan.notes { out.append("Note: \(note)") }
        guard plan.taskCount > 0 else { return out.joined(separator: "\n") }
        var table = TextTable(headers: ["STAGE", "COMPONENT", "VERSION", "TASK", "KIND", "FILE/PACKAGE", "DATASOURCE", "TX", "TIMEOUT", "ESTIMATE", "COMPATIBILITY"])
        for stage in plan.stages {
            for component in stage.components {
                for planned in component.tasks {
                    let task = planned.task
                    table.add([
                        stage.stage.rawValue, component.component, task.version.description, task.uid, task.kind.rawValue,
                        task.file ?? task.package ?? "-", planned.datasource ?? "-", transactionText(planned), planned.timeout.description,
                        planned.estimate?.duration.description ?? "-", compatibilityText(planned),
                    ])
                }
            }
        }
        out.append("")
        out.append(table.render())
        out.append("")
        let counts = plan.stages.map { "\($0.stage) \($0.taskCount)" }.joined(separator: ", ")
        out.append("\(plan.taskCount) tasks: \(counts)")
        let overridden = plan.tasks.filter { !$0.task.overrides.isEmpty }
        if !overridden.isEmpty {
            out.append("")
            out.append("Overridden by an orchestration file (M3):")
            for planned in overridden {
                let task = planned.task
                for (field, location) in task.overrides.sorted(by: { $0.key < $1.key }) {
                    out.append("  \(task.component) \(task.version) \(task.qualifiedUID): \(field) = \(Self.value(of: field, task)) from \(Self.inRelease(location.file, component: task.component)):\(location.line.map(String.init) ?? "?")")
                }
            }
        }
        let flagged = plan.incompatibleTasks
        if !flagged.isEmpty {
            out.append("")
            out.append("Not compatible with a rolling upgrade from \(plan.from):")
            for planned in flagged {
                let task = planned.task
                let why = planned.compatibility == .needsConfirmation
                    ? "no compatible_version: needs manual confirmation"
                    : "needs \(task.compatibleVersion?.description ?? "?") or later"
                out.append("  \(task.component) \(task.version) \(task.qualifiedUID) — \(task.description) (\(why))")
            }
        }
        return out.joined(separator: "\n")
    }

    /// The override's file from its component folder on: the same whether the release is a
    /// directory or a zip extracted elsewhere (R1).
    private static func inRelease(_ file: String, component: String) -> String {
        guard let range = file.range(of: "/\(component)/upgrade/", options: .backwards) else { return file }
        return String(file[file.index(after: range.lowerBound)...])
    }

    /// The value an override set, as the manifest writes it.
    private static func value(of field: String, _ task: UpgradeTask) -> String {
        switch field {
        case "stage": return task.stage.rawValue
        case "order": return task.order.map(String.init) ?? "-"
        case "depends": return task.depends.joined(separator: ",")
        case "timeout": return task.timeout?.description ?? "-"
        default: return "?"
        }
    }

    private func modeText(_ plan: Plan) -> String {
        switch plan.mode {
        case .nothingToDo: return "nothing to do"
        case .rolling: return "rolling upgrade possible (every task compatible with \(plan.from))"
        case .stopTheWorld:
            let n = plan.incompatibleTasks.count
            return "stop-the-world upgrade (\(n) task\(n == 1 ? "" : "s") not compatible or not annotated)"
        }
    }

    /// E5: say why a SQL task is not one transaction.
    private func transactionText(_ planned: PlannedTask) -> String {
        if planned.transactional { return "yes" }
        guard planned.task.kind == .sql else { return "-" }
        if planned.task.commitsImplicitly == true { return "no (DDL)" }
        if planned.task.transactional == false { return "no" }
        return "no (engine)"
    }

    private func compatibilityText(_ planned: PlannedTask) -> String {
        switch planned.compatibility {
        case .compatible: return "compatible"
        case .incompatible: return "INCOMPATIBLE"
        case .needsConfirmation: return "confirm manually"
        }
    }
}
