import QuickupCore

/// The outcome of loading env.yaml: the values read and every problem found.
public struct LoadedEnvironment: Sendable {
    public var environment: Environment
    public var diagnostics: Diagnostics
    /// False when the file is not YAML at all: then nothing was read, and checks against the
    /// release ("no datasource X") would only repeat that one mistake many times.
    public var parsed = true
}

/// Reads env.yaml (docs/FORMATS.md): site, hosts, datasources with credential references,
/// Nacos, thresholds, backups. Secrets are not read here, only where they are found (D4).
public struct EnvironmentLoader: Sendable {
    public init() {}

    public func load(file: String, text: String) -> LoadedEnvironment {
        let sink = DiagnosticSink()
        var env = Environment(site: "")
        guard let yaml = YAMLObject.load(text: text, file: file, sink: sink, what: "env.yaml") else {
            return LoadedEnvironment(environment: env, diagnostics: sink.diagnostics, parsed: false)
        }
        env.site = yaml.string("site", required: true) ?? ""
        env.name = yaml.string("name")
        for item in yaml.objects("hosts") { readHost(item, into: &env) }
        for (name, item) in yaml.namedObjects("datasources") { readDatasource(name, item, into: &env) }
        for (name, item) in yaml.namedObjects("services") { readService(name, item, into: &env) }
        if let ssh = yaml.object("ssh") { readKeepalive(ssh, into: &env) }
        if let nacos = yaml.object("nacos") {
            var config = NacosConfig(url: nacos.string("url", required: true) ?? "")
            config.namespace = nacos.string("namespace")
            config.group = nacos.string("group")
            config.username = nacos.string("username")
            config.password = credential(nacos)
            config.discoveryWait = nacos.parsed("discovery_wait", expected: "a duration such as 5s", TimeSpan.parse)
            config.configAPI = nacos.oneOf("config_api", NacosConfigAPI.self) ?? .v1
            nacos.finish(context: "nacos")
            env.nacos = config
        }
        if let nginx = yaml.object("nginx") {
            var config = NginxConfig()
            config.location = nginx.location()
            if let v = nginx.string("binary") { config.binary = v }
            if let v = nginx.string("conf") { config.conf = v }
            config.prefix = nginx.string("prefix")
            if let v = nginx.string("pid_file") { config.pidFile = v }
            config.healthURL = nginx.string("health_url")
            if let v = nginx.parsed("reload_timeout", expected: "a duration such as 10s", TimeSpan.parse) { config.reloadTimeout = v }
            nginx.finish(context: "nginx")
            env.nginx = config
        }
        if let t = yaml.object("thresholds") {
            if let v = t.double("cpu_idle_min") { env.thresholds.cpuIdlePercent = v }
            if let v = t.parsed("memory_free_min", expected: "a size such as 1GiB", ByteSize.parse) { env.thresholds.memoryFree = v }
            if let v = t.double("disk_factor") { env.thresholds.diskFactor = v }
            if let v = t.double("warn_margin") { env.thresholds.warnMarginPercent = v }
            t.finish(context: "thresholds")
        }
        if let backup = yaml.object("backup") {
            env.backupDir = backup.string("dir")
            env.backupRetention = backup.parsed("retention", expected: "a duration such as 30d", TimeSpan.parse)
            backup.finish(context: "backup")
        }
        yaml.finish(context: "env.yaml")
        return LoadedEnvironment(environment: env, diagnostics: sink.diagnostics)
    }

    private func readHost(_ item: YAMLObject, into env: inout Environment) {
        let name = item.string("name", required: true) ?? ""
        let kind = item.oneOf("kind", HostKind.self) ?? .ssh
        var host = HostConfig(name: name, address: item.string("address", required: kind == .ssh) ?? "127.0.0.1", location: item.location())
        host.kind = kind
        host.portOffset = item.int("port_offset", min: 0) ?? 0
        host.port = item.int("port", min: 1) ?? 22
        host.user = item.string("user")
        host.identityFile = item.string("identity_file")
        host.hostKeyPolicy = item.oneOf("host_key_policy", HostKeyPolicy.self) ?? .strict
        host.hostKey = item.string("host_key")
        host.knownHostsFile = item.string("known_hosts")
        host.remoteStateDir = item.string("state_dir") ?? HostConfig.defaultRemoteStateDir
        if let key = host.hostKey, key.split(separator: " ").count < 2 {
            item.sink.error("invalid value for host_key: expected '<type> <base64>' as in a .pub file, e.g. 'ssh-ed25519 AAAA…'",
                            at: item.location("host_key"))
        }
        if host.hostKey != nil, host.hostKeyPolicy == .acceptNew {
            item.sink.error("a pinned host_key is checked strictly; remove host_key_policy: accept-new or the pin",
                            at: item.location("host_key_policy"))
        }
        host.roles = item.strings("roles") ?? []
        host.components = item.strings("components") ?? []
        item.finish(context: "a host")
        if env.hosts.contains(where: { $0.name == name }) {
            item.sink.error("host '\(name)' declared twice", at: item.location("name"))
        }
        env.hosts.append(host)
    }

    private func readDatasource(_ name: String, _ item: YAMLObject, into env: inout Environment) {
        guard let type = item.oneOf("type", DatasourceType.self) else {
            if item.value("type") == nil { item.sink.error("missing key 'type'", at: item.location()) }
            item.finish(context: "datasource '\(name)'")
            return
        }
        var config = DatasourceConfig(name: name, type: type, location: item.location())
        config.host = item.string("host")
        config.port = item.int("port", min: 1)
        config.user = item.string("user")
        config.database = item.string("database")
        config.path = item.string("path")
        config.password = credential(item)
        config.connectTimeout = item.parsed("connect_timeout", expected: "a duration such as 5s", TimeSpan.parse)
        config.readTimeout = item.parsed("read_timeout", expected: "a duration such as 30s", TimeSpan.parse)
        config.dataDir = item.string("data_dir")
        if type == .sqlite, config.path == nil {
            item.sink.error("a sqlite datasource needs 'path'", at: item.location())
        } else if type != .sqlite, config.host == nil, config.path == nil {
            item.sink.error("datasource '\(name)' needs 'host' (or 'path' for a unix socket)", at: item.location())
        }
        item.finish(context: "datasource '\(name)'")
        env.datasources.append(config)
    }

    /// `services.<component>`: how the component's service stops and starts (S3, docs/HOSTS.md).
    private func readService(_ component: String, _ item: YAMLObject, into env: inout Environment) {
        var service = ServiceDefinition(component: component, start: item.string("start", required: true) ?? "", location: item.location())
        service.stop = item.string("stop")
        service.port = item.int("port", min: 1)
        service.healthURL = item.string("health_url")
        service.pidFile = item.string("pid_file")
        service.processMatch = item.string("process_match")
        service.nacosService = item.string("nacos_service")
        service.stopGrace = item.parsed("stop_grace", expected: "a duration such as 15s", TimeSpan.parse) ?? ServiceDefinition.defaultStopGrace
        service.startTimeout = item.parsed("start_timeout", expected: "a duration such as 2m", TimeSpan.parse) ?? ServiceDefinition.defaultStartTimeout
        service.installDir = item.string("install_dir")
        service.owner = item.string("owner")
        service.mode = item.string("mode")
        service.versionURL = item.string("version_url")
        if let dir = service.installDir, !dir.hasPrefix("/") {
            item.sink.error("install_dir of service '\(component)' must be an absolute path, got '\(dir)'", at: item.location("install_dir"))
        }
        if service.port == nil, service.healthURL == nil {
            item.sink.error("service '\(component)' needs 'port' or 'health_url': quickup must know when it is ready", at: item.location())
        }
        if service.stop == nil, service.pidFile == nil, service.processMatch == nil {
            item.sink.error("service '\(component)' needs 'stop', 'pid_file' or 'process_match': quickup must know what to stop",
                            at: item.location())
        }
        item.finish(context: "service '\(component)'")
        env.services.append(service)
    }

    /// `ssh.<class>`: keepalive interval, timeout and reconnect tries per connection class (S1).
    private func readKeepalive(_ ssh: YAMLObject, into env: inout Environment) {
        for connectionClass in ConnectionClass.allCases {
            guard let item = ssh.object(connectionClass.rawValue) else { continue }
            var policy = KeepalivePolicy.defaults(for: connectionClass)
            policy.interval = item.parsed("interval", expected: "a duration such as 60s", TimeSpan.parse) ?? policy.interval
            policy.timeout = item.parsed("timeout", expected: "a duration such as 180s", TimeSpan.parse) ?? policy.timeout
            policy.reconnectTries = item.int("reconnects") ?? policy.reconnectTries
            policy.connectTimeout = item.parsed("connect_timeout", expected: "a duration such as 15s", TimeSpan.parse) ?? policy.connectTimeout
            if policy.timeout < policy.interval {
                item.sink.error("timeout \(policy.timeout) is shorter than the keepalive interval \(policy.interval)", at: item.location("timeout"))
            }
            item.finish(context: "ssh.\(connectionClass.rawValue)")
            env.keepalive[connectionClass] = policy
        }
        ssh.finish(context: "ssh")
    }

    /// Exactly one of password, password_env, password_file (D4).
    private func credential(_ item: YAMLObject) -> CredentialRef {
        let literal = item.string("password"), variable = item.string("password_env"), file = item.string("password_file")
        let given = [literal, variable, file].compactMap { $0 }
        if given.count > 1 {
            item.sink.error("give only one of password, password_env, password_file", at: item.location())
        }
        if let variable { return .environment(variable) }
        if let file { return .file(file) }
        if let literal { return .literal(literal) }
        return .none
    }
}
