import Foundation
import HTTPTypes
import Hummingbird
import QuickupAssess
import QuickupCore
import QuickupOperations

/// `POST /v1/plans` and `POST /v1/assessments` (P1–P6, A1–A4 through H1): the same plan JSON as
/// `quickup plan --json`, the same report as `quickup assess --json`.
extension QuickupAPI {
    func addPlanRoutes(to router: Router<BasicRequestContext>) {
        router.post("/v1/plans") { request, _ in
            let body = try await self.decode(UpgradeBody.self, request)
            let (from, to) = try body.versions()
            let workspace = try self.workspace(release: body.release, env: body.env)
            let plan = try ServiceFilter.apply(body.service, to: try workspace.plan(from: from, to: to, site: body.site))
            return try JSONBody.response(PlanDocument(plan))
        }
        router.post("/v1/assessments") { request, _ in
            let body = try await self.decode(UpgradeBody.self, request)
            let (from, to) = try body.versions()
            guard let env = body.env else {
                throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "an assessment needs `env`, the site's env.yaml",
                               hint: "the datasources and thresholds to check come from it")
            }
            let workspace = try self.workspace(release: body.release, env: env)
            guard let environment = workspace.environment else {
                throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "an assessment needs `env`, the site's env.yaml")
            }
            let plan = try ServiceFilter.apply(body.service, to: try workspace.plan(from: from, to: to, site: body.site))
            let logger = self.logger
            let report = try await AssessOperation.run(workspace: workspace, environment: environment, plan: plan, state: self.state,
                                                       html: nil, warn: { logger.warning("\($0)") })
            self.metrics.assessment(report.status.rawValue)
            var response = JSONBody.raw(try JSONOutput.encode(report))
            // The verdict where a pipeline's shell reads it without a JSON parser.
            if let name = HTTPField.Name("Quickup-Assessment") { response.headers[name] = report.status.rawValue }
            return response
        }
    }
}
