/// What an SSH connection is used for (robustness doc §4.6.1): each class has its own keepalive
/// and reconnect policy, and its own shared master connection, so a long file transfer and a
/// quick status probe never wait on each other's link.
public enum ConnectionClass: String, CaseIterable, Sendable, Codable, Hashable {
    /// Commands that drive the upgrade: stop, start, install (主控制连接).
    case control
    /// Package transfer (文件传输连接).
    case transfer
    /// Plugins and remote steps that run long (插件执行连接).
    case plugin
    /// Status probes (状态检查连接).
    case status
}

/// How one class of connection is kept alive and brought back (S1). Plain data: env.yaml or a
/// test may shorten every value.
public struct KeepalivePolicy: Sendable, Hashable, Codable {
    /// Silence after which the client sends a keepalive (`ServerAliveInterval`).
    public var interval: TimeSpan
    /// Silence after which the link counts as dropped.
    public var timeout: TimeSpan
    /// Reconnect tries after a drop before giving up (0: report at once, "manual reconnect").
    public var reconnectTries: Int
    /// Waits between reconnect tries.
    public var backoff: Backoff
    /// How long one attempt to open a TCP connection may take (`ConnectTimeout`).
    public var connectTimeout: TimeSpan
    /// How long an idle shared master stays up after its last command (`ControlPersist`).
    public var persist: TimeSpan

    public init(interval: TimeSpan, timeout: TimeSpan, reconnectTries: Int, backoff: Backoff = .standard,
                connectTimeout: TimeSpan = .seconds(15), persist: TimeSpan = .minutes(10)) {
        self.interval = interval
        self.timeout = timeout
        self.reconnectTries = max(0, reconnectTries)
        self.backoff = backoff
        self.connectTimeout = connectTimeout
        self.persist = persist
    }

    /// `ServerAliveCountMax`: OpenSSH gives up when a keepalive is due and `count` have gone
    /// unanswered, i.e. after (count + 1) × interval of silence. The largest count that stays
    /// within `timeout`, and at least 1.
    public var serverAliveCountMax: Int {
        let interval = max(1, self.interval.milliseconds)
        return max(1, Int(timeout.milliseconds / interval) - 1)
    }

    /// When a dead link is noticed at the latest: (count + 1) × interval, never above `timeout`
    /// unless the timeout is shorter than two intervals.
    public var detectionBound: TimeSpan {
        TimeSpan(milliseconds: interval.milliseconds * Int64(serverAliveCountMax + 1))
    }

    /// The defaults of §4.6.1: control 60 s / 180 s / 3 reconnects, transfer 30 s / 120 s / 2,
    /// plugin 45 s / 150 s / 1, status 90 s / 300 s / none ("manual reconnect").
    public static func defaults(for connectionClass: ConnectionClass) -> KeepalivePolicy {
        switch connectionClass {
        case .control: KeepalivePolicy(interval: .seconds(60), timeout: .seconds(180), reconnectTries: 3)
        case .transfer: KeepalivePolicy(interval: .seconds(30), timeout: .seconds(120), reconnectTries: 2)
        case .plugin: KeepalivePolicy(interval: .seconds(45), timeout: .seconds(150), reconnectTries: 1)
        case .status: KeepalivePolicy(interval: .seconds(90), timeout: .seconds(300), reconnectTries: 0)
        }
    }
}

/// The keepalive policy of every class; `defaults` unless overridden.
public struct KeepalivePolicies: Sendable, Hashable, Codable {
    public var byClass: [ConnectionClass: KeepalivePolicy]

    public init(_ byClass: [ConnectionClass: KeepalivePolicy] = [:]) { self.byClass = byClass }

    public subscript(_ connectionClass: ConnectionClass) -> KeepalivePolicy {
        get { byClass[connectionClass] ?? .defaults(for: connectionClass) }
        set { byClass[connectionClass] = newValue }
    }

    public static let defaults = KeepalivePolicies()

    /// Every class with the same policy (tests: short intervals everywhere).
    public static func uniform(_ policy: KeepalivePolicy) -> KeepalivePolicies {
        KeepalivePolicies(Dictionary(uniqueKeysWithValues: ConnectionClass.allCases.map { ($0, policy) }))
    }
}
