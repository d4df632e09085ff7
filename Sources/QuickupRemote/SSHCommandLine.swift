import QuickupCore

/// The OpenSSH command lines quickup runs for one host and connection class (S1). No secret is
/// ever on them: authentication is by key file, remote scripts go over stdin.
public struct SSHCommandLine: Sendable {
    public var host: HostConfig
    public var connectionClass: ConnectionClass
    public var policy: KeepalivePolicy
    public var paths: SSHPaths
    public var ssh: String
    public var sftp: String

    public init(host: HostConfig, connectionClass: ConnectionClass, policy: KeepalivePolicy, paths: SSHPaths,
                ssh: String = "ssh", sftp: String = "sftp") {
        self.host = host
        self.connectionClass = connectionClass
        self.policy = policy
        self.paths = paths
        self.ssh = ssh
        self.sftp = sftp
    }

    public var controlPath: String { paths.controlPath(for: host, connectionClass) }

    /// Options shared by ssh and sftp, masters and clients alike. `-F none`: the user's
    /// ~/.ssh/config must not change what quickup does.
    public var commonOptions: [String] {
        var options = ["-F", "none"]
        let settings: [(String, String)] = [
            ("BatchMode", "yes"),
            ("User", host.user ?? "root"),
            ("Port", "\(host.port)"),
            ("UserKnownHostsFile", paths.knownHosts(for: host)),
            ("GlobalKnownHostsFile", "/dev/null"),
            ("StrictHostKeyChecking", host.hostKey != nil ? HostKeyPolicy.strict.strictHostKeyChecking : host.hostKeyPolicy.strictHostKeyChecking),
            ("ControlPath", controlPath),
            ("ServerAliveInterval", "\(Self.wholeSeconds(policy.interval))"),
            ("ServerAliveCountMax", "\(policy.serverAliveCountMax)"),
            ("ConnectTimeout", "\(Self.wholeSeconds(policy.connectTimeout))"),
            ("LogLevel", "ERROR"),
        ]
        for (key, value) in settings { options += ["-o", "\(key)=\(value)"] }
        if let identity = host.identityFile { options += ["-o", "IdentityFile=\(identity)", "-o", "IdentitiesOnly=yes"] }
        return options
    }

    /// Starts the shared master in the background once authenticated; it stays `persist` after
    /// its last client and logs to `log` (its stderr is /dev/null).
    /// LogLevel INFO for the master (the first value of an option wins): OpenSSH logs "Timeout,
    /// server … not responding." at INFO, and that line is how a drop the master noticed while no
    /// command ran is told from a master that ended idle (`SSHConnection.masterTimedOut`).
    public func master(log: String) -> [String] {
        [ssh, "-o", "LogLevel=INFO"] + commonOptions + ["-o", "ControlMaster=yes", "-o", "ControlPersist=\(Self.wholeSeconds(policy.persist))",
                                 "-N", "-f", "-n", "-E", log, host.address]
    }

    /// A command over the shared master; the script comes on stdin (`sh -s`).
    /// A `local` host runs it with `sh -s` on this machine (docs/HOSTS.md "Local hosts").
    public var shellOverMaster: [String] {
        if host.kind == .local { return ["sh", "-s"] }
        return [ssh] + commonOptions + ["-o", "ControlMaster=no", "-T", host.address, "sh -s"]
    }

    /// `ssh -O check|exit` against the master.
    public func control(_ operation: String) -> [String] {
        [ssh] + commonOptions + ["-O", operation, host.address]
    }

    /// sftp over the shared master, reading its batch on stdin; it stops at the first failing
    /// command. `limitKbitPerSecond` caps its bandwidth (`-l`).
    public func sftpBatch(limitKbitPerSecond: Int? = nil) -> [String] {
        [sftp] + commonOptions + ["-o", "ControlMaster=no", "-q"] + (limitKbitPerSecond.map { ["-l", "\($0)"] } ?? []) + ["-b", "-", host.address]
    }

    /// The known_hosts line for a pinned key: `[address]:port key` (plain `address` on port 22).
    public var pinnedKnownHostsLine: String? {
        guard let key = host.hostKey else { return nil }
        let name = host.port == 22 ? host.address : "[\(host.address)]:\(host.port)"
        let fields = key.split(separator: " ").prefix(2).joined(separator: " ")
        return "\(name) \(fields)"
    }

    /// OpenSSH takes whole seconds; anything shorter than one rounds up to one.
    static func wholeSeconds(_ span: TimeSpan) -> Int64 { max(1, (span.milliseconds + 999) / 1000) }
}
