/// How a secret is found; the secret itself is read only when a connection is made (SPEC D4).
public enum CredentialRef: Hashable, Sendable, Codable, CustomStringConvertible {
    case none
    case literal(String)
    case environment(String)
    case file(String)

    /// Never shows a secret: safe for logs, reports and bundles.
    public var description: String {
        switch self {
        case .none: return "none"
        case .literal: return "literal (redacted)"
        case .environment(let name): return "env:\(name)"
        case .file(let path): return "file:\(path)"
        }
    }
}

/// Connection settings of one datasource at one site.
public struct DatasourceConfig: Hashable, Sendable, Codable {
    public var name: String
    public var type: DatasourceType
    public var host: String?
    public var port: Int?
    public var user: String?
    public var password: CredentialRef
    public var database: String?
    /// SQLite file, or a MariaDB unix socket.
    public var path: String?
    public var connectTimeout: TimeSpan?
    public var readTimeout: TimeSpan?
    /// Where the server keeps its data on its host (A1 measures that file system); the engine's
    /// usual directory when not given (`HostDiskNeeds.defaultDataDirectories`).
    public var dataDir: String?
    public var location: SourceLocation

    public init(name: String, type: DatasourceType, location: SourceLocation) {
        self.name = name
        self.type = type
        self.password = .none
        self.location = location
    }

    /// `user@host:port/database`, never the password (D3).
    public var displayName: String {
        if type == .sqlite { return "sqlite:\(path ?? "?")" }
        var text = ""
        if let user { text += "\(user)@" }
        text += host ?? "localhost"
        if let port { text += ":\(port)" }
        if let database { text += "/\(database)" }
        return text
    }
}

/// A machine of the installation, reached over SSH, and what runs on it.
public struct HostConfig: Hashable, Sendable, Codable {
    public var name: String
    public var address: String
    public var port: Int
    public var user: String?
    public var identityFile: String?
    /// How the host's SSH key is trusted (S1).
    public var hostKeyPolicy: HostKeyPolicy
    /// A pinned host key (`ssh-ed25519 AAAA…`): written to quickup's known_hosts, checked strictly.
    public var hostKey: String?
    /// quickup's known_hosts file for this host; the state directory's when not given.
    public var knownHostsFile: String?
    /// Where quickup keeps its step markers and service logs on the host.
    public var remoteStateDir: String
    public var roles: [String]
    public var components: [String]
    /// `ssh` (the default) or `local`: steps run as local processes on quickup's own machine (the
    /// demo and tests; docs/HOSTS.md "Local hosts").
    public var kind: HostKind = .ssh
    /// Added to every service port on this host, so that several `local` hosts on one machine
    /// do not collide (docs/HOSTS.md).
    public var portOffset: Int = 0
    public var location: SourceLocation

    /// Whether the host runs `component`: listed under `components:`, or one of its `roles:` is
    /// one of the component's `host_roles` (component.yaml).
    public func runs(_ component: String, hostRoles: [String]) -> Bool {
        components.contains(component) || !Set(roles).isDisjoint(with: hostRoles)
    }

    /// On the host's local disk and kept across reboots, unlike /tmp.
    public static let defaultRemoteStateDir = "/var/tmp/quickup"

    public init(name: String, address: String, location: SourceLocation) {
        self.name = name
        self.address = address
        self.port = 22
        self.hostKeyPolicy = .strict
        self.remoteStateDir = Self.defaultRemoteStateDir
        self.roles = []
        self.components = []
        self.location = location
    }
}

/// How quickup reaches a host.
public enum HostKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Over OpenSSH (S1).
    case ssh
    /// Steps run as local processes (`sh -s`) on quickup's machine: `quickup demo`, tests.
    case local
}

/// The Nacos server used for service discovery and configuration (S3, K3).
public struct NacosConfig: Hashable, Sendable, Codable {
    public var url: String
    public var namespace: String?
    public var group: String?
    public var username: String?
    public var password: CredentialRef
    public var discoveryWait: TimeSpan?
    /// Which config API publishes (K3): `v1` (`/nacos/v1/cs/configs`, every server) or `v2`
    /// (`/nacos/v2/cs/config`, Nacos ≥ 2.2). Default v1.
    public var configAPI: NacosConfigAPI = .v1
    public init(url: String) {
        self.url = url
        self.password = .none
    }
}

/// The Open API generation used for configurations (K3).
public enum NacosConfigAPI: String, Hashable, Sendable, Codable, CaseIterable {
    case v1, v2
}

/// How quickup tests and reloads nginx on the hosts (K2; env.yaml `nginx:`).
public struct NginxConfig: Hashable, Sendable, Codable {
    /// The nginx executable on the hosts.
    public var binary = "nginx"
    /// The main configuration file (`-c`), which includes the files config tasks change.
    public var conf = "/etc/nginx/nginx.conf"
    /// The prefix (`-p`), when nginx runs with one.
    public var prefix: String?
    /// The master's pid file: its workers show whether a reload took.
    public var pidFile = "/run/nginx.pid"
    /// Asked after the reload; it must answer 2xx.
    public var healthURL: String?
    /// How long a reload may take to bring up new workers.
    public var reloadTimeout: TimeSpan = .seconds(10)
    public var location: SourceLocation?

    public init() {}
}

/// Assessment thresholds (A1), overridable per environment.
public struct Thresholds: Hashable, Sendable, Codable {
    public var cpuIdlePercent: Double = 20
    public var memoryFree: ByteSize = ByteSize(bytes: 1 << 30)
    public var diskFactor: Double = 2
    public var warnMarginPercent: Double = 10
    public init() {}
}

/// One installation at one customer site (env.yaml).
public struct Environment: Hashable, Sendable, Codable {
    public var site: String
    public var name: String?
    public var hosts: [HostConfig]
    public var datasources: [DatasourceConfig]
    public var nacos: NacosConfig?
    /// nginx on the hosts, for `format=nginx` config tasks (K2); defaults when absent.
    public var nginx: NginxConfig?
    /// How each component's service is stopped and started (S3), by component name.
    public var services: [ServiceDefinition]
    /// SSH keepalive and reconnect policy per connection class (S1; env.yaml `ssh:`).
    public var keepalive: KeepalivePolicies
    public var thresholds: Thresholds
    public var backupDir: String?
    public var backupRetention: TimeSpan?

    public init(site: String) {
        self.site = site
        self.hosts = []
        self.datasources = []
        self.services = []
        self.keepalive = .defaults
        self.thresholds = Thresholds()
    }

    public func datasource(named name: String) -> DatasourceConfig? {
        datasources.first { $0.name == name }
    }

    public func service(of component: String) -> ServiceDefinition? {
        services.first { $0.component == component }
    }
}
