import Foundation
import QuickupCore

/// `quickup hosts check`: can quickup reach every host of env.yaml, and does each have the
/// tools the remote scripts use? One status-class connection per host, all hosts at once.
public struct HostCheck: Sendable {
    public struct Result: Sendable, Encodable {
        public var host: String
        public var target: String
        public var reachable: Bool
        /// Time to open the shared connection (key exchange, authentication).
        public var connectMilliseconds: Int64?
        /// `uname -sr` of the host.
        public var system: String?
        /// Tools the remote scripts need that the host lacks.
        public var missingTools: [String]
        public var error: String?
        public var ok: Bool { reachable && missingTools.isEmpty }
    }

    /// What stop/start, steps and transfers run on a host (docs/HOSTS.md); curl only for health URLs.
    public static let requiredTools = ["sh", "bash", "sha256sum", "setsid", "nohup", "ps", "pgrep", "mkdir", "tail", "wc"]

    public let connections: SSHConnections

    public init(connections: SSHConnections) { self.connections = connections }

    public func check(_ hosts: [HostConfig]) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, host) in hosts.enumerated() {
                group.addTask { (index, await check(host)) }
            }
            var results = [Result?](repeating: nil, count: hosts.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    func check(_ host: HostConfig) async -> Result {
        let target = "\(host.user ?? "root")@\(host.address):\(host.port)"
        var result = Result(host: host.name, target: target, reachable: false, missingTools: [])
        let connection = connections.connection(to: host, .status)
        do {
            let started = ContinuousClock.now
            try await connection.connect()
            result.connectMilliseconds = started.duration(to: .now).components.seconds * 1000
                + started.duration(to: .now).components.attoseconds / 1_000_000_000_000_000
            let tools = Self.requiredTools.map { "command -v \($0) >/dev/null 2>&1 || echo \"missing \($0)\"" }.joined(separator: "\n")
            let answer = try await connection.run("uname -sr\n" + tools + "\n", retryOnDrop: true)
            let lines = answer.stdoutText.split(separator: "\n").map(String.init)
            result.reachable = answer.succeeded
            result.system = lines.first
            result.missingTools = lines.filter { $0.hasPrefix("missing ") }.map { String($0.dropFirst(8)) }
            if !answer.succeeded { result.error = SSHConnection.firstLine(answer.stderr) ?? "status \(answer.status)" }
        } catch {
            result.error = error.description
        }
        return result
    }
}
