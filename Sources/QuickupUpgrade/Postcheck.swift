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
        let rules = try await QualityRecheck.run(
            AssessmentRequest(plan: request.plan, release: request.release, releaseRoot: request.releaseRoot,
                              environment: request.environment, stateDirectory: context.stateDirectory),
            output: context.output, when: "after the upgrade", next: "fix the data and resume the upgrade, or roll it back")
        return StepDetail(values: ["servicesChecked": "\(checked)", "qualityRules": "\(rules)"])
    }
}
