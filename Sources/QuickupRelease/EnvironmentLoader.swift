import QuickupCore

/// The outcome of loading env.yaml: the values read and every problem found.
public struct LoadedEnvironment: Sendable {
    public var environment: Environment
    public var diagnostics: Diagnostics
}

/// Reads env.yaml (docs/FORMATS.md): site, hosts, datasources with credential references,
/// Nacos, thresholds, backups. Secrets are not read here, only where they are found (D4).
public struct EnvironmentLoader: Sendable {
    public init() {}

    public func load(file: String, text: String) -> LoadedEnvironment {
        let sink = DiagnosticSink()
        var env = Environment(site: "")
        guard let yaml = YAMLObject.load(text: text, file: file, sink: sink, what: "env.yaml") else {
            return LoadedEnvironment(environment: env, diagnostics: sink.diagnostics)
        }
        env.site = yaml.string("site", required: true) ?? ""
        env.name = yaml.string("name")
        for item in yaml.objects("hosts") { readHost(item, into: &env) }
        for (name, item) in yaml.namedObjects("datasources") { readDatasource(name, item, into: &env) }
        if let nacos = yaml.object("nacos") {
            var config = NacosConfig(url: nacos.string("url", required: true) ?? "")
            config.namespace = nacos.string("namespace")
            config.group = nacos.string("group")
            config.username = nacos.string("username")
            config.password = credential(nacos)
            config.discoveryWait = nacos.parsed("discovery_wait", expected: "a duration such as 5s", TimeSpan.parse)
            nacos.finish(context: "nacos")
            env.nacos = config
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
        var host = HostConfig(name: name, address: item.string("address", required: true) ?? "", location: item.location())
        host.port = item.int("port", min: 1) ?? 22
        host.user = item.string("user")
        host.identityFile = item.string("identity_file")
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
        if type == .sqlite, config.path == nil {
            item.sink.error("a sqlite datasource needs 'path'", at: item.location())
        } else if type != .sqlite, config.host == nil, config.path == nil {
            item.sink.error("datasource '\(name)' needs 'host' (or 'path' for a unix socket)", at: item.location())
        }
        item.finish(context: "datasource '\(name)'")
        env.datasources.append(config)
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
