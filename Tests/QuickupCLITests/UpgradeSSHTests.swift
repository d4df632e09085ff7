import Foundation
import QuickupTestSupport
import Testing

/// `quickup upgrade` over SSH (issue 15): two hosts, each a real sshd in its own network
/// namespace (as the S1 tests), each running the service in its namespace, the tasks on the
/// real MariaDB of scripts/services.sh. Needs root (namespaces) and the test servers.
@Suite(.serialized) struct UpgradeSSHTests {

    struct Fixture {
        var servers: [TestSSHServer]
        var site: UpgradeSite
        var database: String

        init(envExtra: String = "", startPrefix: String = "") throws {
            let servers = [try TestSSHServer.start(isolated: true), try TestSSHServer.start(isolated: true)]
            let server = try TestServers.requireMariaDB()
            let (host, port, user) = (server.host, server.port, server.user)
            let database = "qu_h_up_\(UInt32.random(in: 0...UInt32.max))"
            _ = try UpgradeSSHTests.mariadb("CREATE DATABASE \(database)")
            self.database = database
            self.servers = servers
            site = try UpgradeSite(datasource: "{type: mariadb, host: \(host), port: \(port), user: \(user), password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: \(database)}",
                                   bind: "0.0.0.0", hosts: { root in
                zip(["h1", "h2"], servers).map { name, server in
                    UpgradeSite.Host(name: name,
                                     entry: "{name: \(name), address: \(server.address), port: \(server.port), user: root, identity_file: \(server.clientKey), host_key: '\(server.hostPublicKey)', state_dir: \(root)/\(name)/quickup",
                                     portOffset: 0, prefix: ["/usr/sbin/ip", "netns", "exec", server.namespace ?? "none"])
                }
            }, envExtra: envExtra, startPrefix: startPrefix)
        }

        func remove() {
            for h in site.hosts {
                _ = try? CLI.run(["-c", (h.prefix + ["pkill", "-f", "'demo-service --port \(site.port) --dir'"]).joined(separator: " ") + "; :"],
                                 program: URL(fileURLWithPath: "/bin/sh"))
            }
            site.remove()
            for server in servers { server.stop() }
            _ = try? UpgradeSSHTests.mariadb("DROP DATABASE \(database)")
        }
    }

    static func mariadb(_ sql: String, database: String? = nil) throws -> String {
        let defaults = try TestServers.requireMariaDBDefaults()
        let r = try CLI.run(["--defaults-file=\(defaults)", "-N", "-B"] + (database.map { [$0] } ?? []) + ["-e", sql],
                            program: URL(fileURLWithPath: "/usr/bin/mariadb"))
        guard r.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("stop-the-world over SSH: both namespace hosts run V1.1.0, MariaDB has the new schema")
    func stopTheWorld() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let r = try await f.site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(f.site.version("h1") == "V1.1.0" && f.site.version("h2") == "V1.1.0")
        #expect(try Self.mariadb("SELECT COUNT(*) FROM information_schema.TABLES WHERE table_schema = '\(f.database)' AND table_name = 'orders_v2'") == "1")
        #expect(f.site.starts("h1") == 2 && f.site.starts("h2") == 2)
    }

    @Test("rolling over SSH: a client polling both hosts sees no failed request")
    func rolling() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let poller = Poller(urls: f.servers.map { "http://\($0.address):\(f.site.port)/version" })
        poller.start()
        let r = try await f.site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "rolling"])
        poller.stop()
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(f.site.version("h1") == "V1.1.0" && f.site.version("h2") == "V1.1.0")
        #expect(poller.requests > 10 && poller.failures == 0, "\(poller.failures) of \(poller.requests) failed")
        #expect(poller.saw.contains("V1.0.0") && poller.saw.contains("V1.1.0"))
    }

    @Test("S1/F5: the link to a host is cut once its install (the prepare's copy into releases/) or its start has begun: the drop is noticed, the link re-established, nothing run twice, the upgrade ends",
          arguments: ["prepare.h2.app", "start.h2.app"])
    func linkCutDuringInstall(step: String) async throws {
        // Keepalives short enough to notice the cut within seconds, and reconnect tries enough
        // for a loaded machine (policies are data: env.yaml `ssh:`).
        // h2's service is held before it starts until the link is cut, so the cut always lands
        // while the upgrade still has work on h2 (at the latest, waiting for it to be ready).
        let hold = "hold-\(UUID().uuidString)"
        let f = try Fixture(envExtra: "ssh:\n  control: {interval: 2s, timeout: 6s, reconnects: 10}\n",
                            startPrefix: "while [ -e /tmp/\(hold)-{host} ]; do sleep 0.05; done; ")
        defer { f.remove(); try? FileManager.default.removeItem(atPath: "/tmp/\(hold)-h2") }
        let site = f.site
        try Data().write(to: URL(fileURLWithPath: "/tmp/\(hold)-h2"))
        async let upgraded = site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"])
        // Order of events, not time: cut as soon as h2's step has claimed its marker; whatever the
        // upgrade does on h2 when the cut lands (copy, switch, start, readiness, post-check), it
        // rides the control link, which reconnects…
        let steps = "\(site.root)/h2/quickup/steps"
        func markers(_ prefix: String) -> [String] {
            let runs = (try? FileManager.default.contentsOfDirectory(atPath: steps)) ?? []
            return runs.flatMap { run in
                ((try? FileManager.default.contentsOfDirectory(atPath: "\(steps)/\(run)")) ?? []).filter { $0.hasPrefix(prefix) }
            }
        }
        func installMarkers() -> [String] { markers("prepare.h2.app") }
        var waited = 0
        while markers(step).isEmpty && waited < 6_000 { try await Task.sleep(for: .milliseconds(50)); waited += 1 }
        try #require(!markers(step).isEmpty, "h2's \(step) never started")
        try f.servers[1].cutLink()
        try FileManager.default.removeItem(atPath: "/tmp/\(hold)-h2")
        // …and bring the link back once quickup has noticed the drop and is reconnecting.
        func detailLogs() -> String {
            let runs = (try? FileManager.default.contentsOfDirectory(atPath: "\(site.state)/runs")) ?? []
            return runs.compactMap { try? String(contentsOfFile: "\(site.state)/runs/\($0)/detail.jsonl", encoding: .utf8) }.joined()
        }
        waited = 0
        while !detailLogs().contains("reconnecting") && waited < 6_000 { try await Task.sleep(for: .milliseconds(50)); waited += 1 }
        try f.servers[1].restoreLink()
        let r = try await upgraded
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let log = detailLogs()
        #expect(log.contains("h2 (control): link dropped"), "\(log)")
        #expect(installMarkers() == ["prepare.h2.app_1"], "one prepare on h2: \(installMarkers())")
        #expect(site.version("h1") == "V1.1.0" && site.version("h2") == "V1.1.0")
        #expect(site.starts("h1") == 2 && site.starts("h2") == 2)
    }
}
