import Foundation
import Hummingbird
import QuickupCore
import QuickupOperations
import QuickupRun

/// A run's progress as server-sent events, its logs in pages, and its support bundle (E9, E10,
/// L1 through H1). All read what the run writes under `runs/<id>/`, so CLI runs are served too.
extension QuickupAPI {
    struct LogLine: Codable {
        var n: Int
        var text: String
    }

    struct LogPage: Codable {
        var runId: String
        var kind: String
        var lines: [LogLine]
        /// Pass as `after` for the next page; absent when this page reached the end so far.
        var next: Int?
    }

    func addRunOutputRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/runs/:id/events") { request, context in
            let id = try self.runID(context)
            _ = try self.record(id)
            let after = try Self.lastEventID(request) ?? Query.int(request, "after", default: 0, range: 0...Int(Int32.max))
            let events = RunEvents(state: self.state, runID: id)
            let journal = self.journal
            let body = ResponseBody { writer in
                var cursor = RunEvents.Cursor()
                var quietPolls = 0
                streaming: while !Task.isCancelled {
                    let (batch, next) = events.follow(cursor, skip: after)
                    cursor = next
                    for event in batch {
                        try await writer.write(ByteBuffer(string: "id: \(event.id)\nevent: \(event.kind)\ndata: \(event.json)\n\n"))
                        if event.kind == "run_end" { break streaming }
                    }
                    if batch.isEmpty {
                        quietPolls += 1
                        // Every second without news: end when the run is over (a run that died
                        // without its last line), else a comment keeps proxies from timing out.
                        if quietPolls % 100 == 0 {
                            if let record = try? journal.run(id), record.status != .running, events.follow(cursor).0.isEmpty { break }
                            try await writer.write(ByteBuffer(string: ": waiting\n\n"))
                        }
                        try await Task.sleep(for: .milliseconds(10))
                    } else {
                        quietPolls = 0
                    }
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
        router.get("/v1/runs/:id/logs") { request, context in
            let id = try self.runID(context)
            _ = try self.record(id)
            let kind = try Query.word(request, "kind", default: "summary", allowed: ["summary", "detail"])
            let after = try Query.int(request, "after", default: 0, range: 0...Int(Int32.max))
            let limit = try Query.int(request, "limit", default: 500, range: 1...5000)
            let events = RunEvents(state: self.state, runID: id)
            let lines = kind == "summary"
                ? events.summary(after: after, limit: limit + 1).map { LogLine(n: $0.0, text: $0.1) }
                : events.events(after: after, limit: limit + 1).map { LogLine(n: $0.id, text: $0.json) }
            let page = Array(lines.prefix(limit))
            return try JSONBody.response(LogPage(runId: id, kind: kind, lines: page, next: lines.count > limit ? page.last?.n : nil))
        }
        router.get("/v1/runs/:id/bundle") { request, context in
            let id = try self.runID(context)
            _ = try self.record(id)
            let env: String? = request.uri.queryParameters.get("env").map { String($0) }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-bundle-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = "\(directory)/quickup-bundle-\(id).zip"
            _ = try BundleOperation.write(state: self.state, run: id, env: env, to: file)
            guard let data = FileManager.default.contents(atPath: file) else {
                throw QuickupError(.io, "the bundle was written but cannot be read back", hint: "check the temp directory")
            }
            var response = JSONBody.raw(data, contentType: "application/zip")
            response.headers[.contentDisposition] = "attachment; filename=\"quickup-bundle-\(id).zip\""
            return response
        }
    }

    /// `Last-Event-ID`: the last event a reconnecting client saw.
    static func lastEventID(_ request: Request) throws -> Int? {
        guard let text = request.headers.first(where: { $0.name.canonicalName == "last-event-id" })?.value else { return nil }
        guard let id = Int(text), id >= 0 else {
            throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "invalid Last-Event-ID header",
                           hint: "send back the `id:` of the last event received, a non-negative integer")
        }
        return id
    }
}
