import Foundation
import QuickupAssess
import QuickupCore
import QuickupRemote

/// Flow 5 (F1): every upgraded service healthy and reporting the new version (its version URL,
/// read on the host), then the `business_check` hooks and the data-quality rules (A2) again.
struct Postcheck: Sendable {
    let request: UpgradeRequest
    let context: UpgradeContext
    let scope: UpgradeScope
    let services: ServiceController

    func run() async throws(QuickupError) -> StepDetail {
        var checked = 0
        for deployment in scope.deployments {
            for host in deployment.hosts {
                let service = deployment.service(on: host)
                if let url = service.healthURL {
                    let health = try await services.query("curl -fsS -m 5 -o /dev/null \(ShellQuoting.quote(url))\n", on: host)
                    guard health.ok else {
                        throw QuickupError(.serviceNotReady, "\(deployment.component) on \(host.name) does not answer its health URL \(url) after the upgrade",
                                           at: service.location, hint: "look at the service's log on \(host.name)")
                    }
                }
                if let script = InstallLayout.version(service: service) {
                    let answer = try await services.query(script, on: host)
                    let text = answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    guard answer.ok, let running = Version.parse(text), running == deployment.version else {
                        throw QuickupError(.taskFailed, "\(deployment.component) on \(host.name) reports version '\(text)', expected \(deployment.version)",
                                           at: service.location, hint: "check that the start command runs the program under \(service.installDir ?? "install_dir")/current")
                    }
                    context.output.line("  \(deployment.component) on \(host.name): healthy, version \(running)")
                }
                checked += 1
            }
        }
        try await BusinessCheck.run(request: request, context: context, when: "after the upgrade")
        let rules = try await QualityRecheck.run(request: request, context: context)
        return StepDetail(values: ["servicesChecked": "\(checked)", "qualityRules": "\(rules)"])
    }
}

/// The data-quality rules of the upgrade's versions, on the data as the upgrade left it (A2
/// again, issue 15): a rule that FAILs now stops the post-checks with its figures and
/// suggestion; a WARN is shown. Rules that passed before the upgrade and fail after it point at
/// what the upgrade's scripts did to the data.
enum QualityRecheck {
    static func run(request: UpgradeRequest, context: UpgradeContext) async throws(QuickupError) -> Int {
        let assessment = AssessmentRequest(plan: request.plan, release: request.release, releaseRoot: request.releaseRoot,
                                           environment: request.environment, stateDirectory: context.stateDirectory)
        let checks = await Assessor().qualityRules(assessment).checks
        for check in checks where check.status != .skipped {
            context.output.line("  quality rule \(check.title): \(check.status.rawValue) — \(check.summary)")
        }
        let failed = checks.filter { $0.status == .fail }
        guard failed.isEmpty else {
            let suggestions = failed.compactMap(\.suggestion)
            throw QuickupError(.taskFailed, "data-quality rules fail after the upgrade: "
                               + failed.map { "\($0.title) (\($0.summary))" }.joined(separator: "; "),
                               hint: (suggestions.isEmpty ? "" : "suggested: \(suggestions.joined(separator: "; ")); ")
                                   + "fix the data and resume the upgrade, or roll it back")
        }
        return checks.filter { $0.status != .skipped }.count
    }
}
