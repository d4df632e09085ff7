import QuickupCore

/// What every remote operation needs, built once by the caller and passed down (no singletons):
/// where SSH state lives, the keepalive policy per class, how to wait, where to log.
public struct RemoteContext: Sendable {
    public var paths: SSHPaths
    public var keepalive: KeepalivePolicies
    /// Waits between reconnect tries and during discovery waits; tests record instead of sleeping.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// One line per notable event (connects, drops, reconnects, skips). Never receives a secret.
    public var log: @Sendable (String) -> Void
    public var ssh: String
    public var sftp: String

    public init(stateDirectory: String, keepalive: KeepalivePolicies = .defaults,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                log: @escaping @Sendable (String) -> Void = { _ in }, ssh: String = "ssh", sftp: String = "sftp") {
        self.paths = SSHPaths(stateDirectory: stateDirectory)
        self.keepalive = keepalive
        self.sleep = sleep
        self.log = log
        self.ssh = ssh
        self.sftp = sftp
    }

    public func commandLine(for host: HostConfig, _ connectionClass: ConnectionClass) -> SSHCommandLine {
        SSHCommandLine(host: host, connectionClass: connectionClass, policy: keepalive[connectionClass], paths: paths, ssh: ssh, sftp: sftp)
    }
}

extension TimeSpan {
    var duration: Duration { .milliseconds(milliseconds) }
}
