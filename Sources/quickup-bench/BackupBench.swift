import Foundation
import QuickupCore
import QuickupData

/// quickup-bench backup --database DB --table T [--dir DIR]: quickup's backup of one MariaDB
/// table (F3: checksum, row count, `mariadb-dump --single-transaction` into a file) and its
/// restore (the dump fed to `mariadb`, then the checksum again), timed. The server comes from
/// the QUICKUP_TEST_MARIADB_* variables of scripts/services.sh. scripts/bench-backup.sh runs it
/// beside the plain client commands it is compared with (docs/PERFORMANCE.md).
enum BackupBench {
    static func run(_ arguments: [String]) async -> Int32 {
        func value(_ name: String) -> String? {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
            return arguments[i + 1]
        }
        let env = ProcessInfo.processInfo.environment
        guard let database = value("--database"), let table = value("--table"),
              let host = env["QUICKUP_TEST_MARIADB_HOST"], let user = env["QUICKUP_TEST_MARIADB_USER"] else {
            FileHandle.standardError.write(Data("usage: quickup-bench backup --database DB --table T [--dir DIR] (with the QUICKUP_TEST_MARIADB_* variables set)\n".utf8))
            return 2
        }
        var config = DatasourceConfig(name: "bench", type: .mariadb, location: SourceLocation(file: "bench"))
        config.host = host
        config.port = env["QUICKUP_TEST_MARIADB_PORT"].flatMap { Int($0) }
        config.user = user
        config.password = .environment("QUICKUP_TEST_MARIADB_PASSWORD")
        config.database = database
        config.readTimeout = .minutes(30)
        let directory = value("--dir") ?? NSTemporaryDirectory() + "quickup-bench-backup"
        let secrets = SecretResolver()
        do throws(QuickupError) {
            let connection = try await Datasources.connect(config, secrets: secrets)
            let backup = DataBackup(directory: directory, tag: "bench", secrets: secrets, now: { Int64(Date().timeIntervalSince1970 * 1000) })
            let start = ContinuousClock.now
            let manifest = try await backup.take(.table(table), on: connection)
            let took = start.duration(to: .now)
            print("backup: \(seconds(took)) s, \(manifest.rows) rows, \(manifest.bytes) bytes (\(manifest.method), checksum \(manifest.checksum))")
            let restoreStart = ContinuousClock.now
            try await backup.restore(manifest, on: connection)
            print("restore (with the checksum check): \(seconds(restoreStart.duration(to: .now))) s")
            await connection.close()
            return 0
        } catch {
            FileHandle.standardError.write(Data("backup benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
