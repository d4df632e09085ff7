import Foundation
import Hummingbird
import HummingbirdAuth
import Logging

/// In front of every route (H1): the bearer token (all but `/v1/healthz`), one JSON error shape
/// for whatever a handler throws, the request counter and an audit line naming the token's
/// entry — never the token, a body or a query value.
struct APIMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let api: QuickupAPI

    static let open: Set<String> = ["/v1/healthz"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        var caller = "-"
        var response: Response
        if api.tokens.isEnabled, !Self.open.contains(path) {
            if let token = request.headers.bearer?.token, let name = api.tokens.authenticate(token) {
                caller = name
                response = await answer(request, context, next)
            } else {
                let reason = request.headers.bearer == nil ? "no bearer token" : "the bearer token is not valid"
                response = (try? APIError(.unauthorized, "unauthorized", reason, hint: "send `Authorization: Bearer <token>` with a token whose line is in the server's --tokens file")
                    .response(from: request, context: context)) ?? Response(status: .unauthorized)
            }
        } else {
            response = await answer(request, context, next)
        }
        let route = Self.route(path)
        api.metrics.request(method: request.method.rawValue, route: route, status: response.status.code)
        if route != "/v1/healthz" {
            api.logger.info("\(request.method.rawValue) \(route) → \(response.status.code)", metadata: ["caller": "\(caller)"])
        }
        return response
    }

    private func answer(_ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response) async -> Response {
        do {
            return try await next(request, context)
        } catch {
            var apiError = APIError.from(error)
            if apiError.status == .notFound, (error as? HTTPError)?.status == .notFound, Self.known.contains(Self.route(request.uri.path)) {
                apiError = APIError(.methodNotAllowed, "method_not_allowed", "\(request.method.rawValue) is not an operation of \(Self.route(request.uri.path))",
                                    hint: "see /openapi.json for the operations")
            } else if apiError.status == .notFound, error is HTTPError {
                apiError = APIError(.notFound, "not_found", "no such endpoint", hint: "see /openapi.json for the operations")
            }
            if apiError.status.code >= 500 {
                api.logger.error("internal error on \(Self.route(request.uri.path)): \(String(describing: type(of: error)))")
            }
            return (try? apiError.response(from: request, context: context)) ?? Response(status: apiError.status)
        }
    }

    /// The route pattern for metrics and logs: ids replaced, unknown paths folded into one label.
    static func route(_ path: String) -> String {
        var parts = path.split(separator: "/").map(String.init)
        if parts.count >= 3, parts[0] == "v1", parts[1] == "runs" { parts[2] = "{id}" }
        let pattern = "/" + parts.joined(separator: "/")
        return known.contains(pattern) ? pattern : "other"
    }

    static let known: Set<String> = [
        "/v1/healthz", "/v1/readyz", "/v1/metrics", "/openapi.json", "/v1/releases", "/v1/assessments", "/v1/plans", "/v1/runs",
        "/v1/runs/{id}", "/v1/runs/{id}/events", "/v1/runs/{id}/cancel", "/v1/runs/{id}/resume", "/v1/runs/{id}/verification",
        "/v1/runs/{id}/rollback", "/v1/runs/{id}/logs", "/v1/runs/{id}/bundle",
    ]
}
