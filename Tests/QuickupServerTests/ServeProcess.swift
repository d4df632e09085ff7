import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import QuickupRelease
import QuickupServer
import QuickupTestSupport

/// A real `quickup serve` process on a free loopback port (H1), with its stderr (the server log)
/// in a file, a tokens file holding one token, and a state directory of its own.
final class ServeProcess: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    /// `https` when served with --tls-cert/--tls-key.
    let scheme: String
    let token: String
    let tokensFile: String
    let state: String

    var base: String { "\(scheme)://127.0.0.1:\(port)" }

    static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["QUICKUP_BIN"] { return URL(fileURLWithPath: override) }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("quickup")
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// `tokens: false` serves without a tokens file (loopback lets everything through).
    init(in tree: TemporaryTree, state: String? = nil, tokens: Bool = true, extra: [String] = [],
         environment: [String: String] = [:]) throws {
        self.state = state ?? "\(tree.path)/state"
        token = "t-\(UUID().uuidString)"
        tokensFile = "\(tree.path)/tokens-\(UUID().uuidString.prefix(8))"
        try (TokenStore.line(for: token, name: "ci") + "\n").write(toFile: tokensFile, atomically: true, encoding: .utf8)
        process = try ChildProcess.start(
            [Self.executable.path, "serve", "--listen", "127.0.0.1:0", "--state", self.state, "--grace", "5"]
                + (tokens ? ["--tokens", tokensFile] : []) + extra,
            environment: environment.isEmpty ? nil : ChildProcess.environment(adding: environment), combined: true)
        let started = ContinuousClock.now
        var found: Int?
        var scheme = "http"
        while found == nil {
            let text = process.stdout
            if let range = text.range(of: "listening on http://127.0.0.1:") ?? text.range(of: "listening on https://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
                if text[..<range.upperBound].hasSuffix("https://127.0.0.1:") { scheme = "https" }
            } else if let exit = process.poll() {
                throw Failure(description: "quickup serve exited \(exit.status): \(text)")
            } else if started.duration(to: .now) > .seconds(120) {
                process.stop()
                throw Failure(description: "quickup serve did not start: \(text)")
            } else {
                usleep(20_000)
            }
        }
        port = found ?? 0
        self.scheme = scheme
    }

    /// What the server wrote (stdout and stderr).
    var logText: String { process.stdout }

    /// SIGTERM and wait: the graceful shutdown.
    @discardableResult
    func stop() -> Int32 {
        process.send(SIGTERM)
        return process.wait().status
    }

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw Failure(description: "not a JSON object: \(text)") }
            return object
        }
    }

    /// One request; `token: nil` sends none, `.some(x)` sends `Bearer x`; default the good token.
    func call(_ method: HTTPMethod, _ path: String, json: Any? = nil, body: Data? = nil, token: String?? = .none,
              headers: [(String, String)] = [], contentType: String = "application/json") async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        let bearer: String? = switch token { case .none: self.token; case .some(let value): value }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
            request.headers.add(name: "Content-Type", value: "application/json")
        } else if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let buffer = try await response.body.collect(upTo: 256 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
    }

    /// Polls the run until it is no longer running; returns its final record.
    func waitForEnd(_ runID: String) async throws -> [String: Any] {
        let started = ContinuousClock.now
        while true {
            let answer = try await call(.GET, "/v1/runs/\(runID)?view=summary")
            let run = try answer.json()["run"] as? [String: Any] ?? [:]
            if let status = run["status"] as? String, status != "running" { return run }
            if started.duration(to: .now) > .seconds(300) { throw Failure(description: "run \(runID) did not end") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Server-sent events as a client reads them: id, event and data per message.
struct SSEMessage: Equatable {
    var id: Int?
    var event: String
    var data: String

    /// Reads the stream of `path` until it ends (after `run_end`) or `stopAfter` messages.
    static func read(_ server: ServeProcess, _ path: String, lastEventID: Int? = nil, stopAfter: Int = .max) async throws -> [SSEMessage] {
        var request = HTTPClientRequest(url: server.base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(server.token)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        guard response.status == .ok else { throw ServeProcess.Failure(description: "events: \(response.status)") }
        var messages: [SSEMessage] = []
        var pending = ""
        var current = SSEMessage(id: nil, event: "message", data: "")
        for try await buffer in response.body {
            pending += String(buffer: buffer)
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending = String(pending[pending.index(after: newline)...])
                if line.isEmpty {
                    if !current.data.isEmpty || current.id != nil {
                        messages.append(current)
                        if messages.count >= stopAfter { return messages }
                    }
                    current = SSEMessage(id: nil, event: "message", data: "")
                } else if line.hasPrefix("id: ") {
                    current.id = Int(line.dropFirst(4))
                } else if line.hasPrefix("event: ") {
                    current.event = String(line.dropFirst(7))
                } else if line.hasPrefix("data: ") {
                    current.data += String(line.dropFirst(6))
                }
            }
        }
        return messages
    }
}

/// Releases for the API tests, packed with `quickup pack`'s packer into a zip to upload.
enum APIRelease {
    /// Component `app` on an SQLite datasource: two SQL tasks in pre_stop (the first with a
    /// rollback script) and one in post_start.
    /// `brokenPostStart`: the post_start script fails (a table that does not exist).
    static func sqlite(_ tree: TemporaryTree, site: String = "API", secret: String = "canary-not-a-secret",
                       brokenPostStart: Bool = false) throws -> (zip: String, env: String) {
        try tree.write("release/release.yaml", "name: api-test\n")
        try tree.write("release/app/component.yaml", "datasources:\n  - name: db\n    type: sqlite\n")
        try tree.write("release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
            sql.a.id=A
            sql.a.description=create
            sql.a.file=sql/a.sql
            sql.a.stage=pre_stop
            sql.a.datasource=db
            sql.a.rollback=sql/a_undo.sql
            sql.b.id=B
            sql.b.description=insert
            sql.b.file=sql/b.sql
            sql.b.stage=pre_stop
            sql.b.datasource=db
            sql.b.depends=a
            sql.b.rollback=sql/b_undo.sql
            sql.c.id=C
            sql.c.description=index
            sql.c.file=sql/c.sql
            sql.c.stage=post_start
            sql.c.datasource=db
            """)
        try tree.write("release/app/upgrade/V1.0.1/sql/a.sql", "CREATE TABLE t (x INT);")
        try tree.write("release/app/upgrade/V1.0.1/sql/a_undo.sql", "DROP TABLE t;")
        try tree.write("release/app/upgrade/V1.0.1/sql/b.sql", "INSERT INTO t VALUES (1);")
        try tree.write("release/app/upgrade/V1.0.1/sql/b_undo.sql", "DELETE FROM t;")
        try tree.write("release/app/upgrade/V1.0.1/sql/c.sql", brokenPostStart ? "CREATE INDEX t_x ON missing (x);" : "CREATE INDEX t_x ON t (x);")
        try tree.write("env.yaml", """
            site: \(site)
            datasources:
              db: {type: sqlite, path: \(tree.path)/app.db, password: \(secret)}
            """)
        try tree.write("app.db", "")
        let zip = "\(tree.path)/release.zip"
        _ = try ReleasePacker().pack(directory: "\(tree.path)/release", to: zip)
        return (zip, "\(tree.path)/env.yaml")
    }

    /// Uploads `zip`; returns the release id.
    static func upload(_ server: ServeProcess, _ zip: String) async throws -> String {
        let answer = try await server.call(.POST, "/v1/releases", body: try Data(contentsOf: URL(fileURLWithPath: zip)), contentType: "application/zip")
        guard answer.status == 201, let id = try answer.json()["id"] as? String else {
            throw ServeProcess.Failure(description: "upload: \(answer.status) \(answer.text)")
        }
        return id
    }
}
