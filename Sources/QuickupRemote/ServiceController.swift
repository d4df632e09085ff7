import Foundation
import QuickupCore

/// Graceful stop and start of a component's service on one host (S3, §6.1.3.5).
///
/// Stop: mark the instance offline in Nacos, wait the discovery interval so clients stop
/// routing to it, then the stop command or SIGTERM, up to `stop_grace` for it to end, SIGKILL,
/// and check that its port is closed. Start: the start command (detached), wait until the port
/// (and health URL) answers within `start_timeout`, then mark the instance online in Nacos.
public struct ServiceController: Sendable {
    public let connections: SSHConnections
    public var nacos: NacosClient?
    /// How often the host polls the process and the port.
    public var poll: TimeSpan

    public init(connections: SSHConnections, nacos: NacosClient?, poll: TimeSpan = TimeSpan(milliseconds: 100)) {
        self.connections = connections
        self.nacos = nacos
        self.poll = poll
    }

    public struct StopReport: Sendable, Equatable {
        public var markedOffline = false
        public var wasRunning = false
        /// SIGKILL was needed: the service outlived its grace period.
        public var killed = false
        /// From SIGTERM (or the stop command) to the end of the process, measured on the host.
        public var stopTime: TimeSpan?
    }

    public struct StartReport: Sendable, Equatable {
        /// From the start command to readiness, measured on the host.
        public var readyAfter: TimeSpan
        public var markedOnline = false
        public var pid: Int?
    }

    public func stop(_ service: ServiceDefinition, on host: HostConfig) async throws(QuickupError) -> StopReport {
        var report = StopReport()
        if let nacos, let instance = instance(service, host) {
            try await nacos.setEnabled(false, instance)
            report.markedOffline = true
            let wait = nacos.config.discoveryWaitOrDefault
            connections.context.log("\(host.name): \(service.component) marked offline in Nacos; waiting \(wait) for clients to notice")
            do { try await connections.context.sleep(wait.duration) } catch {
                throw QuickupError(.cancelled, "stopping \(service.component) on \(host.name) was cancelled (it is offline in Nacos but still running)")
            }
        }
        let result = try await connections.connection(to: host, .control).run(ServiceScripts.stop(service, poll: poll), retryOnDrop: true)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        guard result.succeeded, let first = lines.first else {
            throw QuickupError(.remoteCommandFailed, "cannot stop \(service.component) on \(host.name): \(SSHConnection.firstLine(result.stderr) ?? "status \(result.status)")",
                               at: service.location, hint: "check stop, pid_file and process_match of services.\(service.component) in env.yaml")
        }
        let fields = first.split(separator: " ")
        report.wasRunning = fields.first != "notrunning"
        report.killed = fields.first == "killed"
        report.stopTime = fields.count > 1 ? Int64(fields[1]).map { TimeSpan(milliseconds: $0) } : nil
        if lines.contains("port-open") {
            throw QuickupError(.serviceStillRunning, "port \(service.port ?? 0) on \(host.name) is still open after stopping \(service.component)"
                               + (report.killed ? " with SIGKILL" : ""),
                               at: service.location, hint: "another process holds the port, or pid_file/process_match do not find the service: check `ss -ltnp` on \(host.name)")
        }
        return report
    }

    public func start(_ service: ServiceDefinition, on host: HostConfig) async throws(QuickupError) -> StartReport {
        let connection = connections.connection(to: host, .control)
        let log = Self.logPath(service, host)
        // Not retried on a drop: a start command may not be safe to run twice.
        let started = try await connection.run(ServiceScripts.start(service, log: log))
        let launch = try Self.launch(succeeded: started.succeeded, stdout: started.stdoutText, stderr: started.stderr,
                                     status: started.status, service, host)
        return try await waitReadyAndOnline(service, on: host, log: log, launch: launch)
    }

    /// What the start script answered: "started PID LAUNCHED_AT", or an error naming the command.
    static func launch(succeeded: Bool, stdout: String, stderr: String, status: Int32,
                       _ service: ServiceDefinition, _ host: HostConfig) throws(QuickupError) -> (pid: Int, launchedAt: Int64) {
        let fields = stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard succeeded, fields.count == 3, fields[0] == "started", let pid = Int(fields[1]), let launchedAt = Int64(fields[2]) else {
            throw QuickupError(.remoteCommandFailed, "cannot start \(service.component) on \(host.name): \(SSHConnection.firstLine(stderr) ?? "status \(status)")",
                               at: service.location, hint: "check services.\(service.component).start in env.yaml")
        }
        return (pid, launchedAt)
    }

    /// Waits until a launched service is ready (port and health URL), then marks it online in
    /// Nacos. Safe to repeat: only reads on the host.
    func waitReadyAndOnline(_ service: ServiceDefinition, on host: HostConfig, log: String,
                            launch: (pid: Int, launchedAt: Int64)) async throws(QuickupError) -> StartReport {
        let connection = connections.connection(to: host, .control)
        let waited = try await connection.run(ServiceScripts.waitReady(service, log: log, poll: poll, launchedAt: launch.launchedAt), retryOnDrop: true)
        return try await readyAndOnline(waited.stdoutText, service, on: host, log: log, launch: launch)
    }

    /// What the readiness wait answered (`ready MS`, or `timeout MS` and the log's last lines):
    /// the report, the instance marked online in Nacos — or the error naming what stayed down.
    func readyAndOnline(_ answerText: String, _ service: ServiceDefinition, on host: HostConfig, log: String,
                        launch: (pid: Int, launchedAt: Int64)) async throws(QuickupError) -> StartReport {
        let lines = answerText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let answer = lines.first?.split(separator: " ") ?? []
        guard answer.first == "ready", answer.count > 1, let ms = Int64(answer[1]) else {
            let what = [service.port.map { "port \($0) stayed closed" }, service.healthURL.map { "\($0) did not answer 2xx" }]
                .compactMap { $0 }.joined(separator: " or ")
            let tail = lines.dropFirst().filter { !$0.isEmpty }.suffix(5).joined(separator: " | ")
            throw QuickupError(.serviceNotReady, "\(service.component) on \(host.name) did not become ready within \(service.startTimeout): \(what)",
                               at: service.location,
                               hint: "look at its log \(log) on \(host.name)" + (tail.isEmpty ? "" : " (last lines: \(tail))")
                                   + "; fix the start command or the port, or raise services.\(service.component).start_timeout in env.yaml if it needs longer")
        }
        var report = StartReport(readyAfter: TimeSpan(milliseconds: ms), pid: launch.pid)
        if let nacos, let instance = instance(service, host) {
            try await nacos.setEnabled(true, instance)
            report.markedOnline = true
        }
        return report
    }

    /// The Nacos instance of a service on a host: the host's address and the service's port.
    func instance(_ service: ServiceDefinition, _ host: HostConfig) -> NacosClient.Instance? {
        guard let port = service.port else {
            connections.context.log("\(host.name): \(service.component) has no port; not marked in Nacos")
            return nil
        }
        return NacosClient.Instance(serviceName: service.nacosServiceName, ip: host.address, port: port)
    }

    static func logPath(_ service: ServiceDefinition, _ host: HostConfig) -> String {
        "\(host.remoteStateDir)/services/\(RemoteStep.safe(service.component)).log"
    }
}
