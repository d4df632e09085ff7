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
        let recorder = SleepRecorder()
        let start = ContinuousClock.now
        let error = await quickupError {
            _ = try await MariaDBConnection.connect(config, policy: .standard, sleeper: recorder.sleeper)
        }
        let text = error?.description ?? ""
        #expect(error?.code == .connectionFailed)
        #expect(text.contains("127.0.0.1:\(port)"), "names host:port: \(text)")
        #expect(text.contains("user '\(server.user)'"), "names the user: \(text)")
        #expect(text.contains("'orders'"), "names the datasource: \(text)")
        #expect(text.contains("after 3 tries"), "\(text)")
        #expect(text.contains("error 2002") || text.contains("error 2003"), "the client's error code: \(text)")
        #expect(error?.hint?.contains("listens on 127.0.0.1:\(port)") == true)
        #expect(error?.location?.file == "env.yaml", "points at the datasource's definition")
        #expect(!text.contains(server.password))
        // The backoff was asked for, not slept: three refused connections take milliseconds.
        #expect(recorder.waits == [TimeSpan(milliseconds: 500), .seconds(1)])
        #expect(secondsSince(start) < 3)
    }

    @Test func wrongPasswordIsNeverShownAndNotRetried() async throws {
        let server = try TestServers.requireMariaDB()
        let secret = "wrong-pw-\(UUID().uuidString)"
        var config = server.config()
        config.password = .environment("QU_TEST_MARIADB_PW")
        let recorder = SleepRecorder()
        let error = await quickupError {
            _ = try await MariaDBConnection.connect(
                config, secrets: SecretResolver(environment: ["QU_TEST_MARIADB_PW": secret]),
                sleeper: recorder.sleeper)
        }
        let text = "\(error?.description ?? "") \(String(reflecting: error))"
        #expect(error?.code == .connectionFailed)
        #expect(!text.contains(secret), "the password must not appear: \(text)")
        #expect(!text.contains("wrong-pw"), "not even in part: \(text)")
        #expect(text.contains("error 1045"), "the server's code: \(text)")
        #expect(text.contains("\(server.host):\(server.port)") && text.contains("user '\(server.user)'"))
        #expect(error?.hint?.contains("password") == true)
        #expect(recorder.waits.isEmpty, "a wrong password is not retried (it could get the host blocked)")
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
        let connection = try await MariaDBConnection.connect(config)
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
            _ = try await MariaDBConnection.connect(config, sleeper: SleepRecorder().sleeper)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.description.contains("unix socket \(config.path ?? "")") == true, "\(String(describing: error))")
    }

    @Test func unknownDatabaseFailsAtOnce() async throws {
        let server = try TestServers.requireMariaDB()
        let recorder = SleepRecorder()
        let error = await quickupError {
            _ = try await MariaDBConnection.connect(server.config(database: "qu_mdb_missing_db"), sleeper: recorder.sleeper)
        }
        #expect(error?.description.contains("error 1049") == true, "\(String(describing: error))")
        #expect(recorder.waits.isEmpty)
    }

    @Test func notAMariaDBDatasource() async throws {
        let server = try TestServers.requireMariaDB()
        var config = server.config()
        config.type = .clickhouse
        let error = await quickupError { _ = try await MariaDBConnection.connect(config) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func closedConnectionRefusesWork() async throws {
        let server = try TestServers.requireMariaDB()
        let connection = try await MariaDBConnection.connect(server.config())
        await connection.close()
        let error = await quickupError { _ = try await connection.query("SELECT 1") }
        #expect(error?.code == .connectionLost)
        #expect(await connection.progress() == nil)
        await connection.close()  // twice is harmless
    }
}
