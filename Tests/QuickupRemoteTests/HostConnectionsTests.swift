import Foundation
import QuickupCore
import QuickupRemote
import QuickupTestSupport
import Testing

/// S1/F5: a connection belongs to one env.yaml host. Two hosts on one machine (two `local` hosts,
/// or two entries with one address) have their own state_dir, and a remote step's marker must
/// land in its own host's — else a resume that reaches the second host first looks in the wrong
/// place and runs the step again (issue 15: a service started twice after kill -9).
@Suite struct HostConnectionsTests {
    @Test("two local hosts on one machine: each host's step marker is under its own state_dir")
    func markersStayWithTheirHost() async throws {
        let tree = try TemporaryTree("quickup-hosts")
        defer { tree.remove() }
        func host(_ name: String) -> HostConfig {
            var h = HostConfig(name: name, address: "127.0.0.1", location: SourceLocation(file: "env.yaml", line: 1))
            h.kind = .local
            h.remoteStateDir = "\(tree.path)/\(name)/quickup"
            return h
        }
        let (a, b) = (host("a"), host("b"))
        let connections = SSHConnections(context: RemoteContext(stateDirectory: "\(tree.path)/state"))
        let step = { (name: String) in RemoteStep(runID: "run-1", stepID: "start.\(name).app#1", command: "echo \(name)") }
        let onA = try await RemoteSteps(connection: connections.connection(to: a, .control)).run(step("a"))
        let onB = try await RemoteSteps(connection: connections.connection(to: b, .control)).run(step("b"))
        #expect(onA.stdout == "a\n" && onB.stdout == "b\n")
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: step("a").markerDirectory(on: a) + "/exit"))
        #expect(fm.fileExists(atPath: step("b").markerDirectory(on: b) + "/exit"), "host b's marker is under b's state_dir")
        #expect(!fm.fileExists(atPath: step("b").markerDirectory(on: a)), "nothing of host b under a's state_dir")
        // The resume asks on b again: the step is found done, not started afresh.
        let again = try await RemoteSteps(connection: connections.connection(to: b, .control)).run(step("b"))
        #expect(!again.startedByThisCall && again.stdout == "b\n")
        await connections.closeAll()
    }
}
