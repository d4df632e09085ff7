/// Computes a Plan from a Release: selection (P1), site filters (P2), ordering (P3), compatibility
/// (A3) and static estimates (A4). A pure function of its inputs.
public struct Planner: Sendable {
    public init() {}

    public func plan(_ release: Release, _ request: PlanRequest) throws(QuickupError) -> Plan {
        let from = request.from, to = request.to
        if let supported = release.upgradesFrom, !supported.contains(from) {
            throw QuickupError(.unsupportedFrom, "release \(release.name) cannot upgrade from \(from)",
                               hint: "it supports upgrades from \(supported), per release.yaml upgrades_from")
        }
        if from > to {
            throw QuickupError(.downgrade, "\(from) → \(to) is a downgrade",
                               hint: "quickup does not plan downgrades; use `quickup rollback RUN` to undo a run")
        }
        var plan = Plan(release: release.name, from: from, to: to, site: request.site, mode: .nothingToDo,
                        stages: [], notes: [])
        if from == to {
            plan.notes.append("from and to are both \(from): there is nothing to upgrade")
            return plan
        }
        var perStage: [Stage: [ComponentPlan]] = [:]
        // Components are planned in parallel (P5: 100,000 tasks), merged in release order.
        let parts = ParallelMap.map(release.components.count) { index in
            planned(release.components[index], request)
        }
        for (component, part) in zip(release.components, parts) {
            if let error = part.error { throw error }
            plan.leftOutTasks += part.leftOut
            for (site, count) in part.leftOutBySite { plan.leftOutBySite[site, default: 0] += count }
            for (index, stage) in Stage.allCases.enumerated() where !part.buckets[index].isEmpty {
                perStage[stage, default: []].append(
                    ComponentPlan(component: component.name, after: component.dependsOn, tasks: part.buckets[index]))
            }
        }
        plan.stages = Stage.allCases.compactMap { stage in
            perStage[stage].map { components in
                let present = Set(components.map(\.component))
                return StagePlan(stage: stage, components: components.map { c in
                    var c = c
                    c.after = c.after.filter(present.contains)
                    return c
                })
            }
        }
        if plan.leftOutTasks > 0 {
            let sites = plan.leftOutBySite.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            plan.notes.append("\(plan.leftOutTasks) task\(plan.leftOutTasks == 1 ? " runs" : "s run") only at named sites and \(plan.leftOutTasks == 1 ? "is" : "are") left out "
                + "because no site was given (\(sites)); pass --site or set site in env.yaml to plan them")
        }
        if plan.taskCount == 0 {
            plan.notes.append("no task of \(release.name) applies to \(from) → \(to)" + (request.site.map { " at site \($0)" } ?? ""))
        } else {
            plan.mode = plan.hasIncompatibleTask ? .stopTheWorld : .rolling
        }
        return plan
    }

    /// One component's share of the plan: its selected tasks in order, by stage.
    private struct ComponentPart: Sendable {
        var buckets: [[PlannedTask]] = Array(repeating: [], count: Stage.allCases.count)
        var leftOut = 0
        var leftOutBySite: [String: Int] = [:]
        var error: QuickupError?
    }

    private func planned(_ component: Component, _ request: PlanRequest) -> ComponentPart {
        var part = ComponentPart()
        let from = request.from, to = request.to
        let inRange = component.tasks.filter { $0.version > from && $0.version <= to }
        let selected = inRange.filter { $0.runs(atSite: request.site) }
        if request.site == nil {
            for task in inRange where !task.runs(atSite: nil) {
                part.leftOut += 1
                for site in Set(task.sites ?? []) { part.leftOutBySite[site, default: 0] += 1 }
            }
        }
        guard !selected.isEmpty else { return part }
        do throws(QuickupError) {
            // One pass into per-stage buckets: tasks are large values, copies cost (P5).
            for task in try order(selected, component: component.name) {
                part.buckets[Stage.allCases.firstIndex(of: task.stage) ?? 0].append(plannedTask(task, component: component, request: request))
            }
        } catch {
            part.error = error
        }
        return part
    }

    private func plannedTask(_ task: UpgradeTask, component: Component, request: PlanRequest) -> PlannedTask {
        let estimate = DurationEstimator.estimate(volume: task.volume, rate: task.rate, parallel: task.parallel)
            .map { Estimate(duration: $0, source: .volume) }
        let datasource = task.datasource ?? component.defaultDatasource(for: task.kind)?.name
        let type = datasource.flatMap { component.datasource(named: $0)?.type }
        var planned = PlannedTask(task: task, datasource: datasource, timeout: request.defaults.timeout(for: task),
                                  compatibility: Compatibility.of(task, from: request.from), estimate: estimate)
        planned.transactional = task.kind == .sql && task.transactional != false && type != .clickhouse && type != .redis
            && task.commitsImplicitly != true
        return planned
    }

    /// By version, then `depends` (topological), then order, then file position (P3).
    func order(_ tasks: [UpgradeTask], component: String) throws(QuickupError) -> [UpgradeTask] {
        let byVersion = Dictionary(grouping: tasks, by: \.version).sorted { $0.key < $1.key }
        var result: [UpgradeTask] = []
        result.reserveCapacity(tasks.count)
        for (version, group) in byVersion {
            switch TopologicalOrder.sort(group) {
            case .success(let ordered):
                result += ordered
            case .failure(let cycle):
                throw QuickupError(.dependencyCycle, "dependency cycle in \(component) \(version) involving \(cycle.task.qualifiedUID)",
                                   at: cycle.task.location, hint: "break the cycle in .depends")
            }
        }
        return result
    }
}
