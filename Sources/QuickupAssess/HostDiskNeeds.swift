import QuickupCore

/// Which directories of a host of env.yaml are measured (A1), and what each must hold: the data
/// directory of every datasource whose `host` is this host (its double-write need), the backup
/// directory and quickup's state directory on the host, and whatever the caller adds — the
/// upgrade passes each component's install directory with the size of its package.
public enum HostDiskNeeds {
    /// Where an engine keeps its data when env.yaml's datasource has no `data_dir` (policy data).
    public static let defaultDataDirectories: [DatasourceType: String] = [
        .mariadb: "/var/lib/mysql", .mysql: "/var/lib/mysql", .clickhouse: "/var/lib/clickhouse", .redis: "/var/lib/redis",
    ]

    /// The datasources whose server runs on `host` (by env.yaml name or address).
    public static func served(by host: HostConfig, in environment: Environment) -> [DatasourceConfig] {
        let names: Set<String> = [host.name, host.address]
        return environment.datasources.filter { $0.type != .sqlite && $0.host.map(names.contains) == true }.sorted { $0.name < $1.name }
    }

    public static func dataDirectory(of datasource: DatasourceConfig) -> String? {
        datasource.dataDir ?? defaultDataDirectories[datasource.type]
    }

    /// The needs of one host; `footprints` give the double-write bytes (none yet: zero).
    public static func needs(for host: HostConfig, environment: Environment, footprints: [DatasourceFootprint] = [],
                             extra: [ResourceAssessment.DiskNeed] = []) -> [ResourceAssessment.DiskNeed] {
        var needs: [ResourceAssessment.DiskNeed] = []
        for datasource in served(by: host, in: environment) {
            guard let directory = dataDirectory(of: datasource) else { continue }
            let bytes = footprints.first { $0.name == datasource.name }?.doubleWriteBytes ?? 0
            needs.append(.init(path: directory, bytes: Double(bytes), why: "double-write of \(datasource.name)",
                               hint: "or give the database's data directory a larger disk (data_dir of \(datasource.name) in env.yaml)"))
        }
        needs += extra
        if let backup = environment.backupDir {
            needs.append(.init(path: backup, bytes: 0, why: "", hint: "or point backup.dir in env.yaml to a larger disk"))
        }
        needs.append(.init(path: host.remoteStateDir, bytes: 0, why: "", hint: "or set state_dir of \(host.name) in env.yaml to a larger disk"))
        return needs
    }

    /// The needs of the host of env.yaml named `name`, with the caller's `extra` needs by host name.
    public static func needs(ofHost name: String, environment: Environment, footprints: [DatasourceFootprint] = [],
                             extra: [String: [ResourceAssessment.DiskNeed]]) -> [ResourceAssessment.DiskNeed] {
        guard let host = environment.hosts.first(where: { $0.name == name }) else { return extra[name] ?? [] }
        return needs(for: host, environment: environment, footprints: footprints, extra: extra[name] ?? [])
    }

    /// The distinct paths to measure, in the order of `needs`.
    public static func paths(_ needs: [ResourceAssessment.DiskNeed]) -> [String] {
        var seen = Set<String>()
        return needs.map(\.path).filter { seen.insert($0).inserted }
    }
}
