import QuickupCore

/// The seed's "升级服务名": a run or assessment limited to one service (component), H1. The plan
/// keeps that component's tasks only; `after` edges to components left out are dropped, since
/// those components are not part of this run.
public enum ServiceFilter {
    public static func apply(_ service: String?, to plan: Plan) throws(QuickupError) -> Plan {
        guard let service else { return plan }
        let known = Set(plan.stages.flatMap { $0.components.map(\.component) })
        guard known.contains(service) else {
            throw QuickupError(.invalidArgument, "service '\(service)' has no task in the plan of \(plan.release) \(plan.from) → \(plan.to)",
                               hint: "expected one of: \(known.sorted().joined(separator: ", "))")
        }
        var plan = plan
        plan.stages = plan.stages.compactMap { stage in
            var stage = stage
            stage.components = stage.components.filter { $0.component == service }.map { component in
                var component = component
                component.after = []
                return component
            }
            return stage.components.isEmpty ? nil : stage
        }
        return plan
    }
}
