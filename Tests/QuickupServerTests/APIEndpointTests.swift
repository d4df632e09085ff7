import Foundation
import QuickupTestSupport
import Testing

/// Every endpoint of `quickup serve` through real HTTP on loopback (H1, issue 17): success and
/// error paths, one JSON error shape, a run started by the API followed to its end by SSE.
@Suite("HTTP API endpoints (H1, issue 17)", .serialized)
struct APIEndpointTests {
    @Test("health needs no token and says ok; the OpenAPI document is JSON and lists every route the server has")
    func healthAndDocument() async throws {
        let tree = try TemporaryTree("qu-api-doc")
        defer { tree.remove() }
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let health = try await server.call(.GET, "/v1/healthz", token: .some(nil))
        #expect(try health.status == 200 && (health.json()["status"] as? String) == "ok")
        let doc = try await server.call(.GET, "/openapi.json")
        let paths = try #require(try doc.json()["paths"] as? [String: Any])
        #expect((try doc.json()["openapi"] as? String) == "3.1.0")
        // Each documented operation answers something other than "no such endpoint".
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys {
                let concrete = path.replacingOccurrences(of: "{id}", with: "20260101-000000-abcd")
                let answer = try await server.call(method == "get" ? .GET : .POST, concrete, json: method == "post" ? [:] as [String: Any] : nil)
                #expect(try answer.status != 404 || (answer.json()["code"] as? String) != "not_found", "\(method) \(path) is documented but not served")
            }
        }
    }

    @Test("401 without a token and with a wrong one on every documented operation but health; the error is the JSON shape with a hint")
    func unauthorized() async throws {
        let tree = try TemporaryTree("qu-api-401")
        defer { tree.remove() }
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let paths = try #require(try await server.call(.GET, "/openapi.json").json()["paths"] as? [String: [String: Any]])
        for (path, item) in paths where path != "/v1/healthz" {
            for method in item.keys {
                let concrete = path.replacingOccurrences(of: "{id}", with: "20260101-000000-abcd")
                for token in [nil, "wrong", server.token + "x"] as [String?] {
                    let answer = try await server.call(method == "get" ? .GET : .POST, concrete, json: method == "post" ? [:] as [String: Any] : nil,
                                                       token: .some(token))
                    #expect(answer.status == 401, "\(method) \(path) with \(token == nil ? "no token" : "a wrong token"): \(answer.status)")
                    let body = try answer.json()
                    #expect(body["code"] as? String == "unauthorized" && body["hint"] is String, "\(answer.text)")
                    #expect(answer.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
                }
            }
        }
    }

    @Test("a run started by the API: 202 with its id, events in order ending with run_end, status, history, logs, bundle; then rollback and resume")
    func runThroughTheAPI() async throws {
        let tree = try TemporaryTree("qu-api-run")
        defer { tree.remove() }
        let (zip, env) = try APIRelease.sqlite(tree)
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let release = try await APIRelease.upload(server, zip)
        let listed = try await server.call(.GET, "/v1/releases").json()["releases"] as? [[String: Any]]
        #expect(listed?.first?["id"] as? String == release && listed?.first?["name"] as? String == "api-test")

        let plan = try await server.call(.POST, "/v1/plans", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"])
        #expect(plan.status == 200 && plan.text.contains("sql.a") && plan.text.contains("post_start"), "\(plan.text)")
        let dry = try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1", "dryRun": true])
        #expect(dry.status == 200 && dry.text.contains("CREATE TABLE t"), "\(dry.text)")

        let started = try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1", "stage": "pre_stop"])
        #expect(started.status == 202, "\(started.text)")
        let runID = try #require(try started.json()["runId"] as? String)
        let events = try await SSEMessage.read(server, "/v1/runs/\(runID)/events")
        #expect(events.map(\.id) == Array(1...events.count).map(Optional.some), "ids are the detail log's line numbers, in order")
        #expect(events.first?.event == "run_start" && events.last?.event == "run_end", "\(events.map(\.event))")
        let ends = events.filter { $0.event == "task_end" }.map(\.data)
        #expect(ends.count == 2 && ends[0].contains("sql.a") && ends[1].contains("sql.b"), "\(ends)")
        #expect(events.last?.data.contains("\"status\":\"succeeded\"") == true, "\(events.last?.data ?? "")")

        let status = try await server.call(.GET, "/v1/runs/\(runID)").json()
        #expect((status["run"] as? [String: Any])?["status"] as? String == "succeeded")
        #expect((status["attempts"] as? [[String: Any]])?.count == 2)
        let history = try await server.call(.GET, "/v1/runs?limit=5").json()["runs"] as? [[String: Any]]
        #expect(history?.first?["id"] as? String == runID)
        let page = try await server.call(.GET, "/v1/runs/\(runID)/logs?kind=detail&limit=2").json()
        #expect((page["lines"] as? [Any])?.count == 2 && page["next"] as? Int == 2, "\(page)")
        let rest = try await server.call(.GET, "/v1/runs/\(runID)/logs?kind=detail&after=2&limit=1000").json()
        #expect((rest["lines"] as? [Any])?.count == events.count - 2 && rest["next"] == nil)
        let summary = try await server.call(.GET, "/v1/runs/\(runID)/logs").json()
        #expect(((summary["lines"] as? [[String: Any]]) ?? []).contains { ($0["text"] as? String)?.contains("Run \(runID)") == true })
        let bundle = try await server.call(.GET, "/v1/runs/\(runID)/bundle?env=\(env)")
        #expect(bundle.status == 200 && bundle.headers.first(name: "Content-Type") == "application/zip" && bundle.body.starts(with: [0x50, 0x4B]))

        // Resume of a run that succeeded: nothing to do. Cancel of a finished run: 409.
        let resume = try await server.call(.POST, "/v1/runs/\(runID)/resume", json: ["release": release, "env": env])
        #expect(try resume.status == 200 && (resume.json()["status"] as? String) == "succeeded", "\(resume.text)")
        let cancel = try await server.call(.POST, "/v1/runs/\(runID)/cancel")
        #expect(try cancel.status == 409 && (cancel.json()["code"] as? String) == "not_running", "\(cancel.text)")
        let gate = try await server.call(.POST, "/v1/runs/\(runID)/verification", json: ["decision": "continue"])
        #expect(try gate.status == 409 && (gate.json()["code"] as? String) == "not_awaiting_verification" && gate.text.contains("stage run"), "\(gate.text)")

        let rollback = try await server.call(.POST, "/v1/runs/\(runID)/rollback", json: ["release": release, "env": env])
        #expect(rollback.status == 202, "\(rollback.text)")
        let rollbackID = try #require(try rollback.json()["runId"] as? String)
        let rolled = try await server.waitForEnd(rollbackID)
        #expect(rolled["status"] as? String == "succeeded" && rolled["stage"] as? String == "rollback", "\(rolled)")

        let metrics = try await server.call(.GET, "/v1/metrics").text
        for name in ["quickup_runs{status=\"succeeded\"}", "quickup_task_duration_seconds_bucket", "quickup_tasks_in_flight", "quickup_http_requests_total{"] {
            #expect(metrics.contains(name), "\(name) missing from /v1/metrics")
        }
    }

    @Test("bad input: one JSON error shape with the CLI's codes — bad run id, unknown run, bad query, bad body, bad version, unknown release, unknown service, 405")
    func badInput() async throws {
        let tree = try TemporaryTree("qu-api-bad")
        defer { tree.remove() }
        let (zip, env) = try APIRelease.sqlite(tree)
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let release = try await APIRelease.upload(server, zip)
        let cases: [(ServeProcess.Answer, Int, String)] = [
            (try await server.call(.GET, "/v1/runs/..%2Fetc"), 400, "invalid_argument"),
            (try await server.call(.GET, "/v1/runs/20260101-000000-abcd"), 404, "invalid_argument"),
            (try await server.call(.GET, "/v1/runs?limit=0"), 400, "invalid_argument"),
            (try await server.call(.GET, "/v1/runs?limit=abc"), 400, "invalid_argument"),
            (try await server.call(.POST, "/v1/runs", body: Data("{not json".utf8)), 400, "invalid_argument"),
            (try await server.call(.POST, "/v1/runs", json: ["release": release]), 400, "invalid_argument"),
            (try await server.call(.POST, "/v1/plans", json: ["release": release, "from": "one", "to": "V1.0.1"]), 400, "invalid_version"),
            (try await server.call(.POST, "/v1/plans", json: ["release": "0123456789abcdef", "from": "V1.0.0", "to": "V1.0.1"]), 404, "file_not_found"),
            (try await server.call(.POST, "/v1/plans", json: ["release": "../../etc", "from": "V1.0.0", "to": "V1.0.1"]), 400, "invalid_argument"),
            (try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1", "service": "nope"]), 400, "invalid_argument"),
            (try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1", "stage": "later"]), 400, "invalid_argument"),
            (try await server.call(.POST, "/v1/runs", json: ["release": release, "env": "\(tree.path)/missing.yaml", "from": "V1.0.0", "to": "V1.0.1"]), 400, "file_not_found"),
            (try await server.call(.POST, "/v1/runs", body: Data(repeating: 0x20, count: 2 << 20)), 413, "too_large"),
            (try await server.call(.DELETE, "/v1/runs"), 405, "method_not_allowed"),
            (try await server.call(.GET, "/v1/nothing"), 404, "not_found"),
        ]
        for (answer, status, code) in cases {
            #expect(answer.status == status, "\(answer.status) \(answer.text)")
            let body = try answer.json()
            #expect(body["code"] as? String == code && body["message"] is String, "\(answer.text)")
        }
        // A hint an API caller can follow: the request's field, not the CLI's flag.
        let missingEnv = try await server.call(.POST, "/v1/assessments", json: ["release": release, "env": "\(tree.path)/missing.yaml", "from": "V1.0.0", "to": "V1.0.1"])
        let hint = try #require(try missingEnv.json()["hint"] as? String)
        #expect(missingEnv.status == 400 && hint.contains("`env`") && !hint.contains("--env"), "\(missingEnv.text)")
    }

    @Test("tokens: --hash-token prints the file's line; a token removed from the file and SIGHUP → 401; a file that no longer parses keeps the tokens")
    func tokenReload() async throws {
        let tree = try TemporaryTree("qu-api-hup")
        defer { tree.remove() }
        let hash = try ChildProcess.run([ServeProcess.executable.path, "serve", "--hash-token", "--token-name", "second"],
                                        input: .data(Data("second-token\n".utf8)))
        let line = hash.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("sha256:") && line.hasSuffix(" second") && !line.contains("second-token"), "\(line)")

        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        try (line + "\n").write(toFile: server.tokensFile, atomically: true, encoding: .utf8)
        let before = try await server.call(.GET, "/v1/runs").status
        #expect(before == 200, "before SIGHUP the old token still works")
        server.process.send(SIGHUP)
        var status = 200
        for _ in 0..<200 where status == 200 {
            status = try await server.call(.GET, "/v1/runs").status
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(status == 401, "the removed token is refused after SIGHUP")
        let second = try await server.call(.GET, "/v1/runs", token: "second-token").status
        #expect(second == 200)
        try "garbage\n".write(toFile: server.tokensFile, atomically: true, encoding: .utf8)
        server.process.send(SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        let kept = try await server.call(.GET, "/v1/runs", token: "second-token").status
        #expect(kept == 200, "a broken file keeps the tokens")
        #expect(server.logText.contains("tokens file not re-read"), "\(server.logText)")
        #expect(!server.logText.contains("second-token"))
    }

    @Test("listen: a non-loopback address without --tokens is refused (exit 2)")
    func refusesOpenListen() throws {
        let process = try ChildProcess.run([ServeProcess.executable.path, "serve", "--listen", "0.0.0.0:0",
                                            "--state", FileManager.default.temporaryDirectory.path + "/qu-api-none"])
        let text = process.stderr
        #expect(process.status == 2 && text.contains("not a loopback address") && text.contains("--tokens"), "\(text)")
    }
}
