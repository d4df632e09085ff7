/// Prints a plan as a table a person reads (P4). JSON goes through `PlanDocument`.
public struct PlanRenderer: Sendable {
    public init() {}

    public func render(_ plan: Plan) -> String {
        var text = ""
        render(plan, to: &text)
        return text
    }

    /// Writes what `render(_:)` returns, a line at a time (no line break after the last), so
    /// the plan of 100,000 tasks is never one string (issue 20 item 1).
    public func render<Out: TextOutputStream>(_ plan: Plan, to out: inout Out) {
        var first = true
        func line(_ text: String) {
            if !first { out.write("\n") }
            first = false
            out.write(text)
        }
        let site = plan.site.map { ", site \($0)" } ?? ""
        line("Plan: \(plan.release), \(plan.from) → \(plan.to)\(site)")
        line("Mode: \(modeText(plan))")
        for note in plan.notes { line("Note: \(note)") }
        guard plan.taskCount > 0 else { return }
        let headers = Self.headers
        // Two passes, as TextTable pads: measure every row, then write each — both a component
        // at a time on every core (P5: 100,000 tasks), the text still never one string.
        let parts = plan.stages.flatMap { stage in stage.components.map { (stage.stage, $0) } }
        // Each part also makes its lines of the two lists after the table (plan order kept).
        let measured = ParallelMap.map(parts.count) { index in
            let (stage, component) = parts[index]
            let rows = rows(stage, component)
            return (rows: rows, widths: TextTable.widths(headers: headers, rows: rows),
                    overridden: component.tasks.flatMap(Self.overrideLines), incompatible: component.tasks.compactMap(Self.incompatibleLine))
        }
        let widths = measured.reduce(headers.map(TextTable.width)) { widths, part in zip(widths, part.widths).map { max($0, $1) } }
        let texts = ParallelMap.map(measured.count) { index in
            measured[index].rows.map { TextTable.line($0, widths: widths) }.joined(separator: "\n")
        }
        line("")
        line(TextTable.line(headers, widths: widths))
        for (text, part) in zip(texts, measured) where !part.rows.isEmpty { line(text) }
        line("")
        let counts = plan.stages.map { "\($0.stage) \($0.taskCount)" }.joined(separator: ", ")
        line("\(plan.taskCount) tasks: \(counts)")
        if measured.contains(where: { !$0.overridden.isEmpty }) {
            line("")
            line("Overridden by an orchestration file (M3):")
            for part in measured { part.overridden.forEach(line) }
        }
        guard measured.contains(where: { !$0.incompatible.isEmpty }) else { return }
        line("")
        line("Not compatible with a rolling upgrade from \(plan.from):")
        for part in measured { part.incompatible.forEach(line) }
    }

    /// A task's lines in the list of overridden fields.
    private static func overrideLines(_ planned: PlannedTask) -> [String] {
        let task = planned.task
        guard !task.overrides.isEmpty else { return [] }
        return task.overrides.sorted(by: { $0.key < $1.key }).map { field, location in
            "  \(task.component) \(task.version) \(task.qualifiedUID): \(field) = \(Self.value(of: field, task)) from \(Self.inRelease(location.file, component: task.component)):\(location.line.map(String.init) ?? "?")"
        }
    }

    /// A task's line in the list of tasks not compatible with a rolling upgrade, if it is one.
    private static func incompatibleLine(_ planned: PlannedTask) -> String? {
        guard planned.compatibility != .compatible else { return nil }
        let task = planned.task
        let why = planned.compatibility == .needsConfirmation
            ? "no compatible_version: needs manual confirmation"
            : "needs \(task.compatibleVersion?.description ?? "?") or later"
        return "  \(task.component) \(task.version) \(task.qualifiedUID) — \(task.description) (\(why))"
    }

    /// Every planned task in plan order, without copying them into one array.
    private func forEachTask(_ plan: Plan, _ body: (PlannedTask) -> Void) {
        for stage in plan.stages {
            for component in stage.components {
                for planned in component.tasks { body(planned) }
            }
        }
    }

    static let headers = ["STAGE", "COMPONENT", "VERSION", "TASK", "KIND", "FILE/PACKAGE", "DATASOURCE", "TX", "TIMEOUT", "ESTIMATE", "COMPATIBILITY"]

    /// The table's rows, each task's cells.
    func forEachRow(_ plan: Plan, _ body: ([String]) -> Void) {
        for stage in plan.stages {
            for component in stage.components {
                for row in rows(stage.stage, component) { body(row) }
            }
        }
    }

    /// One component's rows in one stage.
    private func rows(_ stage: Stage, _ component: ComponentPlan) -> [[String]] {
        component.tasks.map { planned in
            let task = planned.task
            return [
                stage.rawValue, component.component, task.version.description, task.uid, task.kind.rawValue,
                task.file ?? task.package ?? "-", planned.datasource ?? "-", transactionText(planned), planned.timeout.description,
                planned.estimate?.duration.description ?? "-", compatibilityText(planned),
            ]
        }
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
            var n = 0
            forEachTask(plan) { if $0.compatibility != .compatible { n += 1 } }
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
