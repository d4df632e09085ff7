import QuickupCore
import Synchronization

/// The next SQL attempt on the same connection, sent by the driver the moment the current
/// attempt's last result has come back without error — before the run engine does its own
/// bookkeeping for the attempt that ended, which then happens while the server works on this one
/// (issue 20.3). The server sees the very packet it would have seen a little later: the finished
/// attempt's SUCCESS row and this attempt's RUNNING row in one statement, then its statements.
///
/// Made by the run engine during the current attempt (its `meanwhile`) and offered through an
/// `AttemptChain`; once sent, the next `runAttempt` call claims it (`arriving`) and reads its results
/// instead of sending anything. A sent attempt that is never claimed is read to its end before the
/// connection does anything else, so the connection never falls out of step.
public final class ChainedAttempt: Sendable {
    public let statements: [SQLStatement]
    public let transactional: Bool
    /// The rows written first, made when sent: given the finished attempt's SUCCESS row
    /// (`success()` of the attempt that ended), the rows upgrade_log needs before this attempt's
    /// statements, its RUNNING row last.
    let rows: @Sendable (_ finished: UpgradeLogEntry) -> [UpgradeLogEntry]
    private let sent = Mutex<[UpgradeLogEntry]?>(nil)

    public init(statements: [SQLStatement], transactional: Bool,
                rows: @escaping @Sendable (_ finished: UpgradeLogEntry) -> [UpgradeLogEntry]) {
        self.statements = statements
        self.transactional = transactional
        self.rows = rows
    }

    /// The rows it was sent with (its RUNNING row last); nil until the driver has sent it.
    public var sentRows: [UpgradeLogEntry]? { sent.withLock { $0 } }

    func markSent(_ rows: [UpgradeLogEntry]) { sent.withLock { $0 = rows } }
}

/// Where the caller's `meanwhile` puts the attempt to send next. The driver takes it only after the
/// current attempt succeeded, was not cancelled and left the session as it found it.
public final class AttemptChain: Sendable {
    private let state = Mutex<(offered: ChainedAttempt?, taken: ChainedAttempt?)>((nil, nil))

    public init() {}

    /// Replaces any attempt offered before (a retried attempt offers its follower again).
    public func offer(_ attempt: ChainedAttempt) { state.withLock { $0.offered = attempt } }

    /// The attempt the driver sent, once it has: from then on it runs on the server, and the
    /// caller must run it next, passing it as `arriving`.
    public var sentAttempt: ChainedAttempt? {
        state.withLock { $0.taken }.flatMap { $0.sentRows != nil ? $0 : nil }
    }

    func take() -> ChainedAttempt? {
        state.withLock { state in
            state.taken = state.offered
            state.offered = nil
            return state.taken
        }
    }
}

/// A driver that can send the next attempt ahead (MariaDB). `runAttempt` as UpgradeLogStore's,
/// plus: `following` — the chain whose attempt, if offered by the time this one succeeded, is
/// sent at once; `arriving` — this attempt, when it was sent ahead by the previous call (its
/// `recording` rows then went with it and are not sent again).
public protocol ChainingUpgradeLogStore: UpgradeLogStore {
    func runAttempt(_ statements: [SQLStatement], recording running: [UpgradeLogEntry],
                    mirror: @escaping @Sendable () throws(QuickupError) -> Void,
                    recorded: @escaping @Sendable () -> Void, transactional: Bool,
                    success: @escaping @Sendable () -> UpgradeLogEntry,
                    meanwhile: (@Sendable () -> Void)?, following: AttemptChain?,
                    arriving: ChainedAttempt?) async throws(QuickupError)
}
