import QuickupTestSupport
import Foundation
import QuickupCore
import QuickupData
import Testing

/// Connecting to the real test server (D1, D3, D4).
@Suite(.enabled(if: TestServers.mariaDBEnabled, "needs the MariaDB test server (scripts/services.sh)"))
struct MariaDBConnectTests {
    @Test func wrongPortFailsAfterThreeTriesNamingAddressAndUser() async throws {
        let server = try TestServers.requireMariaDB()
        let port = try unusedLocalPort()
        var config = server.config(name: "orders")
        config.host = "127.0.0.1"
        config.port = port
        let sleeps = RecordedSleeps()
        let error = await quickupError {
            _ = try await MariaDBConnection.connect(config, secrets: SecretResolver(), policy: sleeps.policy())
        }
        let text = error?.description ?? ""
        #expect(error?.code == .datasourceUnreachable)
        #expect(text.contains("127.0.0.1:\(port)"), "names host:port: \(text)")
        #expect(text.contains("user '\(server.user)'"), "names the user: \(text)")
        #expect(text.contains("datasource 'orders'"), "names the datasource: \(text)")
        #expect(text.contains("(3 tries)"), "\(text)")
        #expect(text.contains("error 2002") || text.contains("error 2003"), "the client's error code: \(text)")
        #expect(error?.hint?.contains("listens on 127.0.0.1:\(port)") == true)
        #expect(error?.location?.file == "env.yaml", "points at the datasource's definition")
        #expect(!text.contains(server.password))
        // The backoff was asked of the policy's sleep, which records instead of sleeping. (No
        // bound on the elapsed time: a busy machine running every suite at once makes it useless.)
        #expect(sleeps.recorded == [.milliseconds(500), .seconds(1)])
    }

    @Test func wrongPasswordIsNeverShownAndNotRetried() async throws {
        let server = try TestServers.requireMariaDB()
        let secret = "wrong-pw-\(UUID().uuidString)"
        var config = server.config()
        config.password = .environment("QU_TEST_MARIADB_PW")
        let sleeps = RecordedSleeps()
        let error = await quickupError {
            _ = try await MariaDBConnection.connect(
                config, secrets: SecretResolver(environment: ["QU_TEST_MARIADB_PW": secret]), policy: sleeps.policy())
        }
        let text = "\(error?.description ?? "") \(String(reflecting: error))"
        #expect(error?.code == .datasourceAuthentication)
        #expect(!text.contains(secret), "the password must not appear: \(text)")
        #expect(!text.contains("wrong-pw"), "not even in part: \(text)")
        #expect(text.contains("error 1045"), "the server's code: \(text)")
        #expect(text.contains("\(server.host):\(server.port)") && text.contains("user '\(server.user)'"))
        #expect(error?.hint?.contains("password") == true)
        #expect(sleeps.recorded.isEmpty, "a wrong password is not retried (it could get the host blocked)")
    }

    @Test func passwordFromEnvironmentReferenceAndNoSecretInDescriptions() async throws {
        let server = try TestServers.requireMariaDB()
        var config = server.config()
        config.password = .environment("QU_TEST_MARIADB_PW")
        let connection = try await MariaDBConnection.connect(
            config, secrets: SecretResolver(environment: ["QU_TEST_MARIADB_PW": server.password]))
        let version = try await connection.serverVersion()
        #expect(version.contains("MariaDB"), "\(version)")
        var dumped = ""
        dump(connection, to: &dumped)
        for text in [connection.description, String(reflecting: connection), dumped] {
            #expect(!text.contains(server.password), "\(text)")
        }
        #expect(connection.description.contains("\(server.user)@\(server.host):\(server.port)"))
        await connection.close()
    }

    @Test func unixSocket() async throws {
        let server = try TestServers.requireMariaDB()
        let socket = try #require(server.socket, "QUICKUP_TEST_MARIADB_SOCKET is not set")
        var config = server.config()
        config.host = nil
        config.port = nil
        config.path = socket
        let connection = try await MariaDBConnection.connect(config, secrets: SecretResolver())
        let host = try await connection.scalar(
            "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()")
        await connection.close()
        #expect(host == "localhost", "a socket connection shows as localhost, TCP as 127.0.0.1:port")
    }

    @Test func missingSocketNamesThePath() async throws {
        let server = try TestServers.requireMariaDB()
        var config = server.config()
        config.path = "/nonexistent/quickup-\(UUID().uuidString).sock"
        let error = await quickupError {
            _ = try await MariaDBConnection.connect(config, secrets: SecretResolver(), policy: RecordedSleeps().policy())
        }
        #expect(error?.code == .datasourceUnreachable)
        #expect(error?.description.contains("unix socket \(config.path ?? "")") == true, "\(String(describing: error))")
    }

    @Test func unknownDatabaseFailsAtOnce() async throws {
        let server = try TestServers.requireMariaDB()
        let sleeps = RecordedSleeps()
        let error = await quickupError {
            _ = try await MariaDBConnection.connect(server.config(database: "qu_mdb_missing_db"), secrets: SecretResolver(),
                                                    policy: sleeps.policy())
        }
        #expect(error?.description.contains("error 1049") == true, "\(String(describing: error))")
        #expect(error?.code == .datasourceAuthentication, "refused by the server: not retried")
        #expect(sleeps.recorded.isEmpty)
    }

    @Test func notAMariaDBDatasource() async throws {
        let server = try TestServers.requireMariaDB()
        var config = server.config()
        config.type = .clickhouse
        let error = await quickupError { _ = try await MariaDBConnection.connect(config, secrets: SecretResolver()) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func closedConnectionRefusesWork() async throws {
        let server = try TestServers.requireMariaDB()
        let connection = try await MariaDBConnection.connect(server.config(), secrets: SecretResolver())
        await connection.close()
        let error = await quickupError { _ = try await connection.query("SELECT 1") }
        #expect(error?.code == .datasourceUnreachable)
        #expect(await connection.progress() == nil)
        await connection.close()  // twice is harmless
    }
}
