import QuickupTools
import Synchronization

/// How a run's tools are contained (T3), found the first time a tool needs it (issue 20.3).
///
/// Trying bubblewrap and setpriv starts two processes — ~15–20 ms, a tenth of a small SQL-only
/// run's fixed cost — so a run that starts no tool never pays for it. The sweep of a dead
/// quickup's tools before the first task needs only the cgroup mechanism, found without them.
/// Shared by every copy of a run's context, so the helpers are tried once per run at most.
public final class IsolationChoice: Sendable {
    private let findMechanism: @Sendable () -> IsolationSupport
    private let findSupport: @Sendable () -> IsolationSupport
    private let found = Mutex<IsolationSupport?>(nil)

    /// This machine's: the process-wide detection (`IsolationSupport.current`), looked up lazily.
    public init() {
        findMechanism = { IsolationSupport.machineMechanism }
        findSupport = { IsolationSupport.current }
    }

    /// A fixed support (tests may pass a weaker one), used for the sweep as well.
    public init(_ support: IsolationSupport) {
        findMechanism = { support }
        findSupport = { support }
    }

    /// For tests: how the support is found, to see when it is asked for.
    init(mechanism: @escaping @Sendable () -> IsolationSupport, support: @escaping @Sendable () -> IsolationSupport) {
        findMechanism = mechanism
        findSupport = support
    }

    /// Everything a tool needs, helper programs included; found on the first call.
    public var support: IsolationSupport {
        found.withLock { found in
            if let found { return found }
            let support = findSupport()
            found = support
            return support
        }
    }

    /// The cgroup mechanism (its groups' parents); the helper programs may be unknown yet.
    public var mechanism: IsolationSupport {
        found.withLock { $0 } ?? findMechanism()
    }
}
