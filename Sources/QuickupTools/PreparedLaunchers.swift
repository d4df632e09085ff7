import Foundation
import QuickupCore
import Synchronization

/// Pre-joined launchers kept ready for the next tools (issue 20.2; see `PreparedLauncher`).
///
/// A tool takes the oldest ready launcher whose kind (isolation, termination grace) matches its
/// own; its limits are written then (cheap). Its replacement is started once the tool ended
/// (started while the tool runs, it would compete with it for the CPU), and joins its cgroups
/// while the following tools run — off their critical path. The
/// first tool of a kind finds none and starts the usual way (`ToolSandbox.wrap`), as does every
/// tool when the policy is off, under rlimits (nothing to join), when there are more tools at
/// once than launchers, or when its launcher is not in its groups within `Policy.joinWait`. A
/// pool belongs to one run: `close()` ends its unused launchers and removes their cgroups (the
/// run ends, is cancelled, or fails).
public final class PreparedLaunchers: Sendable {
    /// How many launchers are kept ready, as data; `off` starts every tool the usual way.
    public struct Policy: Sendable, Hashable, Codable {
        public var enabled: Bool
        /// Launchers kept ready per kind of tool (isolation and termination grace).
        public var perKind: Int
        /// How long a tool waits for a launcher of its kind that is still joining its groups
        /// before it starts the usual way. Joining waits for the kernel (an RCU grace period);
        /// a tool started the usual way waits for one of its own from the start, so a launcher
        /// already waiting is the sooner of the two unless the machine is stuck (issue 20.2:
        /// 3–8 % of the tools back to back found none ready and paid a whole start).
        public var joinWait: Duration

        public init(enabled: Bool, perKind: Int, joinWait: Duration = .milliseconds(20)) {
            self.enabled = enabled
            self.perKind = perKind
            self.joinWait = joinWait
        }

        /// Two per kind: tools of a component run one after another (E1), and a launcher
        /// prepared when a tool ends needs ~25 ms to join; the next tool takes the older one.
        public static let standard = Policy(enabled: true, perKind: 2)
        public static let off = Policy(enabled: false, perKind: 0, joinWait: .zero)

        /// `QUICKUP_PREPARED_LAUNCHERS`: `off`/`0` turns pre-joined launchers off, a number sets
        /// how many are kept per kind; unset or anything else is `standard`.
        public static func from(environment: [String: String] = ProcessInfo.processInfo.environment) -> Policy {
            guard let value = environment["QUICKUP_PREPARED_LAUNCHERS"]?.lowercased() else { return .standard }
            if value == "off" || value == "0" { return .off }
            if let count = Int(value), count > 0 { return Policy(enabled: true, perKind: min(count, 8)) }
            return .standard
        }
    }

    public let policy: Policy
    private struct State {
        var ready: [PreparedLauncher] = []
        var closed = false
        var counts = Counts()
        /// Tools now waiting for a launcher to finish joining.
        var waiting = 0
    }

    /// How the pool's tools started, for benchmarks and reports: a pool that falls behind a
    /// stream of tools shows as starts the usual way.
    public struct Counts: Sendable, Equatable {
        /// Tools that took a ready launcher.
        public var taken = 0
        /// Tools that found none ready and started the usual way.
        public var missed = 0
        /// Of the tools taken, those that waited for theirs to finish joining (`Policy.joinWait`).
        public var waited = 0
    }

    public var counts: Counts { state.withLock { $0.counts } }
    private let state = Mutex(State())

    public init(policy: Policy = .from()) {
        self.policy = policy
    }

    /// Whether tools contained by `support` can use launchers at all.
    func applies(to support: IsolationSupport) -> Bool {
        policy.enabled && policy.perKind > 0 && support.mechanism != .rlimits
    }

    /// A ready launcher for `invocation` with its sandbox set to the invocation's limits, or nil
    /// (start it the usual way). The caller then calls `refill`, once its tool ended. Only a
    /// launcher inside its cgroups is taken: one still joining them is waited for up to
    /// `policy.joinWait` (checked every half millisecond), then left for a later tool; one that
    /// can never be used is discarded.
    func take(for invocation: ToolInvocation, support: IsolationSupport) async throws(QuickupError) -> (PreparedLauncher, ToolSandbox)? {
        guard applies(to: support) else { return nil }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: policy.joinWait)
        var waited = false
        var taken: PreparedLauncher?
        while true {
            let (found, lost, joining) = state.withLock { state -> (PreparedLauncher?, [PreparedLauncher], Bool) in
                guard !state.closed else { return (nil, [], false) }
                let lost = state.ready.filter(\.isLost)
                state.ready.removeAll { launcher in lost.contains { $0 === launcher } }
                let kind = state.ready.filter { Self.matches($0, invocation, support) }
                guard let ready = kind.first(where: \.isReady), let index = state.ready.firstIndex(where: { $0 === ready }) else {
                    return (nil, lost, !kind.isEmpty)
                }
                return (state.ready.remove(at: index), lost, false)
            }
            for launcher in lost { await launcher.discard() }
            if let found {
                taken = found
                break
            }
            guard joining, clock.now < deadline else { break }
            if !waited { state.withLock { $0.waiting += 1 } }
            waited = true
            // Cancelled: the tool starts the usual way, which sees the cancellation itself.
            guard (try? await clock.sleep(for: .microseconds(500))) != nil else { break }
        }
        state.withLock { state in
            if waited { state.waiting -= 1 }
            if taken == nil { state.counts.missed += 1 } else { state.counts.taken += 1 }
            if taken != nil, waited { state.counts.waited += 1 }
        }
        guard let taken else { return nil }
        do {
            return (taken, try taken.sandbox.adopted(by: invocation))
        } catch {
            await taken.discard()
            throw error
        }
    }

    /// Starts launchers until `perKind` of this kind are ready; each prepares itself in its own
    /// task. One that cannot be prepared is never ready and is discarded by the next `take`;
    /// tools meanwhile start the usual way, which reports the same error itself. `recycled`
    /// (an ended tool's emptied groups, `ToolSandbox.recycled`) goes to the first launcher
    /// started, or is removed when none is.
    func refill(for invocation: ToolInvocation, support: IsolationSupport, recycled: ToolSandbox? = nil) async {
        var recycled = recycled
        defer { recycled?.remove() }
        guard applies(to: support) else { return }
        let missing = state.withLock { state in
            state.closed ? 0 : policy.perKind - state.ready.filter { Self.matches($0, invocation, support) }.count
        }
        for _ in 0..<max(0, missing) {
            let launcher = PreparedLauncher(support: support, limits: recycled?.limits ?? invocation.limits,
                                            grace: invocation.terminationGrace, recycled: recycled)
            recycled = nil
            let kept = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.ready.append(launcher)
                return true
            }
            if !kept { await launcher.discard() }
        }
    }

    private static func matches(_ launcher: PreparedLauncher, _ invocation: ToolInvocation, _ support: IsolationSupport) -> Bool {
        launcher.sandbox.support == support && launcher.grace == invocation.terminationGrace
    }

    /// How many launchers a tool could take now (tests wait for them).
    var readyCount: Int { state.withLock { $0.ready.filter(\.isReady).count } }

    /// How many tools are waiting for a launcher to finish joining (tests wait for them).
    var waitingTools: Int { state.withLock { $0.waiting } }

    /// The cgroups of the launchers now ready (tests and `quickup doctor` look at them).
    var readyGroups: [[String]] { state.withLock { $0.ready.map(\.sandbox.groups) } }

    /// Ends every unused launcher and removes its cgroups; later tools start the usual way.
    public func close() async {
        let unused = state.withLock { state -> [PreparedLauncher] in
            state.closed = true
            defer { state.ready = [] }
            return state.ready
        }
        for launcher in unused { await launcher.discard() }
    }
}
