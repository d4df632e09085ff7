import QuickupCore
import QuickupRun

/// The data-quality rules of an upgrade's versions (A2) run again on the data as it is now — after
/// the upgrade (its post-checks, issue 15) or after its rollback (the rollback's verify, F4). A
/// rule that FAILs stops with its figures and suggestion; a WARN is shown. Rules that passed
/// before the upgrade and fail now point at what was done to the data since.
public enum QualityRecheck {
    /// - Parameters:
    ///   - when: "after the upgrade", "after the rollback".
    ///   - next: the hint's last part: what the operator does once the data is fixed.
    /// - Returns: how many rules ran (not skipped).
    public static func run(_ assessment: AssessmentRequest, output: RunOutput, when: String, next: String) async throws(QuickupError) -> Int {
        let checks = await Assessor().qualityRules(assessment).checks
        for check in checks where check.status != .skipped {
            output.line("  quality rule \(check.title): \(check.status.rawValue) — \(check.summary)")
        }
        let failed = checks.filter { $0.status == .fail }
        guard failed.isEmpty else {
            let suggestions = failed.compactMap(\.suggestion)
            throw QuickupError(.taskFailed, "data-quality rules fail \(when): "
                               + failed.map { "\($0.title) (\($0.summary))" }.joined(separator: "; "),
                               hint: (suggestions.isEmpty ? "" : "suggested: \(suggestions.joined(separator: "; ")); ") + next)
        }
        return checks.filter { $0.status != .skipped }.count
    }
}
