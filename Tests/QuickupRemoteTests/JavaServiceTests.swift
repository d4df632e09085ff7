import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRemote

/// S3 with a real Java service (issue 15): v1 and v2 jars built here with javac, run on two hosts
/// (sshd in network namespaces), stopped and started by `ServiceController` as an upgrade will.
@Suite("Java service upgrade on namespace hosts", .serialized)
struct JavaServiceTests {
    struct Site: Sendable {
        var servers: [TestSSHServer]
        var hosts: [HostConfig]
        var state: TemporaryTree
        var connections: SSHConnections
        var nacos: FakeNacos
        var controller: ServiceController
        var port: Int

        /// The service as env.yaml would declare it, starting `version` on `host`.
        func definition(_ version: String, on host: HostConfig) throws -> ServiceDefinition {
            let pidFile = "\(host.remoteStateDir)/app.pid"
            let command = try JavaServices.startCommand(version: version, port: port, pidFile: pidFile)
            var service = ServiceDefinition(component: "app", start: "exec " + command, location: SourceLocation(file: "env.yaml", line: 12))
            service.port = port
            service.pidFile = pidFile
            service.healthURL = "http://127.0.0.1:\(port)/health"
            service.nacosService = "app-service"
            service.startTimeout = .minutes(2)
            return service
        }

        /// What the service on `host` answers at `path`, from this machine over the namespace link.
        func get(_ path: String, on host: HostConfig, timeout: TimeInterval = 3) async -> String? {
            guard let url = URL(string: "http://\(host.address):\(port)\(path)") else { return nil }
            var request = URLRequest(url: url, timeoutInterval: timeout)
            request.setValue("close", forHTTPHeaderField: "Connection")
            guard let answer = try? await URLSession.shared.data(for: request),
                  (answer.1 as? HTTPURLResponse)?.statusCode == 200 else { return nil }
            return String(decoding: answer.0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Kills whatever the pid files name (the service runs detached, outside sshd's tree).
        func killServices() {
            for host in hosts {
                let text = (try? String(contentsOfFile: "\(host.remoteStateDir)/app.pid", encoding: .utf8)) ?? ""
                if let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGKILL) }
            }
        }
    }

    static func withSite(_ body: (Site) async throws -> Void) async throws {
        let servers = try (0..<2).map { _ in try TestSSHServer.start(isolated: true) }
        let state = try TemporaryTree("qujava")
        let policy = KeepalivePolicy(interval: .seconds(5), timeout: .seconds(30), reconnectTries: 3,
                                     backoff: Backoff(firstDelay: TimeSpan(milliseconds: 200)), connectTimeout: .seconds(5), persist: .seconds(60))
        let connections = SSHConnections(context: RemoteContext(stateDirectory: state.path, keepalive: .uniform(policy)))
        let nacos = try FakeNacos()
        var config = NacosConfig(url: nacos.url)
        config.username = FakeNacos.username
        config.discoveryWait = TimeSpan(milliseconds: 500)
        let hosts = servers.enumerated().map { $1.host(name: "app\($0 + 1)") }
        for host in hosts { try FileManager.default.createDirectory(atPath: host.remoteStateDir, withIntermediateDirectories: true) }
        let site = Site(servers: servers, hosts: hosts, state: state, connections: connections, nacos: nacos,
                        controller: ServiceController(connections: connections, nacos: NacosClient(config: config, password: FakeNacos.password)),
                        port: ServiceControlTests.freePort())
        func tearDown() async {
            site.killServices()
            await connections.closeAll()
            nacos.stop()
            for server in servers { server.stop() }
            state.remove()
        }
        do { try await body(site) } catch {
            await tearDown()
            throw error
        }
        await tearDown()
    }

    @Test("S3: v1 on two hosts, then stop v1 and start v2 on each: health and version answer v2; Nacos offline before stop, online after ready")
    func stopV1StartV2() async throws {
        try await Self.withSite { site in
            for host in site.hosts { _ = try await site.controller.start(try site.definition("1.0.0", on: host), on: host) }
            for host in site.hosts {
                #expect(await site.get("/version", on: host) == "1.0.0")
                #expect(await site.get("/health", on: host) == "UP")
            }
            for host in site.hosts {
                let stopped = try await site.controller.stop(try site.definition("1.0.0", on: host), on: host)
                #expect(stopped.wasRunning && !stopped.killed, "SIGTERM ended v1 gracefully on \(host.name): \(stopped)")
                #expect(await site.get("/health", on: host, timeout: 1) == nil, "v1 is gone from \(host.name)")
                let started = try await site.controller.start(try site.definition("2.0.0", on: host), on: host)
                #expect(started.markedOnline)
            }
            for host in site.hosts {
                #expect(await site.get("/version", on: host) == "2.0.0")
                #expect(await site.get("/health", on: host) == "UP")
            }
            // Per host: online (v1), offline, online (v2) — each instance keyed by its own address.
            let updates = site.nacos.calls.filter { $0.method == "PUT" }
            for host in site.hosts {
                let mine = updates.filter { $0.parameters["ip"] == host.address }.map { $0.parameters["enabled"] ?? "?" }
                #expect(mine == ["true", "false", "true"], "\(host.name): \(mine)")
            }
        }
    }

    @Test("Rolling v1 → v2 one host at a time while a client with failover polls both hosts: no request fails")
    func rollingWithoutFailedRequests() async throws {
        try await Self.withSite { site in
            for host in site.hosts { _ = try await site.controller.start(try site.definition("1.0.0", on: host), on: host) }
            let stop = Locked(false)
            let poller = Task { () -> (failed: Int, answers: [String]) in
                var failed = 0, answers: [String] = [], turn = 0
                while !stop.value {
                    turn += 1
                    // Client-side failover: the preferred host alternates; the other one is the fallback.
                    let order = turn % 2 == 0 ? site.hosts : Array(site.hosts.reversed())
                    var answer: String?
                    for host in order where answer == nil { answer = await site.get("/version", on: host, timeout: 2) }
                    if let answer { answers.append(answer) } else { failed += 1 }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return (failed, answers)
            }
            for host in site.hosts {
                _ = try await site.controller.stop(try site.definition("1.0.0", on: host), on: host)
                _ = try await site.controller.start(try site.definition("2.0.0", on: host), on: host)
            }
            // A few more rounds against v2 on both hosts before the client stops.
            try await Task.sleep(for: .milliseconds(300))
            stop.value = true
            let result = await poller.value
            #expect(result.failed == 0, "failed requests during the rolling upgrade")
            #expect(result.answers.contains("1.0.0") && result.answers.last == "2.0.0", "\(Set(result.answers))")
            for host in site.hosts { #expect(await site.get("/version", on: host) == "2.0.0") }
        }
    }
}
