import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRemote

/// S1 with the link cut for real: sshd runs in its own network namespace, reached over a veth
/// pair whose far end the test takes down (no RST, no FIN: packets just stop).
@Suite(.serialized) struct LinkDropTests {
    @Test("S1: a dropped link is noticed by the keepalives and re-established with backoff", .timeLimit(.minutes(10)))
    func dropDetectedAndReconnected() async throws {
        try await RemoteFixture.with(isolated: true) { fixture in
            let connection = fixture.connection(.control)
            let before = try await connection.run("echo \"$SSH_CONNECTION\"").stdoutText
            try fixture.server.cutLink()
            let cut = ContinuousClock.now
            // The first reconnect try fails (link still down); the link is back before the second.
            fixture.onSleep.value = { count in if count == 2 { try? fixture.server.restoreLink() } }
            let after = try await connection.run("echo \"$SSH_CONNECTION\"", retryOnDrop: true).stdoutText
            let detected = try #require(fixture.logged("link dropped"))
            let policy = RemoteFixture.shortPolicy
            // Not before the keepalives ran out (how much later depends on the machine's load, and
            // the test's time limit guards against a hang).
            #expect(cut.duration(to: detected) >= .milliseconds(policy.interval.milliseconds))
            // At least one try failed while the link was down; the waits follow the policy's backoff
            // (a veth coming back up may need one more try on a loaded machine).
            let sleeps = fixture.recordedSleeps
            #expect(sleeps.count >= 2)
            #expect(sleeps == policy.backoff.schedule(tries: sleeps.count).map { .milliseconds($0.milliseconds) }, "exponential backoff from the policy")
            #expect(connection.reconnects == 1)
            #expect(connection.mastersStarted == 2)
            #expect(before != after, "a new TCP connection (new client port)")
        }
    }

    @Test("S1: a drop the master noticed while no command ran (a busy machine) is reported as a drop and reconnected", .timeLimit(.minutes(10)))
    func dropNoticedByTheMasterAlone() async throws {
        try await RemoteFixture.with(isolated: true) { fixture in
            let connection = fixture.connection(.control)
            _ = try await connection.run("true")
            let master = try #require(await connection.masterPID())
            try fixture.server.cutLink()
            // Order of events, not time: the master ends on its own keepalives before quickup
            // sends its next command (as when quickup got no CPU for a while after the cut).
            while kill(master, 0) == 0 { try await Task.sleep(for: .milliseconds(100)) }
            fixture.onSleep.value = { count in if count == 2 { try? fixture.server.restoreLink() } }
            #expect(try await connection.run("echo back", retryOnDrop: true).stdoutText == "back\n")
            let line = fixture.logLines.value.map(\.line).first { $0.contains("link dropped") }
            #expect(line?.contains("Timeout, server") == true, "\(fixture.logLines.value.map(\.line))")
            #expect(connection.reconnects == 1 && connection.mastersStarted == 2)
        }
    }

    @Test("S1: a command that must not run twice is not repeated after a drop; the error says so")
    func notRepeatedAfterDrop() async throws {
        try await RemoteFixture.with(isolated: true) { fixture in
            let connection = fixture.connection(.control)
            let counter = "\(fixture.state.path)/ran"
            _ = try await connection.run("true")
            try fixture.server.cutLink()
            fixture.onSleep.value = { _ in try? fixture.server.restoreLink() }
            let error = await #expect(throws: QuickupError.self) {
                _ = try await connection.run("echo x >> \(ShellQuoting.quote(counter))")
            }
            #expect(error?.code == .remoteLinkDropped)
            #expect(error?.message.contains("may or may not have run") == true)
            #expect(!FileManager.default.fileExists(atPath: counter), "the command never reached the host, and was not retried")
            #expect(try await connection.run("echo back").stdoutText == "back\n")
        }
    }

    @Test("S1: status connections are not reconnected (\"manual reconnect\", 0 tries)")
    func statusClassGivesUp() async throws {
        var policy = RemoteFixture.shortPolicy
        policy.reconnectTries = 0
        try await RemoteFixture.with(isolated: true, policy: policy) { fixture in
            let connection = fixture.connection(.status)
            _ = try await connection.run("true")
            try fixture.server.cutLink()
            let error = await #expect(throws: QuickupError.self) { _ = try await connection.run("true", retryOnDrop: true) }
            #expect(error?.code == .remoteUnreachable)
            #expect(error?.hint?.contains("not reconnected automatically") == true)
            #expect(fixture.recordedSleeps.isEmpty)
        }
    }

    @Test("S1/F1: the upgrade's own commands on a host (switch, health, version) ride the control link: a drop between them is reconnected, not an upgrade failure", .timeLimit(.minutes(10)))
    func upgradeQueriesReconnect() async throws {
        // The real class policies: status never reconnects by itself ("manual reconnect"); the
        // upgrade's switch once ran on it, and a cut between two steps failed the whole upgrade.
        var policies = KeepalivePolicies.uniform(RemoteFixture.shortPolicy)
        policies[.status].reconnectTries = 0
        try await RemoteFixture.with(isolated: true, policies: policies) { fixture in
            let services = ServiceController(connections: fixture.connections, nacos: nil)
            #expect(try await services.query("echo before\n", on: fixture.host).stdout == "before\n")
            let masters = await [fixture.connection(.control).masterPID(), fixture.connection(.status).masterPID()].compactMap { $0 }
            try #require(!masters.isEmpty)
            try fixture.server.cutLink()
            // Order of events: the master ends on its keepalives while no command runs (the cut
            // fell between two steps); the link is back before the second reconnect try.
            while masters.contains(where: { kill($0, 0) == 0 }) { try await Task.sleep(for: .milliseconds(100)) }
            fixture.onSleep.value = { count in if count == 2 { try? fixture.server.restoreLink() } }
            let after = try await services.query("echo after\n", on: fixture.host)
            #expect(after.ok && after.stdout == "after\n")
            #expect(fixture.connection(.control).reconnects == 1)
        }
    }

    @Test("S1: two commands caught by the same drop share one reconnect (one new master)")
    func concurrentCommandsOneReconnect() async throws {
        try await RemoteFixture.with(isolated: true) { fixture in
            let connection = fixture.connection(.control)
            _ = try await connection.run("true")
            fixture.onSleep.value = { count in if count == 1 { try? fixture.server.restoreLink() } }
            try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<2 {
                    group.addTask { try await connection.run("sleep 1; echo \(index)", retryOnDrop: true).stdoutText }
                }
                try await Task.sleep(for: .milliseconds(300))
                try fixture.server.cutLink()
                var answers: [String] = []
                for try await answer in group { answers.append(answer) }
                #expect(answers.sorted() == ["0\n", "1\n"])
            }
            #expect(connection.mastersStarted == 2, "the first master and one replacement")
            #expect(connection.reconnects == 1)
        }
    }
}
