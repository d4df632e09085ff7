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
}

extension NacosConfig {
    /// §6.1.3.5.1: nacos-client's discovery interval; quickup waits this long after marking an
    /// instance offline before stopping it.
    public static let defaultDiscoveryWait = TimeSpan.seconds(5)
    public var discoveryWaitOrDefault: TimeSpan { discoveryWait ?? Self.defaultDiscoveryWait }
}
