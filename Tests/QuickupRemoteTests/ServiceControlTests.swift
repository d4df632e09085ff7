import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRemote

/// S3: graceful stop and start of a real process on the host, with a fake Nacos recording calls.
@Suite(.serialized) struct ServiceControlTests {
    /// The "Java service": listens on a port after `delay` seconds, notes SIGTERM, and either exits
    /// on it or (mode ignore-term) carries on until SIGKILL.
    static let service = """
    import signal, socket, sys, time
    port, mode, events, delay = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
    def note(text):
        with open(events, "a") as f:
            f.write("%s %.3f\\n" % (text, time.time()))
    def on_term(signum, frame):
        note("SIGTERM")
        if mode != "ignore-term":
            sys.exit(0)
    signal.signal(signal.SIGTERM, on_term)
    time.sleep(delay)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    note("listening")
    while True:
        c, _ = s.accept()
        if mode == "http":
            c.recv(4096)
            c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
        c.close()

    """

    struct Setup {
        var fixture: RemoteFixture
        var nacos: FakeNacos
        var controller: ServiceController
        var definition: ServiceDefinition
        var events: String
        var port: Int
    }

    /// A free port the OS picked.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func with(mode: String = "normal", delay: Double = 0, grace: TimeSpan = .seconds(15), startTimeout: TimeSpan = .seconds(20),
                     _ body: (Setup) async throws -> Void) async throws {
        try await RemoteFixture.with { fixture in
            let nacos = try FakeNacos()
            defer { nacos.stop() }
            let port = freePort()
            try fixture.state.write("service.py", service)
            let events = fixture.state.path + "/events"
            var definition = ServiceDefinition(component: "gps", start: "exec /usr/bin/python3 \(fixture.state.path)/service.py \(port) \(mode) \(events) \(delay)",
                                               location: SourceLocation(file: "env.yaml", line: 40))
            definition.port = port
            definition.processMatch = "service.py \(port)"
            definition.nacosService = "gps-service"
            definition.stopGrace = grace
            definition.startTimeout = startTimeout
            var config = NacosConfig(url: nacos.url)
            config.namespace = "smartpark"
            config.username = FakeNacos.username
            config.discoveryWait = TimeSpan(milliseconds: 300)
            let controller = ServiceController(connections: fixture.connections, nacos: NacosClient(config: config, password: FakeNacos.password))
            do {
                try await body(Setup(fixture: fixture, nacos: nacos, controller: controller, definition: definition, events: events, port: port))
            } catch {
                for pid in processesRunning(containing: "service.py \(port)") { kill(pid, SIGKILL) }
                throw error
            }
            for pid in processesRunning(containing: "service.py \(port)") { kill(pid, SIGKILL) }
        }
    }

    static func events(_ path: String) -> [(String, Double)] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            return parts.count == 2 ? (String(parts[0]), Double(parts[1]) ?? 0) : nil
        }
    }

    @Test("S3: start waits for the port, then marks the instance online in Nacos (after logging in)")
    func startThenOnline() async throws {
        try await Self.with(delay: 0.5) { setup in
            let report = try await setup.controller.start(setup.definition, on: setup.fixture.host)
            #expect(report.readyAfter >= TimeSpan(milliseconds: 400), "not ready before the service listened")
            #expect(report.markedOnline)
            #expect(TCPProbe.accepts(address: "127.0.0.1", port: setup.port))
            let calls = setup.nacos.calls
            #expect(calls.map(\.path) == ["/nacos/v1/auth/login", "/nacos/v1/ns/instance"])
            let update = try #require(calls.last)
            #expect(update.method == "PUT")
            #expect(update.parameters["enabled"] == "true")
            #expect(update.parameters["serviceName"] == "gps-service")
            #expect(update.parameters["ip"] == "127.0.0.1")
            #expect(update.parameters["port"] == "\(setup.port)")
            #expect(update.parameters["namespaceId"] == "smartpark")
            #expect(update.parameters["accessToken"] == FakeNacos.token)
            let listening = try #require(Self.events(setup.events).first { $0.0 == "listening" })
            #expect(update.at.timeIntervalSince1970 >= listening.1 - 0.01, "online only once ready")
        }
    }

    @Test("S3: graceful stop — offline in Nacos, the discovery wait, SIGTERM, the port closed")
    func gracefulStop() async throws {
        try await Self.with { setup in
            _ = try await setup.controller.start(setup.definition, on: setup.fixture.host)
            let report = try await setup.controller.stop(setup.definition, on: setup.fixture.host)
            #expect(report == ServiceController.StopReport(markedOffline: true, wasRunning: true, killed: false, stopTime: report.stopTime))
            #expect(!TCPProbe.accepts(address: "127.0.0.1", port: setup.port))
            #expect(processesRunning(containing: "service.py \(setup.port)").isEmpty)
            let offline = try #require(setup.nacos.calls.last)
            #expect(offline.parameters["enabled"] == "false")
            #expect(setup.fixture.recordedSleeps.contains(.milliseconds(300)), "the discovery wait from env.yaml")
            let term = try #require(Self.events(setup.events).first { $0.0 == "SIGTERM" })
            #expect(term.1 >= offline.at.timeIntervalSince1970 - 0.01, "SIGTERM only after the instance went offline")
            // Stopping again finds nothing running and still checks the port.
            let again = try await setup.controller.stop(setup.definition, on: setup.fixture.host)
            #expect(again.wasRunning == false)
        }
    }

    @Test("S3: a service ignoring SIGTERM is killed after the (shortened) grace period")
    func killedAfterGrace() async throws {
        try await Self.with(mode: "ignore-term", grace: .seconds(1)) { setup in
            _ = try await setup.controller.start(setup.definition, on: setup.fixture.host)
            let report = try await setup.controller.stop(setup.definition, on: setup.fixture.host)
            #expect(report.killed)
            #expect((report.stopTime ?? TimeSpan(milliseconds: 0)) >= TimeSpan.seconds(1))
            #expect(Self.events(setup.events).contains { $0.0 == "SIGTERM" }, "SIGTERM came first")
            #expect(!TCPProbe.accepts(address: "127.0.0.1", port: setup.port))
            #expect(processesRunning(containing: "service.py \(setup.port)").isEmpty)
        }
    }

    @Test("S3: readiness timeout — a clear error naming host, service, port and what to do; Nacos untouched (a plain start, and the upgrade's start step whose readiness wait rides its launch's round trip)",
          arguments: [false, true])
    func readinessTimeout(asStep: Bool) async throws {
        try await Self.with(delay: 60, startTimeout: TimeSpan.seconds(5)) { setup in
            let error = await #expect(throws: QuickupError.self) {
                if asStep {
                    _ = try await setup.controller.startOnce(setup.definition, on: setup.fixture.host, runID: "run-1", stepID: "start.gps")
                } else {
                    _ = try await setup.controller.start(setup.definition, on: setup.fixture.host)
                }
            }
            #expect(error?.code == .serviceNotReady)
            let text = error.map { "\($0)" } ?? ""
            for expected in ["gps", setup.fixture.host.name, "port \(setup.port)", "start_timeout", "gps.log", "env.yaml:40"] {
                #expect(text.contains(expected), "\(expected) in: \(text)")
            }
            #expect(setup.nacos.calls.isEmpty, "never marked online")
        }
    }

    @Test("S3: readiness by health URL (curl on the host)")
    func healthURL() async throws {
        try await Self.with(mode: "http", delay: 0.3) { setup in
            var definition = setup.definition
            definition.healthURL = "http://127.0.0.1:\(setup.port)/actuator/health"
            let report = try await setup.controller.start(definition, on: setup.fixture.host)
            #expect(report.readyAfter >= TimeSpan(milliseconds: 250))
            #expect(report.markedOnline)
        }
    }

    @Test("S3: Nacos refusing the login stops the stop before any signal; the error says what to check")
    func nacosRefuses() async throws {
        try await Self.with { setup in
            _ = try await setup.controller.start(setup.definition, on: setup.fixture.host)
            var controller = setup.controller
            controller.nacos = NacosClient(config: try #require(setup.controller.nacos?.config), password: "wrong")
            let error = await #expect(throws: QuickupError.self) { _ = try await controller.stop(setup.definition, on: setup.fixture.host) }
            #expect(error?.code == .nacosFailed)
            #expect(error?.hint?.contains("password") == true)
            #expect(!(error?.description.contains("wrong") ?? true), "the password is never in a message")
            #expect(!Self.events(setup.events).contains { $0.0 == "SIGTERM" }, "not stopped while still online in Nacos")
            #expect(TCPProbe.accepts(address: "127.0.0.1", port: setup.port))
        }
    }

    @Test("S3: the service's own stop command is used instead of SIGTERM when given")
    func stopCommand() async throws {
        try await Self.with { setup in
            var definition = setup.definition
            let marker = setup.fixture.state.path + "/stop-command-ran"
            // `service[.]py`: the pattern must not match this command's own shell, whose command line
            // holds the pattern (a shell with a lower pid — pids wrap — signalled itself first).
            definition.stop = "touch \(ShellQuoting.quote(marker)); kill -TERM $(pgrep -f 'service[.]py \(setup.port)')"
            _ = try await setup.controller.start(definition, on: setup.fixture.host)
            let report = try await setup.controller.stop(definition, on: setup.fixture.host)
            #expect(report.wasRunning && !report.killed)
            #expect(FileManager.default.fileExists(atPath: marker))
            #expect(!TCPProbe.accepts(address: "127.0.0.1", port: setup.port))
        }
    }
}
