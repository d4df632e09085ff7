import QuickupCore

/// `quickup assess --dry-run`: what the assessment would ask of each datasource — table sizes,
/// volume queries and every rule's counting SQL — without connecting to anything.
public enum AssessmentPreview {
    public static func render(_ request: AssessmentRequest) -> String {
        var log: [String] = []
        let scope = AssessmentScope.build(request, log: &log)
        let env = request.environment
        var out = ["Assessment dry run: \(request.plan.release), \(request.plan.from) → \(request.plan.to); nothing is connected to."]
        let backup = env.backupDir ?? request.stateDirectory
        out.append("Resources: CPU idle, free memory, and free disk for \(Array(Set([backup, request.stateDirectory])).sorted().joined(separator: ", ")) on this machine.")
        for work in scope.work {
            out.append("")
            out.append("== \(work.config.name) (\(work.config.type.rawValue) \(work.config.displayName))")
            for job in work.jobs {
                switch job {
                case .sizes(let tables):
                    out.append("-- sizes of the tables the plan touches: \(tables.joined(separator: ", "))")
                case .volume(let key, let sql):
                    out.append("-- volume of \(key):")
                    out.append("   \(sql)")
                case .rule(let check):
                    out.append("-- rule \(check.id) (\(check.rule.severity.rawValue), threshold \(check.rule.threshold)): \(check.rule.description)")
                    switch check.sql {
                    case .success(let sql): out.append("   \(sql)")
                    case .failure(let error): out.append("   cannot be written: \(error.message)")
                    }
                }
            }
        }
        for check in scope.unrunnable { out.append("-- rule \(check.id): env.yaml has no datasource '\(check.datasource ?? "?")'") }
        for (check, reason) in scope.outOfRange { out.append("-- rule \(check.id): \(reason)") }
        out += log.map { "Note: \($0)" }
        return out.joined(separator: "\n")
    }
}
