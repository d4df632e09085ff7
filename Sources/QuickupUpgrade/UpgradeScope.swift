import QuickupCore

/// One component whose program files the upgrade replaces, on the hosts that run it.
public struct Deployment: Sendable, Hashable {
    public var component: String
    /// The package version folder installed (`<component>/<package>/<version>/`).
    public var version: Version
    /// Absolute path of that folder in the release.
    public var packageFolder: String
    /// Files carried over from the installed folder (component.yaml `keep:`).
    public var keep: [String]
    /// As written in env.yaml; `service(on:)` resolves it for a host.
    public var service: ServiceDefinition
    public var hosts: [HostConfig]

    public func service(on host: HostConfig) -> ServiceDefinition { service.resolved(on: host) }
}

/// What a whole upgrade touches (F1): the components with a package in (from, to], their hosts
/// (env.yaml `components:`/`roles:` against component.yaml `host_roles`) and services. Pure: the
/// same files give the same scope. Bad input is found here, before anything changes (exit 2).
public struct UpgradeScope: Sendable {
    public var deployments: [Deployment]
    /// Hosts in env.yaml order that run at least one deployment.
    public var hosts: [HostConfig]

    public static func build(release: Release, releaseRoot: String, environment: Environment,
                             from: Version, to: Version) throws(QuickupErrors) -> UpgradeScope {
        var diagnostics = Diagnostics()
        for host in environment.hosts where !release.components.contains(where: { host.runs($0.name, hostRoles: $0.hostRoles) }) {
            diagnostics.error("host '\(host.name)' runs no component of release \(release.name)", at: host.location,
                              hint: "list its components under 'components:' (or give it a role a component's host_roles names), or remove the host")
        }
        var deployments: [Deployment] = []
        for component in release.components {
            let hosts = environment.hosts.filter { $0.runs(component.name, hostRoles: component.hostRoles) }
            guard let folder = component.packageFolder, let version = component.packageVersion(from: from, to: to), !hosts.isEmpty else { continue }
            guard let service = environment.service(of: component.name) else {
                diagnostics.error("component \(component.name) installs a package on \(hosts.map(\.name).joined(separator: ", ")) but env.yaml has no service for it",
                                  at: hosts[0].location.with(key: "components"),
                                  hint: "add services.\(component.name) with start, port or health_url, and install_dir")
                continue
            }
            if service.start.isEmpty {
                diagnostics.error("service '\(component.name)' has no start command", at: service.location.with(key: "start"),
                                  hint: "give services.\(component.name).start: the shell command that starts it")
            }
            guard service.installDir != nil else {
                diagnostics.error("service '\(component.name)' needs 'install_dir': where its package is installed", at: service.location,
                                  hint: "e.g. install_dir: /opt/\(component.name) (releases/<version>/ and the current link go there)")
                continue
            }
            deployments.append(Deployment(component: component.name, version: version,
                                          packageFolder: "\(releaseRoot)/\(component.name)/\(folder)/\(version)",
                                          keep: component.keep, service: service, hosts: hosts))
        }
        let errors = diagnostics.errors
        if !errors.isEmpty { throw QuickupErrors(errors) }
        let used = Set(deployments.flatMap { $0.hosts.map(\.name) })
        return UpgradeScope(deployments: deployments, hosts: environment.hosts.filter { used.contains($0.name) })
    }

    public func deployment(_ component: String) -> Deployment? { deployments.first { $0.component == component } }
    public func host(_ name: String) -> HostConfig? { hosts.first { $0.name == name } }
}
