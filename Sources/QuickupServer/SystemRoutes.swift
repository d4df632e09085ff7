import Foundation
import Hummingbird
import QuickupCore
import QuickupRun

/// Health, readiness, metrics and the OpenAPI document (H1).
extension QuickupAPI {
    struct Health: Codable {
        var status: String
        var version: String
    }

    struct Readiness: Codable {
        var ready: Bool
        var draining: Bool
        var activeRuns: Int
        var tokens: Int
    }

    func addSystemRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/healthz") { _, _ in
            try JSONBody.response(Health(status: "ok", version: QuickupInfo.version))
        }
        router.get("/v1/readyz") { _, _ in
            _ = try self.journal.runs(limit: 1)
            let ready = Readiness(ready: !self.runs.isDraining, draining: self.runs.isDraining,
                                  activeRuns: self.runs.activeCount, tokens: self.tokens.count)
            return try JSONBody.response(ready, status: ready.ready ? .ok : .serviceUnavailable)
        }
        router.get("/v1/metrics") { _, _ in
            let text = self.metrics.render(runs: try self.journal.runs(limit: 100_000), tasksInFlight: self.runs.tasksInFlight)
            return JSONBody.raw(Data(text.utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.json") { _, _ in
            JSONBody.raw(Data(OpenAPIDocument.json.utf8))
        }
    }
}
