import QuickupCore

/// Opens a connection of the right kind for a datasource of env.yaml (SPEC D1).
public enum Datasources {
    public static func connect(_ config: DatasourceConfig, secrets: SecretResolver) async throws(QuickupError) -> any DatasourceConnection {
        switch config.type {
        case .clickhouse:
            return try await ClickHouseConnection.connect(config, secrets: secrets, policy: .standard)
        case .redis:
            return try await RedisConnection.connect(config, secrets: secrets, policy: .standard)
        case .sqlite:
            return try await SQLiteConnection.open(config)
        case .mariadb, .mysql:
            return try await MariaDBConnection.connect(config, secrets: secrets, policy: .standard)
        }
    }
}
