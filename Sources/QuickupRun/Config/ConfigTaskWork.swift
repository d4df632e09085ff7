import Foundation
import QuickupCore
import QuickupData
import QuickupRemote

/// Runs a `config.<uid>` task (K1–K3): reads its change file, and for a file target edits the
/// file on every host of the component over the run's SSH connections (each install a remote
/// step: once even across drops; the previous file kept on the host; nginx tested and
/// reloaded, K2), or for a Nacos target publishes through the Open API after keeping the
/// current content in the state directory, then reads it back (K3). New content is always
/// computed from the kept original, so running a task again yields the same result.
public struct ConfigTaskWork: Sendable {
    public let releaseRoot: String
    public let environment: Environment
    public let stateDirectory: String
    public let secrets: SecretResolver
    public let connections: SSHConnections

    public init(releaseRoot: String, environment: Environment, stateDirectory: String, secrets: SecretResolver, connections: SSHConnections) {
        self.releaseRoot = releaseRoot
        self.environment = environment
        self.stateDirectory = stateDirectory
        self.secrets = secrets
        self.connections = connections
    }

    var files: RemoteConfigFiles { RemoteConfigFiles(connections: connections) }

    /// Applies the task; returns the lines to show (one per host, or the Nacos publish).
    /// `markerGroup`: the first run of the resume chain (`Journal.firstRun`), which keys each
    /// host's install step, so a resume after a `kill -9` never installs twice (S1, E4).
    ///
    /// Hosts are changed one after another, on purpose (issue 18 item 3): SPEC K1 asks for the
    /// change "on the hosts that run the component", not for parallelism (S2 asks it of package
    /// transfers only; E1's parallelism is across components); a file edit is one round trip per
    /// host, so there is little to gain; and stopping at the first host that fails (a refused
    /// `nginx -t`, a permission) leaves the others untouched — the one-host-at-a-time caution of
    /// F1's rolling upgrade, which matters most for nginx, the site's entry point (K2).
    public func apply(_ task: UpgradeTask, markerGroup: String, attempt: Int) async throws(QuickupError) -> [String] {
        let (editor, target) = try prepare(task)
        switch target {
        case .nacos(let group, let dataId):
            return try await publish(task, editor, NacosClient.ConfigKey(group: group, dataId: dataId))
        case .file(let path):
            var lines: [String] = []
            for (host, path) in try placements(of: task, path: path) {
                let reading = try await files.read(path, taskKey: task.key, on: host)
                let content = try edit(editor, reading.original, name: "\(host.name):\(path)")
                let outcome = try await files.install(content, at: path, taskKey: task.key, on: host, runID: markerGroup,
                                                      stepID: "config-\(task.key)-\(host.name)",
                                                      nginx: editor.format == .nginx ? nginx : nil)
                var line = "   \(host.name): \(path) written (\(content.count) bytes; previous \(reading.original == nil ? "absent" : "kept"))"
                if !outcome.startedByThisCall { line += " by the install an interrupted attempt started (waited for, not run again)" }
                if editor.format == .nginx { line += "; " + Self.nginxSummary(outcome.stdout) }
                lines.append(line)
            }
            return lines
        }
    }

    /// The change file as an editor, and the target (validate checked both; checked again here
    /// because the release may have changed since).
    func prepare(_ task: UpgradeTask) throws(QuickupError) -> (ConfigEditor, ConfigTarget) {
        guard let format = task.configFormat, let target = task.configTarget, let file = task.file else {
            throw QuickupError(.manifestInvalid, "\(task.key) needs format, target and file", at: task.location,
                               hint: "see docs/FORMATS.md, config tasks")
        }
        let path = "\(releaseRoot)/\(task.directory)/\(file)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw QuickupError(.fileNotFound, "cannot read \(path) of \(task.key)", hint: "the release changed after planning; validate it again")
        }
        let display = "\(task.directory)/\(file)"
        let text = try UTF8Text.decode(Array(data), file: display, what: "change file")
        return (ConfigEditor(format: format, changeText: text, changeFile: display), target)
    }

    /// The hosts that run the task's component.
    func hosts(of task: UpgradeTask) throws(QuickupError) -> [HostConfig] {
        let hosts = environment.hosts.filter { $0.components.contains(task.component) }
        guard !hosts.isEmpty else {
            throw QuickupError(.invalidArgument, "no host in env.yaml runs component \(task.component): \(task.key) has no file to change",
                               at: task.location, hint: "list \(task.component) under components of its hosts in env.yaml")
        }
        return hosts
    }

    /// The hosts that run the task's component, each with the target's path there: an absolute
    /// path as written; `{install_dir}/…` below the component's install directory on that host
    /// (env.yaml `services.<component>.install_dir`, `{host}` resolved).
    func placements(of task: UpgradeTask, path: String) throws(QuickupError) -> [(host: HostConfig, path: String)] {
        let hosts = try hosts(of: task)
        guard let relative = ConfigTarget.belowInstallDir(path) else { return hosts.map { ($0, path) } }
        guard let service = environment.service(of: task.component), service.installDir != nil else {
            throw QuickupError(.invalidArgument, "\(task.key) changes \(path), but env.yaml gives no install_dir for the service \(task.component)",
                               at: task.location(of: "target"),
                               hint: "add services.\(task.component).install_dir to env.yaml, or give the target as an absolute path")
        }
        return hosts.map { host in (host, "\(service.resolved(on: host).installDir ?? "")/\(relative)") }
    }

    var nginx: NginxConfig { environment.nginx ?? NginxConfig() }

    func edit(_ editor: ConfigEditor, _ original: [UInt8]?, name: String) throws(QuickupError) -> [UInt8] {
        do {
            return try editor.apply(to: original ?? [], targetName: name)
        } catch {
            var first = error.errors.first ?? QuickupError(.configChange, "cannot edit \(name)")
            if error.errors.count > 1 {
                first = QuickupError(first.code, first.message + " (and \(error.errors.count - 1) more: " + error.errors.dropFirst().map(\.message).joined(separator: "; ") + ")",
                                     at: first.location, hint: first.hint)
            }
            throw first
        }
    }

    func nacosClient() throws(QuickupError) -> NacosClient {
        guard let config = environment.nacos else {
            throw QuickupError(.invalidArgument, "a config task targets Nacos but env.yaml has no nacos section",
                               hint: "add nacos: url, namespace, username and password_env to env.yaml")
        }
        return NacosClient(config: config, password: try secrets.secret(for: config.password, of: "nacos"))
    }

    /// K3: keep the current content once, publish the new content, read it back.
    private func publish(_ task: UpgradeTask, _ editor: ConfigEditor, _ key: NacosClient.ConfigKey) async throws(QuickupError) -> [String] {
        let client = try nacosClient()
        let kept = NacosKeptConfig(stateDirectory: stateDirectory, taskKey: task.key)
        let original: String?
        if let saved = try kept.load() {
            original = saved.content
        } else {
            original = try await client.fetchConfig(key)
            try kept.save(original)
        }
        let content = try edit(editor, original.map { Array($0.utf8) }, name: "nacos:\(key)")
        guard let text = String(validating: content, as: UTF8.self) else {
            throw QuickupError(.configChange, "the new content of nacos:\(key) is not UTF-8 text", at: task.location)
        }
        try await client.publish(key, content: text, type: Self.nacosType(editor.format))
        try await client.verify(key, content: text)
        return ["   nacos \(client.config.namespace ?? "public")/\(key): published \(content.count) bytes, read back (MD5 \(MD5.hex(content))); previous \(original == nil ? "absent" : "kept")"]
    }

    static func nacosType(_ format: ConfigFormat) -> String {
        switch format {
        case .properties: return "properties"
        case .yaml, .flink: return "yaml"
        case .file, .nginx: return "text"
        }
    }

    static func nginxSummary(_ stdout: String) -> String {
        let last = stdout.split(separator: "\n").last.map(String.init) ?? ""
        if last == "notrunning" { return "nginx -t passed; nginx is not running, nothing reloaded" }
        let fields = last.split(separator: " ")
        if fields.first == "reloaded", fields.count >= 2 {
            return "nginx -t passed, reloaded (master \(fields[1]), new workers \(fields.dropFirst(2).joined(separator: " ")))"
        }
        return "nginx -t passed, reloaded"
    }
}
