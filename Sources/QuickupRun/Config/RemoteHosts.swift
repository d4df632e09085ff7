import Foundation
import QuickupCore
import QuickupRemote

/// The SSH connections of one run or rollback to the environment's hosts (S1), opened on first
/// use by a config task (K1) and closed together at the end. One per context: the CLI builds a
/// context per command.
public final class RemoteHosts: @unchecked Sendable {
    private let lock = NSLock()
    private var pool: SSHConnections?

    public init() {}

    /// The pool, created with the environment's keepalive policies and the state directory's
    /// SSH files; `log` receives connects, drops and reconnects (never a secret).
    public func connections(stateDirectory: String, environment: Environment,
                            log: @escaping @Sendable (String) -> Void) -> SSHConnections {
        lock.withLock {
            if let pool { return pool }
            let created = SSHConnections(context: RemoteContext(stateDirectory: stateDirectory, keepalive: environment.keepalive, log: log))
            pool = created
            return created
        }
    }

    /// Ends every master opened so far; the next use opens new ones.
    public func closeAll() async {
        let open = lock.withLock { () -> SSHConnections? in
            defer { pool = nil }
            return pool
        }
        await open?.closeAll()
    }
}
