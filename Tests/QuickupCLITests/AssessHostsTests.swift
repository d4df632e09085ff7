import Foundation
import QuickupTestSupport
import Testing

/// `quickup assess` measures every host of env.yaml over SSH (A1, issue 15): a namespace host's
/// figures and rows are in the report; an unreachable host is a FAIL row and exit 1.
@Suite("quickup assess on hosts (A1)", .serialized)
struct AssessHostsTests {
    @Test("The JSON report has the host's figures and CPU/memory/disk rows; an unreachable host fails the assessment")
    func hostsInReport() throws {
        let server = try TestSSHServer.start(isolated: true)
        defer { server.stop() }
        let fixture = try AssessCommandTests.Fixture(severity: "warn", nulls: 0)
        defer { fixture.remove() }
        let host = server.host(name: "app1")
        try fixture.write("env.yaml", """
            site: CLI
            datasources:
              shop_db: {type: sqlite, path: shop.db}
            thresholds:
              cpu_idle_min: 0
              memory_free_min: 0
              disk_factor: 0
            hosts:
              - name: app1
                address: \(host.address)
                port: \(host.port)
                user: root
                identity_file: \(host.identityFile ?? "")
                host_key: "\(host.hostKey ?? "")"
                state_dir: \(host.remoteStateDir)
            """)
        let ok = try fixture.assess(["--json"])
        #expect(ok.status == 0, "\(ok.stdout)\n\(ok.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any])
        let hosts = report["hosts"] as? [[String: Any]] ?? []
        #expect(hosts.compactMap { $0["host"] as? String }.contains("app1"), "\(hosts)")
        let ids = (report["checks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("resources.app1.cpu") && ids.contains("resources.app1.memory") && ids.contains { $0.hasPrefix("resources.app1.disk.") }, "\(ids)")

        try fixture.write("env.yaml", """
            site: CLI
            datasources:
              shop_db: {type: sqlite, path: shop.db}
            hosts:
              - name: gone
                address: 127.0.0.1
                port: 1
                user: root
                identity_file: \(host.identityFile ?? "")
                host_key_policy: accept-new
            """)
        let failed = try fixture.assess()
        #expect(failed.status == 1, "\(failed.stdout)\n\(failed.stderr)")
        #expect(failed.stdout.contains("gone") && failed.stdout.contains("cannot connect to gone"), "\(failed.stdout)")
    }
}
