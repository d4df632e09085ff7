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
                let check = ServiceCheck(component: deployment.component, host: host, service: deployment.service(on: host),
                                         services: services, when: "after the upgrade")
                if let running = try await check.run(expecting: deployment.version) {
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
