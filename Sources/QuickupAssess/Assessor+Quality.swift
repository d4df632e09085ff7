import QuickupCore

extension Assessor {
    /// The data-quality rules alone (A2), on the live databases: what the post-upgrade checks
    /// (F1 flow 5) and a rollback's verify phase (F4) run again after changing data. Same
    /// scope, connections and results as in `assess`, without sizes, volumes or probes.
    public func qualityRules(_ request: AssessmentRequest) async -> (checks: [CheckResult], log: [String]) {
        var log: [String] = []
        var scope = AssessmentScope.build(request, log: &log)
        scope.work = scope.work.compactMap { work in
            var rulesOnly = work
            rulesOnly.jobs = work.jobs.filter { if case .rule = $0 { true } else { false } }
            return rulesOnly.jobs.isEmpty ? nil : rulesOnly
        }
        let checks = Self.quality(scope, outcomes: await run(scope.work), log: &log)
        return (checks, log)
    }

    /// Every datasource's work at once, each with up to `connectionsPerDatasource` connections.
    func run(_ works: [DatasourceWork]) async -> [String: DatasourceWork.Outcome] {
        let connector = self.connector, width = connectionsPerDatasource
        return await withTaskGroup(of: DatasourceWork.Outcome.self) { group in
            for work in works { group.addTask { await work.run(connector: connector, width: width) } }
            var all: [String: DatasourceWork.Outcome] = [:]
            for await outcome in group { all[outcome.name] = outcome }
            return all
        }
    }

    /// A2's results in the release's rule order: run, unrunnable (no such datasource) and out of
    /// their `versions` range; every SKIPPED one logged.
    static func quality(_ scope: AssessmentScope, outcomes: [String: DatasourceWork.Outcome], log: inout [String]) -> [CheckResult] {
        var quality = outcomes.values.flatMap(\.rules)
        for check in scope.unrunnable { quality.append(check.skipped("env.yaml has no datasource '\(check.datasource ?? "?")'")) }
        let order = Dictionary(scope.checks.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        quality.sort { (order[$0.id] ?? 0) < (order[$1.id] ?? 0) }
        quality += scope.outOfRange.map { $0.check.skipped($0.reason) }
        for result in quality where result.status == .skipped { log.append("rule \(result.id) SKIPPED: \(result.summary)") }
        return quality
    }
}
