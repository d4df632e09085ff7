import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRemote

/// S1 against a real sshd: commands over a shared master, host key policy, errors.
@Suite(.serialized) struct SSHConnectionTests {
    @Test("S1: a command's output and status come back; a second command reuses the master (same TCP connection)")
    func roundTripAndSharing() async throws {
        try await RemoteFixture.with { fixture in
            let connection = fixture.connection()
            let first = try await connection.run("echo hello; echo \"$SSH_CONNECTION\"; echo oops >&2; exit 3")
            #expect(first.status == 3)
            #expect(first.stdoutText.hasPrefix("hello\n"))
            #expect(first.stderr.contains("oops"))
            let second = try await connection.run("echo \"$SSH_CONNECTION\"")
            #expect(second.succeeded)
            // SSH_CONNECTION names the client's port: the same port means the same TCP connection.
            let firstPeer = first.stdoutText.split(separator: "\n")[1]
            #expect(second.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == firstPeer)
            #expect(connection.mastersStarted == 1)
            #expect(await connection.masterPID() != nil)
            #expect(FileManager.default.fileExists(atPath: connection.commandLine.controlPath))
            await connection.close()
            #expect(await connection.masterPID() == nil)
        }
    }

    @Test("S1: a wrong pinned host key is refused, not retried, and says what to do")
    func wrongHostKey() async throws {
        try await RemoteFixture.with { fixture in
            var host = fixture.host
            host.hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
            let connection = SSHConnection(host: host, connectionClass: .control, context: fixture.context)
            let error = await #expect(throws: QuickupError.self) { _ = try await connection.run("true") }
            #expect(error?.code == .remoteHostKey)
            #expect(error?.hint?.contains("host_key") == true)
            #expect(fixture.recordedSleeps.isEmpty, "a host key mismatch is not retried")
        }
    }

    @Test("S1: accept-new records an unknown host's key in quickup's own known_hosts")
    func acceptNew() async throws {
        try await RemoteFixture.with { fixture in
            var host = fixture.host
            host.hostKey = nil
            host.hostKeyPolicy = .acceptNew
            let result = try await SSHConnection(host: host, connectionClass: .status, context: fixture.context).run("echo ok")
            #expect(result.stdoutText == "ok\n")
            let knownHosts = try String(contentsOfFile: fixture.context.paths.knownHosts, encoding: .utf8)
            #expect(knownHosts.contains(String(fixture.server.hostPublicKey.split(separator: " ")[1])))
        }
    }

    @Test("S1: an unreachable host fails after the class's tries with backoff, naming host and port")
    func unreachable() async throws {
        try await RemoteFixture.with { fixture in
            var host = fixture.host
            host.port = 42199 // nothing listens there
            let error = await #expect(throws: QuickupError.self) { _ = try await SSHConnection(host: host, connectionClass: .control, context: fixture.context).run("true") }
            #expect(error?.code == .remoteUnreachable)
            #expect(error?.message.contains(":42199") == true)
            #expect(error?.message.contains("4 tries") == true)
            #expect(fixture.recordedSleeps == [.milliseconds(200), .milliseconds(400), .milliseconds(800)])
        }
    }

    @Test("S1: cancelling a remote command stops its ssh client (structured concurrency)", .timeLimit(.minutes(10)))
    func cancellation() async throws {
        try await RemoteFixture.with { fixture in
            let connection = fixture.connection()
            try await connection.connect()
            let clients = { processesRunning(containing: "ControlMaster=no").filter { pid in
                (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.contains(connection.commandLine.controlPath) == true
            } }
            // Left alone it would succeed long after the test's time limit: `.cancelled` proves the stop.
            let task = Task { try await connection.run("sleep 600") }
            while clients().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            task.cancel()
            let error = await #expect(throws: QuickupError.self) { _ = try await task.value }
            #expect(error?.code == .cancelled)
            #expect(clients().isEmpty)
            #expect(try await connection.run("echo still").stdoutText == "still\n", "the master survives a cancelled client")
        }
    }

    @Test("S1: a state directory too deep for a unix socket path still gets a shared connection")
    func deepStateDirectory() async throws {
        try await RemoteFixture.with { fixture in
            let deep = fixture.state.path + "/" + String(repeating: "very-deep-state-directory/", count: 4)
            let context = RemoteContext(stateDirectory: deep, keepalive: fixture.context.keepalive, sleep: fixture.context.sleep)
            let connection = SSHConnection(host: fixture.host, connectionClass: .control, context: context)
            let answer = try await connection.run("echo deep")
            #expect(answer.stdoutText == "deep\n")
            #expect(connection.commandLine.controlPath.hasPrefix(SSHPaths.shortDirectory))
            #expect(await connection.masterPID() != nil)
            #expect(FileManager.default.fileExists(atPath: deep + "/ssh/known_hosts"), "known_hosts stays in the state directory")
            await connection.close()
        }
    }
}
