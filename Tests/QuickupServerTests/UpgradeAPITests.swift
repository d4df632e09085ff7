import Foundation
import QuickupRelease
import QuickupTestSupport
import Testing

/// A whole upgrade through the API (F1, H1, H2; issues 15 and 17), over real HTTP on loopback:
/// `POST /v1/upgrades` runs it until the manual verification gate (no terminal to ask), its event
/// stream ends there and its status says awaiting_verification; `POST /v1/runs/{id}/verification`
/// continues it under the same id to its end. A post_upgrade task proves the order: it runs only
/// after the decision. A run that is not waiting at the gate answers 409 in the one error shape.
@Suite("Whole upgrade and its verification gate through the API (issues 15, 17)", .serialized)
struct UpgradeAPITests {
    @Test("start an upgrade → awaiting_verification (events, status) → verification continue → succeeded; not awaiting → 409")
    func gateThroughTheAPI() async throws {
        let tree = try TemporaryTree("qu-api-upgrade")
        defer { tree.remove() }
        let (_, env) = try APIRelease.sqlite(tree)
        // A busy test machine has little idle CPU: the assessment must not stop this upgrade for it.
        try tree.write("env.yaml", try String(contentsOfFile: env, encoding: .utf8) + "\nthresholds: {cpu_idle_min: 0}\n")
        try tree.write("release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties",
                       try String(contentsOfFile: "\(tree.path)/release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", encoding: .utf8) + """

            sql.d.id=D
            sql.d.description=after the gate
            sql.d.file=sql/d.sql
            sql.d.stage=post_upgrade
            sql.d.datasource=db
            """)
        try tree.write("release/app/upgrade/V1.0.1/sql/d.sql", "INSERT INTO t VALUES (2);")
        let zip = "\(tree.path)/release-upgrade.zip"
        _ = try ReleasePacker().pack(directory: "\(tree.path)/release", to: zip)
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let release = try await APIRelease.upload(server, zip)

        let started = try await server.call(.POST, "/v1/upgrades", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1",
                                                                          "acceptWarnings": true])
        #expect(started.status == 202, "\(started.text)")
        let id = try #require(try started.json()["runId"] as? String)
        // The stream ends at the pause: the run is no longer running.
        let events = try await SSEMessage.read(server, "/v1/runs/\(id)/events")
        let gate = events.filter { $0.event == "step_end" && $0.data.contains("\"gate\"") }
        #expect(gate.count == 1 && gate[0].data.contains("RUNNING"), "the gate step is left open at the pause: \(events.map(\.data))")
        #expect(events.contains { $0.event == "step_end" && $0.data.contains("tasks.post_start") && $0.data.contains("SUCCESS") })
        let paused = try await server.call(.GET, "/v1/runs/\(id)?view=summary").json()["run"] as? [String: Any]
        #expect(paused?["status"] as? String == "awaiting_verification", "\(paused ?? [:])")
        #expect(try Self.rows(tree) == 1, "post_upgrade has not run before the decision")

        let go = try await server.call(.POST, "/v1/runs/\(id)/verification", json: ["decision": "continue", "note": "checked by the pipeline"])
        let continued = try go.json()["runId"] as? String
        #expect(go.status == 202 && continued == id, "\(go.text)")
        let ended = try await server.waitForEnd(id)
        #expect(ended["status"] as? String == "succeeded", "\(ended)\n\(server.logText)")
        #expect(try Self.rows(tree) == 2, "post_upgrade ran after the decision")

        // Not waiting at the gate (any more): 409, the one error shape.
        let again = try await server.call(.POST, "/v1/runs/\(id)/verification", json: ["decision": "continue"])
        let body = try again.json()
        #expect(again.status == 409 && body["code"] as? String == "not_awaiting_verification", "\(again.text)")
        #expect((body["message"] as? String)?.contains("succeeded") == true && body["hint"] is String, "\(again.text)")
        let abort = try await server.call(.POST, "/v1/runs/\(id)/verification", json: ["decision": "abort"])
        #expect(abort.status == 409, "\(abort.text)")
    }

    /// Rows of table t in the site's SQLite database.
    static func rows(_ tree: TemporaryTree) throws -> Int {
        let output = try ChildProcess.run(["/usr/bin/python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from t').fetchone()[0])",
                                           "\(tree.path)/app.db"])
        return Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
