import Foundation
import QuickupRelease
import QuickupTestSupport
import Testing

/// The verification gate's pause through the API (F1, E6, H1; issue 15), over real HTTP: while
/// an upgrade waits at the gate, a new `POST /v1/upgrades` or `POST /v1/runs` of the site answers
/// 409 naming it and its two ways on; two `continue` decisions sent together give exactly one
/// 202, the other 409 naming the continuation that runs. Ordered by events: the business_check
/// hook holds the continuation (in its post-checks) while `hold` exists.
@Suite("An upgrade paused at the verification gate through the API (issue 15)", .serialized)
struct UpgradePauseAPITests {
    @Test("paused: new upgrade or run → 409 naming it; two continues at once → one 202, one 409 naming the holder", .timeLimit(.minutes(10)))
    func pauseRefusesAndOneContinuation() async throws {
        let tree = try TemporaryTree("qu-api-pause")
        defer { tree.remove() }
        let (_, env) = try APIRelease.sqlite(tree)
        try tree.write("env.yaml", try String(contentsOfFile: env, encoding: .utf8) + "\nthresholds: {cpu_idle_min: 0}\n")
        let (hold, reached) = ("\(tree.path)/hold", "\(tree.path)/reached")
        try tree.write("release/app/component.yaml", "datasources:\n  - name: db\n    type: sqlite\nhooks:\n  business_check: hooks/check.sh\n")
        try tree.write("release/app/hooks/check.sh", """
            #!/bin/sh
            if [ -f \(hold) ]; then
              touch \(reached)
              while [ -f \(hold) ]; do sleep 0.05; done
            fi
            exit 0

            """)
        chmod("\(tree.path)/release/app/hooks/check.sh", 0o755)
        let zip = "\(tree.path)/release-pause.zip"
        _ = try ReleasePacker().pack(directory: "\(tree.path)/release", to: zip)
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let release = try await APIRelease.upload(server, zip)
        let upgrade: [String: Any] = ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1", "acceptWarnings": true]

        let started = try await server.call(.POST, "/v1/upgrades", json: upgrade)
        #expect(started.status == 202, "\(started.text)")
        let id = try #require(try started.json()["runId"] as? String)
        let paused = try await server.waitForEnd(id)
        #expect(paused["status"] as? String == "awaiting_verification", "\(paused)\n\(server.logText)")

        // A new upgrade, a stage run: 409, naming the paused run and both ways on.
        for (path, body) in [("/v1/upgrades", upgrade), ("/v1/runs", ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"] as [String: Any])] {
            let refused = try await server.call(.POST, path, json: body)
            let answer = try refused.json()
            #expect(refused.status == 409 && answer["code"] as? String == "locked", "\(path): \(refused.text)")
            #expect((answer["message"] as? String)?.contains("upgrade \(id) paused at the manual verification gate") == true, "\(path): \(refused.text)")
            let hint = answer["hint"] as? String ?? ""
            #expect(hint.contains("POST /v1/runs/\(id)/verification") && hint.contains("POST /v1/runs/\(id)/rollback"), "\(path): \(refused.text)")
        }

        // Two continues at once: exactly one goes; the other is told who holds it.
        _ = FileManager.default.createFile(atPath: hold, contents: nil)
        async let one = server.call(.POST, "/v1/runs/\(id)/verification", json: ["decision": "continue"])
        async let two = server.call(.POST, "/v1/runs/\(id)/verification", json: ["decision": "continue"])
        let answers = try await [one, two]
        let accepted = answers.filter { $0.status == 202 }
        let refused = answers.filter { $0.status == 409 }
        #expect(accepted.count == 1 && refused.count == 1, "\(answers.map { "\($0.status) \($0.text)" })")
        if let other = refused.first {
            let answer = try other.json()
            #expect(answer["code"] as? String == "locked" && (answer["message"] as? String)?.contains("upgrade \(id) is already being continued") == true,
                    "\(other.text)")
        }
        while !FileManager.default.fileExists(atPath: reached) { try await Task.sleep(for: .milliseconds(50)) }
        let third = try await server.call(.POST, "/v1/runs/\(id)/verification", json: ["decision": "continue"])
        let holder = try third.json()["message"] as? String ?? ""
        #expect(third.status == 409 && holder.contains("run \(id) on host"), "while it runs, the holder of the site lock is named: \(third.text)")
        try FileManager.default.removeItem(atPath: hold)
        let ended = try await server.waitForEnd(id)
        #expect(ended["status"] as? String == "succeeded", "\(ended)\n\(server.logText)")
        let after = try await server.call(.POST, "/v1/upgrades", json: upgrade)
        #expect(after.status != 409, "finished, the upgrade refuses nothing: \(after.text)")
    }
}
