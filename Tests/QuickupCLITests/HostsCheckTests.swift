import Foundation
import QuickupTestSupport
import Testing

/// S1: `quickup hosts check` against a real sshd and an unreachable host.
@Suite(.serialized) struct HostsCheckTests {
    @Test("S1: hosts check reports a reachable host ok and an unreachable one as failed (exit 1)")
    func check() throws {
        let server = try TestSSHServer.start()
        defer { server.stop() }
        let tree = try TemporaryTree("quh", files: ["env.yaml": """
            site: S1
            hosts:
              - name: good
                address: \(server.address)
                port: \(server.port)
                user: root
                identity_file: \(server.clientKey)
                host_key: \(server.hostPublicKey)
                state_dir: \(server.directory)/remote
              - name: gone
                address: 127.0.0.1
                port: 42199
                user: root
                identity_file: \(server.clientKey)
                host_key_policy: accept-new
            ssh:
              status: {interval: 1s, timeout: 2s, connect_timeout: 2s}

            """])
        defer { tree.remove() }
        let env = tree.path + "/env.yaml", state = tree.path + "/state"
        let text = try CLI.run(["hosts", "check", "--env", env, "--state", state])
        #expect(text.status == 1, "\(text.stdout)\(text.stderr)")
        let good = text.stdout.split(separator: "\n").first { $0.hasPrefix("good") }.map(String.init) ?? ""
        #expect(good.contains("Linux") && good.hasSuffix("ok"), "\(text.stdout)")
        let gone = text.stdout.split(separator: "\n").first { $0.hasPrefix("gone") }.map(String.init) ?? ""
        #expect(gone.contains("cannot connect") && gone.contains(":42199"), "\(text.stdout)")

        let json = try CLI.run(["hosts", "check", "--env", env, "--state", state, "--json"])
        let hosts = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(hosts.map { $0["host"] as? String } == ["good", "gone"])
        #expect(hosts.first?["reachable"] as? Bool == true)
        // The master of the check is closed again: nothing of quickup stays behind.
        #expect(processesRunning(containing: "\(state)/ssh").isEmpty)
    }
}
