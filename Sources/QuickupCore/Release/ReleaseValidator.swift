/// Cross-reference checks of a loaded release (M5): component dependencies, datasources,
/// task dependencies (existence, stage and version direction, cycles). Pure: no I/O.
public struct ReleaseValidator {
    public init() {}

    /// `unknownDatasources`: components whose component.yaml could not be read; their tasks'
    /// datasources are not checked, so the one error naming the cause is not buried under
    /// one follow-on error per task.
    public func validate(_ release: Release, into diagnostics: inout Diagnostics, unknownDatasources: Set<String> = []) {
        let checks = release.components.map { component in
            validate(component, datasourcesKnown: !unknownDatasources.contains(component.name))
        }
        validate(release, into: &diagnostics, componentChecks: checks)
    }

    /// One component's own checks (its datasources and task dependencies): they need nothing
    /// of the other components, so the loader makes them in parallel, while the component is
    /// in hand (P5, issue 20 item 1).
    public func validate(_ component: Component, datasourcesKnown: Bool) -> Diagnostics {
        var diagnostics = Diagnostics()
        if datasourcesKnown { validateDatasources(component, into: &diagnostics) }
        validateDependencies(component, into: &diagnostics)
        return diagnostics
    }

    /// The release's checks, with `componentChecks` (one per component, in release order)
    /// from `validate(_:datasourcesKnown:)`: the same errors in the same order as one pass.
    public func validate(_ release: Release, into diagnostics: inout Diagnostics, componentChecks: [Diagnostics]) {
        let names = Set(release.components.map(\.name))
        for (component, checks) in zip(release.components, componentChecks) {
            for dependency in component.dependsOn where !names.contains(dependency) {
                diagnostics.error("component '\(component.name)' depends on unknown component '\(dependency)'",
                                  at: component.location, hint: "components of this release: \(names.sorted().joined(separator: ", "))")
            }
            diagnostics.merge(checks)
        }
        if let cycle = DependencyGraph(names: release.components.map(\.name),
                                       edges: { name in release.component(named: name)?.dependsOn.filter(names.contains) ?? [] }).cycleOfNames() {
            diagnostics.error("component dependency cycle: \(cycle.joined(separator: " → "))",
                              at: release.components.first?.location, code: .dependencyCycle)
        }
    }

    private func validateDatasources(_ component: Component, into diagnostics: inout Diagnostics) {
        let declared = component.datasources.map(\.name).joined(separator: ", ")
        func check(_ name: String?, field: String, task: UpgradeTask, wantSQL: Bool?) {
            guard let name else { return }
            let location = task.location(of: field)
            guard let ref = component.datasource(named: name) else {
                diagnostics.error("unknown datasource '\(name)'", at: location,
                                  hint: declared.isEmpty ? "component.yaml declares no datasources" : "component.yaml declares: \(declared)")
                return
            }
            if let wantSQL, ref.type.isSQL != wantSQL {
                diagnostics.error("datasource '\(name)' is \(ref.type.rawValue), not usable by a \(task.kind) task", at: location)
            }
        }
        for task in component.tasks {
            switch task.kind {
            case .sql:
                check(task.datasource, field: "datasource", task: task, wantSQL: true)
                if task.datasource == nil, component.defaultDatasource(for: .sql) == nil {
                    diagnostics.error("no SQL datasource for \(task.qualifiedUID)", at: task.location,
                                      hint: "declare one in component.yaml or set .datasource")
                }
            case .redis:
                check(task.datasource, field: "datasource", task: task, wantSQL: false)
                if task.datasource == nil, component.defaultDatasource(for: .redis) == nil {
                    diagnostics.error("no Redis datasource for \(task.qualifiedUID)", at: task.location,
                                      hint: "declare one of type redis in component.yaml or set .datasource")
                }
            case .tool, .config:
                check(task.datasource, field: "datasource", task: task, wantSQL: nil)
            }
            check(task.source, field: "source", task: task, wantSQL: nil)
            // A config task's target is a file or a Nacos data id (K1), not a datasource.
            if task.kind != .config { check(task.target, field: "target", task: task, wantSQL: nil) }
        }
        for rule in component.qualityRules {
            let name = rule.datasource ?? component.defaultDatasource(for: .sql)?.name
            guard let name else {
                diagnostics.error("no SQL datasource for rule '\(rule.uid)'", at: rule.location)
                continue
            }
            if let ref = component.datasource(named: name) {
                if !ref.type.isSQL { diagnostics.error("datasource '\(name)' of rule '\(rule.uid)' is not SQL", at: rule.location) }
            } else {
                diagnostics.error("unknown datasource '\(name)'", at: rule.location.with(key: "rule.\(rule.uid).datasource"),
                                  hint: "component.yaml declares: \(declared)")
            }
        }
    }

    private func validateDependencies(_ component: Component, into diagnostics: inout Diagnostics) {
        // Group indices, not tasks: tasks are large values and a release may hold 100,000 (P5).
        let byVersion = Dictionary(grouping: component.tasks.indices, by: { component.tasks[$0].version })
        for (version, indices) in byVersion {
            let tasks = indices.lazy.map { component.tasks[$0] }
            if tasks.allSatisfy(\.depends.isEmpty) { continue }
            // Each uid's number: the position of its first task in this version (the graph's node).
            let numbers = Dictionary(tasks.enumerated().map { ($1.uid, $0) }, uniquingKeysWith: { first, _ in first })
            var edges = [[Int]](repeating: [], count: indices.count)
            for (position, task) in tasks.enumerated() {
                for uid in task.depends {
                    // Made only for a message: a location is a few strings, and ~100,000
                    // dependencies are checked in a large release (P5, issue 20.1).
                    var location: SourceLocation { task.location(of: "depends") }
                    if let number = numbers[uid] {
                        edges[position].append(number)
                        let dependency = component.tasks[indices[number]]
                        if dependency.stage > task.stage {
                            diagnostics.error(
                                "\(task.qualifiedUID) (\(task.stage)) depends on \(dependency.qualifiedUID), which runs later (\(dependency.stage))",
                                at: location, hint: "move one of them to another stage")
                        }
                    } else if component.tasks.contains(where: { $0.uid == uid && $0.version < version }) {
                        continue  // An earlier version's task always runs first (P3).
                    } else if component.tasks.contains(where: { $0.uid == uid }) {
                        diagnostics.error("\(task.qualifiedUID) depends on '\(uid)', which belongs to a later version", at: location)
                    } else {
                        diagnostics.error("\(task.qualifiedUID) depends on unknown task '\(uid)'", at: location,
                                          hint: "depends lists uids of the same component")
                    }
                }
            }
            // A uid's node is its first task, whose edges are followed; a later task of the same
            // uid (a duplicate, reported by the parser) is never reached.
            let graph = DependencyGraph(starts: tasks.compactMap { numbers[$0.uid] }, edges: edges)
            if let cycle = graph.cycle() {
                let first = component.tasks[indices[cycle[0]]]
                let uids = cycle.map { component.tasks[indices[$0]].uid }
                diagnostics.error("dependency cycle in \(component.name) \(version): \(uids.joined(separator: " → "))",
                                  at: first.location, code: .dependencyCycle)
            }
        }
    }
}


