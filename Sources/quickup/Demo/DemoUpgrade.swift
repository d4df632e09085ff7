import Foundation
import QuickupCore
import QuickupRelease
import QuickupRemote
import QuickupRun
import QuickupUpgrade

/// The demo's whole upgrade (issue 15 item 6): two `local` hosts, each running the two
/// components as real services (`quickup demo-service`, listening on free ports, answering
/// /health and /version), installed at V1.0.0; then `quickup upgrade` to V1.1.0-P1 and
/// `quickup rollback` back, with no server and no SSH; the release's config task changes the
/// orders settings file on both hosts and the rollback puts it back (issue 18). The services are
/// stopped at the end.
struct DemoUpgrade {
    let folder: String
    let release: String
    let state: String

    static let from = Version(1, 0, 0), to = Version(1, 1, 0, p: 1)

    func run() async throws -> ExitStatus {
        let envFile = "\(folder)/env-upgrade.yaml"
        try DemoRelease.writeFile("\(folder)/shop-upgrade.db", contents: "")
        try DemoRelease.writeFile(envFile, contents: try environment())
        let environment = try Workspace.loadEnvironment(file: envFile)
        let workspace = try Workspace.open(release: release, environment: envFile)
        let services = ServiceController(connections: SSHConnections(context: RemoteContext(stateDirectory: state)), nacos: nil)
        Console.out("\n== The whole upgrade: two local hosts (node1, node2), each running inventory and orders at \(Self.from)")
        try await installFirst(workspace: workspace, environment: environment, services: services)
        let site = NextCommand.site(release: release, env: envFile, state: state)
        let launcher = UpgradeLauncher(state: state, release: release, env: envFile)
        Console.out("")
        Console.out("$ \(NextCommand.line(["upgrade"] + site + ["--from", Self.from.description, "--to", Self.to.description, "--yes"]))")
        let upgraded = try await launcher.launch(from: Self.from.description, to: Self.to.description, site: nil, mode: .auto, yes: true,
                                                 resume: nil, verified: false)
        var status = upgraded
        if upgraded == .success, let run = try Journal(stateDirectory: state).runs(limit: 20).first(where: { $0.stage.hasPrefix("upgrade") }) {
            try await show(environment, services: services)
            Console.out("")
            Console.out("$ \(NextCommand.line(["rollback", run.id] + site))")
            status = try await RollbackLauncher(state: state, quiet: false).launch(runID: run.id, release: release, env: envFile)
            try await show(environment, services: services)
        }
        for host in environment.hosts {
            for service in environment.services { _ = try? await services.stop(service.resolved(on: host), on: host) }
        }
        Console.out("The demo's services are stopped.")
        return status
    }

    /// Puts V1.0.0 in place on both hosts (as a site has it before the upgrade) and starts it.
    private func installFirst(workspace: Workspace, environment: Environment, services: ServiceController) async throws {
        let scope = try UpgradeScope.build(release: workspace.release, releaseRoot: workspace.releaseRoot, environment: environment,
                                           from: Version(0, 0, 0), to: Self.from)
        for deployment in scope.deployments {
            for host in deployment.hosts {
                let service = deployment.service(on: host)
                let installed = try await services.query(InstallLayout.install(service: service, staging: deployment.packageFolder,
                                                                               version: deployment.version, keep: []), on: host)
                guard installed.ok else { throw QuickupError(.io, "demo: cannot install \(deployment.component) on \(host.name): \(installed.stderr)") }
                try DemoRelease.placeSiteSettings(release: release, component: deployment.component, version: deployment.version,
                                                  installDir: service.installDir ?? "/nonexistent")
                _ = try await services.query("mkdir -p \(ShellQuoting.quote(service.installDir ?? "/nonexistent"))/current/conf && echo 'site_name: demo' > \(ShellQuoting.quote(service.installDir ?? "/nonexistent"))/current/conf/application-site.yml\n", on: host)
                _ = try await services.startOnce(service, on: host, runID: "demo-setup", stepID: "start.\(host.name).\(deployment.component).\(UUID().uuidString.prefix(8))")
                Console.out("  \(deployment.component) on \(host.name): \(deployment.version) installed in \(service.installDir ?? "?"), listening on port \(service.port ?? 0)")
            }
        }
    }

    private func show(_ environment: Environment, services: ServiceController) async throws {
        for host in environment.hosts {
            for definition in environment.services {
                let service = definition.resolved(on: host)
                guard let url = service.versionURL else { continue }
                let answer = try await services.query("curl -fsS -m 5 \(ShellQuoting.quote(url)) || echo down\n", on: host)
                Console.out("  \(service.component) on \(host.name) answers version \(answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
                if let settings = DemoRelease.siteSettings(component: service.component, host: host.name, installDir: service.installDir ?? "/nonexistent") {
                    Console.out("  " + settings)
                }
            }
        }
    }

    /// env.yaml of the demo's hosts and services: free ports chosen now, the quickup binary itself as the service.
    private func environment() throws -> String {
        let program = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var text = """
            # Written by quickup demo: two local hosts (no SSH), two services, one SQLite database.
            site: DEMO-UPGRADE
            thresholds: {cpu_idle_min: 0}   # the demo runs on a busy laptop too
            datasources:
              shop_db:
                type: sqlite
                path: shop-upgrade.db
            hosts:
              - {name: node1, kind: local, state_dir: \(folder)/hosts/node1/quickup, components: [inventory, orders]}
              - {name: node2, kind: local, port_offset: 1, state_dir: \(folder)/hosts/node2/quickup, components: [inventory, orders]}
            services:

            """
        for component in ["inventory", "orders"] {
            let port = try DemoPorts.freePair()
            text += """
                  \(component):
                    start: exec \(ShellQuoting.quote(program)) demo-service --port {port} --dir {install_dir}/current
                    process_match: demo-service --port {port} 
                    port: \(port)
                    health_url: http://127.0.0.1:{port}/health
                    version_url: http://127.0.0.1:{port}/version
                    install_dir: \(folder)/hosts/{host}/\(component)
                    stop_grace: 5s
                    start_timeout: 30s

                """
        }
        return text
    }
}

/// Two consecutive free loopback ports (node2 listens on port + 1).
enum DemoPorts {
    static func freePair() throws(QuickupError) -> Int {
        for _ in 0..<50 {
            guard let port = bound(0), port < 65535, bound(port + 1) != nil else { continue }
            return port
        }
        throw QuickupError(.io, "demo: no two consecutive free ports on 127.0.0.1", hint: "try again")
    }

    /// Binds 127.0.0.1:port (0: any), returns the port, releases it.
    private static func bound(_ port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return ok ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
