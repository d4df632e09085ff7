import Foundation
import QuickupTestSupport
import Testing

/// `quickup upgrade` over SSH (issue 15): two hosts, each a real sshd in its own network
/// namespace (as the S1 tests), each running the service in its namespace, the tasks on the
/// real MariaDB of scripts/services.sh. Needs root (namespaces) and the test servers.
@Suite(.serialized) struct UpgradeSSHTests {
    static let env = ProcessInfo.processInfo.environment

    struct Fixture {
        var servers: [TestSSHServer]
        var site: UpgradeSite
        var database: String

        init() throws {
            let servers = [try TestSSHServer.start(isolated: true), try TestSSHServer.start(isolated: true)]
            let e = UpgradeSSHTests.env
            guard let host = e["QUICKUP_TEST_MARIADB_HOST"], let port = e["QUICKUP_TEST_MARIADB_PORT"], let user = e["QUICKUP_TEST_MARIADB_USER"] else {
                throw CocoaError(.featureUnsupported)
            }
            let database = "qu_h_up_\(UInt32.random(in: 0...UInt32.max))"
            _ = try UpgradeSSHTests.mariadb("CREATE DATABASE \(database)")
            self.database = database
            self.servers = servers
            site = try UpgradeSite(datasource: "{type: mariadb, host: \(host), port: \(port), user: \(user), password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: \(database)}",
                                   bind: "0.0.0.0") { root in
                zip(["h1", "h2"], servers).map { name, server in
                    UpgradeSite.Host(name: name,
                                     entry: "{name: \(name), address: \(server.address), port: \(server.port), user: root, identity_file: \(server.clientKey), host_key: '\(server.hostPublicKey)', state_dir: \(root)/\(name)/quickup",
                                     portOffset: 0, prefix: ["/usr/sbin/ip", "netns", "exec", server.namespace ?? "none"])
                }
            }
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
        guard let defaults = env["QUICKUP_TEST_MARIADB_DEFAULTS"] else { throw CocoaError(.featureUnsupported) }
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
}
