import QuickupCore

/// Reads one component folder: component.yaml, then every `upgrade/<version>/` (SPEC §3).
struct ComponentLoader {
    let files: ReleaseFiles
    let sink: DiagnosticSink
    /// Lint each script as it is validated (N1), when given.
    var lint: LintPass? = nil
    /// Whether tasks get their checksums (M7; `ReleaseLoader.load(checksums:)`).
    var checksums = true

    /// The component, and whether its datasources are known: when component.yaml is missing or
    /// its datasources could not be read, every task would otherwise add a follow-on "no SQL
    /// datasource" error to the one that names the cause (issue 14 item 2).
    struct Loaded {
        var component: Component
        var datasourcesKnown: Bool
        var lint: ComponentLintResult?
    }

    func load(name: String) -> Loaded {
        var component = Component(name: name, location: SourceLocation(file: files.display("\(name)/component.yaml")))
        var datasourcesKnown = false
        if files.exists("\(name)/component.yaml") {
            datasourcesKnown = readComponentYAML(&component)
        } else {
            sink.error("missing component.yaml", at: SourceLocation(file: files.display(name)),
                       hint: "every component declares its datasources and plugin class in component.yaml")
        }
        let upgrade = "\(name)/upgrade"
        let linter = lint.map { ComponentLint(pass: $0, componentDisabled: component.lintDisabled) }
        guard files.isDirectory(upgrade) else { return Loaded(component: component, datasourcesKnown: datasourcesKnown, lint: linter?.finish(component)) }
        // What a version's loader reads of the component — its name, datasources and settings —
        // without the tasks and rules loaded so far: sharing them, `load(into:)` copied every
        // earlier version's tasks to append its own (P5, issue 20.1: 1 % of `plan --json`).
        var settings = component
        settings.tasks = []
        settings.qualityRules = []
        for entry in files.list(upgrade) where !entry.hasPrefix(".") {
            let path = "\(upgrade)/\(entry)"
            guard files.isDirectory(path) else { continue }
            guard let version = Version.parse(entry) else {
                sink.error("invalid version format: '\(entry)'", at: SourceLocation(file: files.display(path)),
                           hint: "version folders are named like V2.16.7 or V2.16.7-P1")
                continue
            }
            VersionFolderLoader(files: files, sink: sink, component: settings, version: version, folder: path, lint: linter, checksums: checksums)
                .load(into: &component)
        }
        return Loaded(component: component, datasourcesKnown: datasourcesKnown, lint: linter?.finish(component))
    }

    /// `package: DIR`: the folder must be there with one sub-folder per version (docs/FORMATS.md
    /// "Artefacts"), or nothing can be installed (issue 15 item 1).
    private func readPackage(_ name: String, at location: SourceLocation, into component: inout Component) {
        let folder = "\(component.name)/\(name)"
        guard !name.hasPrefix("/"), !name.split(separator: "/").contains(".."), files.isDirectory(folder) else {
            sink.error("package folder '\(name)' of component \(component.name) is missing", at: location,
                       hint: "put what the component installs in \(folder)/<version>/ (docs/FORMATS.md, Artefacts), or remove 'package'")
            return
        }
        var versions: [Version] = []
        for entry in files.list(folder) where !entry.hasPrefix(".") && files.isDirectory("\(folder)/\(entry)") {
            guard let version = Version.parse(entry) else {
                sink.error("invalid version format: '\(entry)'", at: SourceLocation(file: files.display("\(folder)/\(entry)")),
                           hint: "package folders are named like V2.16.7 or V2.16.7-P1")
                continue
            }
            versions.append(version)
        }
        if versions.isEmpty {
            sink.error("package folder '\(name)' of component \(component.name) has no version folder", at: location,
                       hint: "put the files of each version in \(folder)/<version>/")
        }
        component.packageFolder = name
        component.packageVersions = versions.sorted()
    }

    /// Reads component.yaml; returns false when its datasources could not be read.
    private func readComponentYAML(_ component: inout Component) -> Bool {
        let file = files.display("\(component.name)/component.yaml")
        guard let text = files.readText("\(component.name)/component.yaml", sink: sink),
              let yaml = YAMLObject.load(text: text, file: file, sink: sink, what: "component.yaml") else { return false }
        if let name = yaml.string("name"), name != component.name {
            sink.error("name '\(name)' differs from the folder name '\(component.name)'", at: yaml.location("name"))
        }
        _ = yaml.string("description")
        component.pluginClass = yaml.oneOf("plugin_class", PluginClass.self) ?? .business
        let errorsBeforeDatasources = sink.diagnostics.errors.count
        for item in yaml.objects("datasources") {
            guard let name = item.string("name", required: true), let type = item.oneOf("type", DatasourceType.self) else {
                if item.value("type") == nil { sink.error("missing key 'type'", at: item.location()) }
                item.finish(context: "a datasource")
                continue
            }
            if component.datasource(named: name) != nil {
                sink.error("datasource '\(name)' declared twice", at: item.location("name"))
            }
            var ref = DatasourceRef(name: name, type: type)
            ref.minServerVersion = item.parsed("min_server_version", expected: "a server version such as 19.14 or 10.11") {
                ServerVersion($0)?.description
            }
            component.datasources.append(ref)
            item.finish(context: "a datasource")
        }
        let datasourcesKnown = sink.diagnostics.errors.count == errorsBeforeDatasources
        component.dependsOn = yaml.strings("depends_on") ?? []
        component.hostRoles = yaml.strings("host_roles") ?? []
        component.backupTables = yaml.strings("backup_tables") ?? []
        component.keep = yaml.strings("keep") ?? []
        if let folder = yaml.string("package") {
            readPackage(folder, at: yaml.location("package"), into: &component)
        }
        if let hooks = yaml.object("hooks") {
            for point in HookPoint.allCases {
                guard let entry = hooks.string(point.rawValue) else { continue }
                switch ToolEntry(entry) {
                case nil:
                    sink.error("invalid value '\(entry)': expected a relative executable path or module:function", at: hooks.location(point.rawValue))
                case .executable(let path)?:
                    if case .failure(let problem) = files.resolve(path, from: component.name) {
                        sink.error("'\(path)' \(problem.message)", at: hooks.location(point.rawValue))
                    }
                case .python(let module, _)?:
                    let candidates = ToolEntry(entry)?.pythonModuleCandidates(under: "hooks") ?? []
                    if !candidates.contains(where: { files.exists("\(component.name)/\($0)") }) {
                        sink.error("Python module '\(module)' of hook \(point.rawValue) not found", at: hooks.location(point.rawValue),
                                   hint: "expected \(candidates.map { files.display("\(component.name)/\($0)") }.joined(separator: " or "))")
                    }
                }
                component.hooks[point] = entry
            }
            hooks.finish(context: "hooks")
        }
        if let needs = yaml.object("resources") {
            component.needsMemory = needs.parsed("memory", expected: "a size such as 512MB", ByteSize.parse)
            component.needsDisk = needs.parsed("disk", expected: "a size such as 10GB", ByteSize.parse)
            needs.finish(context: "resources")
        }
        if let limits = yaml.object("limits") {
            component.limits.memory = limits.parsed("memory", expected: "a size such as 512MiB", ByteSize.parse)
            component.limits.cpuPercent = limits.parsed("cpu", expected: "a percentage such as 50%") { text in
                Int(text.hasSuffix("%") ? String(text.dropLast()) : text).flatMap { (1...100).contains($0) ? $0 : nil }
            }
            component.limits.processes = limits.int("processes", min: 1)
            component.limits.cpuTime = limits.parsed("cpu_time", expected: "a duration such as 10m", TimeSpan.parse)
            component.limits.network = limits.parsed("network", expected: "true|false", Bool.init)
            component.limits.readOnlyRoot = limits.parsed("read_only_root", expected: "true|false", Bool.init)
            limits.finish(context: "limits")
        }
        if let onFailure = yaml.object("on_failure") {
            component.onFailure = FailurePolicy.Override(
                action: onFailure.oneOf("action", FailurePolicy.Action.self),
                tries: onFailure.int("tries", min: 1),
                interval: onFailure.parsed("interval", expected: "a duration such as 10s", TimeSpan.parse))
            onFailure.finish(context: "on_failure")
        }
        if let service = yaml.object("service") {
            var spec = ServiceSpec()
            spec.name = service.string("name")
            spec.start = service.string("start")
            spec.stop = service.string("stop")
            spec.port = service.int("port", min: 1)
            spec.healthURL = service.string("health_url")
            spec.startTimeout = service.parsed("start_timeout", expected: "a duration such as 120s", TimeSpan.parse)
            service.finish(context: "service")
            component.service = spec
        }
        component.lintDisabled = LintSettings.disabledRules(yaml)
        yaml.finish(context: "component.yaml")
        return datasourcesKnown
    }
}
