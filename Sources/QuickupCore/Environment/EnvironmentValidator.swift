/// Checks that an environment provides what a release needs: every datasource a component
/// declares, of a compatible type, and hosts naming only known components.
public struct EnvironmentValidator {
    public init() {}

    public func validate(_ env: Environment, for release: Release, into diagnostics: inout Diagnostics) {
        for component in release.components {
            for ref in component.datasources {
                guard let config = env.datasource(named: ref.name) else {
                    diagnostics.error("env.yaml has no datasource '\(ref.name)' needed by component \(component.name)",
                                      at: SourceLocation(file: component.location.file), hint: "add it under datasources in env.yaml")
                    continue
                }
                let compatible = config.type == ref.type || Set([config.type, ref.type]) == [.mariadb, .mysql]
                if !compatible {
                    diagnostics.error("datasource '\(ref.name)' is \(config.type.rawValue) in env.yaml but \(ref.type.rawValue) in component \(component.name)",
                                      at: config.location.with(key: ref.name))
                }
            }
        }
        let names = Set(release.components.map(\.name))
        for host in env.hosts {
            for name in host.components where !names.contains(name) {
                diagnostics.error("host '\(host.name)' runs unknown component '\(name)'", at: host.location.with(key: "components"),
                                  hint: "components of this release: \(names.sorted().joined(separator: ", "))")
            }
        }
        for service in env.services where !names.contains(service.component) {
            diagnostics.error("service of unknown component '\(service.component)'", at: service.location,
                              hint: "components of this release: \(names.sorted().joined(separator: ", "))")
        }
    }
}
