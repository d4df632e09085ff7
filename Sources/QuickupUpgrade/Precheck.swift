import Foundation
import QuickupAssess
import QuickupCore
import QuickupRun

/// Flow 1 (F1, §4.1.1): the assessment (A1–A4, with host probes from the context's seam) and the
/// components' `business_check` hooks. FAIL stops; WARN asks on a terminal, or needs `--yes`.
struct Precheck: Sendable {
    let request: UpgradeRequest
    let context: UpgradeContext

    func run() async throws(QuickupError) -> StepDetail {
        let hooks = HookProbe(releaseRoot: request.releaseRoot, environment: request.environment, plugins: request.plugins,
                              stateDirectory: context.stateDirectory)
        let assessment = AssessmentRequest(plan: request.plan, release: request.release, releaseRoot: request.releaseRoot,
                                           environment: request.environment, stateDirectory: context.stateDirectory)
        let report = await Assessor(hostProbes: context.hostProbes(request.environment), hooks: hooks).assess(assessment)
        let counts = "\(report.count(.pass)) pass, \(report.count(.warn)) warn, \(report.count(.fail)) fail"
        context.output.line("  assessment: \(report.status.rawValue) (\(counts)); \(report.compatibility.verdict)")
        let problems = report.checks.filter { $0.status == .fail || $0.status == .warn }
        for check in problems { context.output.line("    \(check.status.rawValue) \(check.title): \(check.summary)") }
        if report.status == .fail {
            throw QuickupError(.taskFailed, "the assessment failed: " + problems.filter { $0.status == .fail }.map(\.title).joined(separator: "; "),
                               hint: "fix what FAILs (quickup assess shows the figures and suggestions)")
        }
        if report.status == .warn, !request.yes, !request.acceptWarnings {
            let accepted = await context.confirm?("The assessment has warnings (above). Upgrade anyway") ?? false
            if !accepted {
                throw QuickupError(.taskFailed, "the assessment has warnings: " + problems.map(\.title).joined(separator: "; "),
                                   hint: "review them; add --yes to accept them")
            }
        }
        try await BusinessCheck.run(request: request, context: context, when: "before the upgrade")
        return StepDetail(values: ["assessment": report.status.rawValue, "outageEstimateSeconds": "\(report.outageSeconds)",
                                   "compatibility": report.compatibility.mode.rawValue])
    }
}

/// The components' `business_check` hooks (T5), before and after the upgrade.
enum BusinessCheck {
    static func run(request: UpgradeRequest, context: UpgradeContext, when: String) async throws(QuickupError) {
        let hooks = HookProbe(releaseRoot: request.releaseRoot, environment: request.environment, plugins: request.plugins,
                              stateDirectory: context.stateDirectory)
        let answers = await hooks.run(.businessCheck, plan: request.plan)
        for (component, answer) in answers.sorted(by: { $0.key < $1.key }) {
            switch answer {
            case .success: context.output.line("  business_check of \(component) \(when): ok")
            case .failure(let error):
                throw QuickupError(.taskFailed, "business_check of \(component) \(when) failed: \(error.message)", at: error.location,
                                   hint: error.hint ?? "look at the hook's output in the run log")
            }
        }
    }
}
