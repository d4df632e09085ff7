import Foundation
import QuickupCore

/// The connections of a run, one per host and class, created on first use and closed together.
public final class SSHConnections: @unchecked Sendable {
    public let context: RemoteContext
    private let lock = NSLock()
    private var connections: [String: SSHConnection] = [:]

    public init(context: RemoteContext) { self.context = context }

    public func connection(to host: HostConfig, _ connectionClass: ConnectionClass) -> SSHConnection {
        // Keyed by the host's name too: a connection carries its host's state_dir (markers of
        // remote steps live there) and location, so two env.yaml hosts on one machine — two
        // `local` hosts, or two entries for one address — must never share one (issue 15: host
        // b's start marker was written under host a's state_dir and a resume started b again).
        let key = "\(connectionClass.rawValue) \(host.name) \(host.user ?? "")@\(host.address):\(host.port)"
        return lock.withLock {
            if let existing = connections[key] { return existing }
            let connection = SSHConnection(host: host, connectionClass: connectionClass, context: context)
            connections[key] = connection
            return connection
        }
    }

    /// Ends every master this pool started (`ssh -O exit`).
    public func closeAll() async {
        let all = lock.withLock { Array(connections.values) }
        for connection in all { await connection.close() }
    }
}
