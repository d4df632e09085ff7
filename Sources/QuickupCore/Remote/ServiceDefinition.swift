/// How one component's service is stopped and started on the hosts that run it (S3). Read from
/// env.yaml `services:` (docs/HOSTS.md): commands, ports and paths are facts of an installation,
/// like its hosts, not of a release.
public struct ServiceDefinition: Sendable, Hashable, Codable {
    /// The component whose service this is (the key under `services:`).
    public var component: String
    /// Shell command that starts the service on the host; quickup runs it detached.
    public var start: String
    /// Shell command that asks the service to stop; without it quickup sends SIGTERM itself.
    public var stop: String?
    /// The port the service listens on: the readiness check, and closed after a stop.
    public var port: Int?
    /// An HTTP URL answering 2xx when the service is ready (checked on the host with curl).
    public var healthURL: String?
    /// A file holding the service's pid …
    public var pidFile: String?
    /// … or a pattern `pgrep -f` finds it by.
    public var processMatch: String?
    /// The service name registered in Nacos; the component name when not given.
    public var nacosService: String?
    /// Between SIGTERM (or the stop command) and SIGKILL (§6.1.3.5.2: 15 s).
    public var stopGrace: TimeSpan
    /// How long the service may take to become ready after its start command (§6.1.3.5.4: 2 min).
    public var startTimeout: TimeSpan
    /// Where the component's program files live on its hosts: `<install_dir>/releases/<version>/`
    /// plus the `current` symlink (F1 install; docs/HOSTS.md "Install layout").
    public var installDir: String?
    /// Owner (`user` or `user:group`) and mode (`u=rwX,go=rX` or octal) given to installed files.
    public var owner: String?
    public var mode: String?
    /// An HTTP URL answering the running version in its body (post-upgrade check, F1 flow 5).
    public var versionURL: String?
    public var location: SourceLocation

    public static let defaultStopGrace = TimeSpan.seconds(15)
    public static let defaultStartTimeout = TimeSpan.minutes(2)

    public init(component: String, start: String, location: SourceLocation) {
        self.component = component
        self.start = start
        self.stopGrace = Self.defaultStopGrace
        self.startTimeout = Self.defaultStartTimeout
        self.location = location
    }

    public var nacosServiceName: String { nacosService ?? component }

    /// The definition as it applies on `host`: the port moved by the host's `port_offset`, and
    /// `{host}`, `{port}` and `{install_dir}` replaced in commands, paths and URLs.
    public func resolved(on host: HostConfig) -> ServiceDefinition {
        var copy = self
        copy.port = port.map { $0 + host.portOffset }
        let install = installDir.map { $0.replacingOccurrences(of: "{host}", with: host.name) }
        copy.installDir = install
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "{host}", with: host.name)
                .replacingOccurrences(of: "{port}", with: copy.port.map(String.init) ?? "")
                .replacingOccurrences(of: "{install_dir}", with: install ?? "")
        }
        copy.start = fill(start)
        copy.stop = stop.map(fill)
        copy.healthURL = healthURL.map(fill)
        copy.versionURL = versionURL.map(fill)
        copy.pidFile = pidFile.map(fill)
        copy.processMatch = processMatch.map(fill)
        return copy
    }
}

extension NacosConfig {
    /// §6.1.3.5.1: nacos-client's discovery interval; quickup waits this long after marking an
    /// instance offline before stopping it.
    public static let defaultDiscoveryWait = TimeSpan.seconds(5)
    public var discoveryWaitOrDefault: TimeSpan { discoveryWait ?? Self.defaultDiscoveryWait }
}
