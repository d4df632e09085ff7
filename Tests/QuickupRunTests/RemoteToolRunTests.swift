import Foundation
import QuickupCore
import QuickupRelease
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// M2 `.where=hosts` inside `quickup run` (issue 15 item 5): a tool task runs on every host of
/// env.yaml that lists its component (sshd in network namespaces), with the T1 context naming
/// each host; validation refuses what cannot run there, with file:line.
@Suite("where=hosts tools in a run", .serialized, .timeLimit(.minutes(10)))
struct RemoteToolRunTests {
    static let tool = """
    #!/bin/sh
    ctx=$(cat)
    host=$(printf '%s' "$ctx" | sed -n 's/.*"host" *: *"\\([^"]*\\)".*/\\1/p')
    echo ran >> "$(dirname "$0")/../../../ran-$host"
    echo '{"progress": {"percent": 100, "message": "checked"}}'
    echo "{\\"result\\": {\\"host\\": \\"$host\\", \\"stage\\": \\"$QUICKUP_STAGE\\"}}"

    """

    static func hostYAML(_ server: TestSSHServer, name: String, components: String) -> String {
        let host = server.host(name: name)
        return """
          - name: \(name)
            address: \(host.address)
            port: \(host.port)
            user: root
            identity_file: \(host.identityFile ?? "")
            host_key: "\(host.hostKey ?? "")"
            state_dir: \(host.remoteStateDir)
            components: [\(components)]

        """
    }

    @Test("The tool runs once on each host that runs the component (not on the other), its result recorded per host")
    func runsOnComponentHosts() async throws {
        let servers = try (0..<3).map { _ in try TestSSHServer.start(isolated: true) }
        defer { for server in servers { server.stop() } }
        let fixture = try RunFixture(tasks: [("t", "pre_stop", "CREATE TABLE t(id INTEGER);", "")],
                                     tools: [("check", "post_start", "tools/check.sh", "tool.check.where=hosts")],
                                     files: ["upgrade/V1.0.1/tools/check.sh": Self.tool])
        defer { fixture.remove() }
        try fixture.write("env.yaml", "site: TEST\ndatasources:\n  shop_db: {type: sqlite, path: shop.db}\nhosts:\n"
                          + Self.hostYAML(servers[0], name: "app1", components: "shop") + Self.hostYAML(servers[1], name: "app2", components: "shop")
                          + Self.hostYAML(servers[2], name: "db1", components: ""))
        let (result, lines) = try await fixture.run()
        #expect(result.status == .succeeded, "\(lines)")
        let records = try String(contentsOfFile: "\(fixture.state)/runs/\(result.runID)/detail.jsonl", encoding: .utf8)
            .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        for name in ["app1", "app2"] {
            #expect(records.contains { $0["task"] == "shop/V1.0.1/tool.check@\(name)" && $0["result"] == #"{"host":"\#(name)","stage":"post_start"}"# },
                    "\(records.filter { $0["task"]?.contains("tool.check") == true })")
        }
        // Each host's tool wrote beside its own marker directory: once on app1 and app2, never on db1.
        for (index, name) in ["app1", "app2", "db1"].enumerated() {
            let root = servers[index].host(name: name).remoteStateDir
            let marks = (try? FileManager.default.contentsOfDirectory(atPath: root))?.filter { $0.hasPrefix("ran-") } ?? []
            let count = marks.reduce(0) { total, file in
                total + (((try? String(contentsOfFile: "\(root)/\(file)", encoding: .utf8)) ?? "").split(separator: "\n").count)
            }
            #expect(count == (name == "db1" ? 0 : 1), "\(name): \(marks)")
        }
    }

    @Test("Refused before anything runs: where=hosts on a SQL task or a Python entry (file:line); no host runs the component (the task's line)")
    func refusals() async throws {
        let fixture = try RunFixture(tasks: [("t", "pre_stop", "CREATE TABLE t(id INTEGER);", "sql.t.where=hosts")],
                                     tools: [("py", "post_start", "checks.mod:run", "tool.py.where=hosts")])
        defer { fixture.remove() }
        do {
            _ = try Workspace.open(release: fixture.release, environment: fixture.envFile)
            Issue.record("the release should be refused")
        } catch {
            let text = "\(error)"
            #expect(text.contains("upgrade_tasks_V1.0.1.properties:") && text.contains("only tool tasks run on the component's hosts"), "\(text)")
            #expect(text.contains("local for a Python entry"), "\(text)")
        }
        let noHost = try RunFixture(tasks: [], tools: [("check", "post_start", "tools/check.sh", "tool.check.where=hosts\ntool.check.retries=0")],
                                    files: ["upgrade/V1.0.1/tools/check.sh": Self.tool], component: "plugin_class: core\n")
        defer { noHost.remove() }
        let (result, lines) = try await noHost.run()
        #expect(result.status == .failed, "\(lines)")
        let error = try #require(result.error, "\(lines)")
        #expect(error.message.contains("no host of env.yaml lists it under components"), "\(error)")
        #expect(error.location?.file.hasSuffix("upgrade_tasks_V1.0.1.properties") == true && error.location?.line != nil, "\(error)")
    }
}
