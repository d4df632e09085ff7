import Foundation
import QuickupCore
import QuickupData

/// quickup-bench mariadb-script [--statements N] [--runs R] [--client PATH] [--sql TEXT] [--each]
///
/// Runs one generated script of N statements (CREATE TABLE IF NOT EXISTS / INSERT pairs over 100
/// tables) through MariaDBConnection and through the `mariadb` command-line client
/// (`mariadb --defaults-extra-file=$QUICKUP_TEST_MARIADB_DEFAULTS db < file`), against the same
/// server in the same process run, alternating which goes first, each into a fresh database.
/// Prints each time, the medians and their ratio (issue 4: goal ≤ 1.2× the client).
/// `--sql 'DO 1'` makes every statement that one instead, which isolates per-statement overhead;
/// `--each` sends the statements with one `execute` call each instead of one `run` for all.
///
/// Reads the server from `eval "$(scripts/services.sh env)"` (QUICKUP_TEST_MARIADB_*); the
/// password is passed by reference to that environment variable, never on a command line.
enum MariaDBScriptBench {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ arguments: [String]) async -> Int32 {
        do {
            try await measure(arguments)
            return 0
        } catch {
            FileHandle.standardError.write(Data("quickup-bench mariadb-script: \(error)\n".utf8))
            return 1
        }
    }

    private static func value(_ name: String, in arguments: [String], default fallback: String) -> String {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
        return arguments[index + 1]
    }

    private static func measure(_ arguments: [String]) async throws {
        let statements = max(2, Int(value("--statements", in: arguments, default: "10000")) ?? 10_000)
        let runs = max(1, Int(value("--runs", in: arguments, default: "5")) ?? 5)
        let client = value("--client", in: arguments, default: "/usr/bin/mariadb")
        let fixedSQL = arguments.contains("--sql") ? value("--sql", in: arguments, default: "DO 1") : nil
        let each = arguments.contains("--each")
        let environment = ProcessInfo.processInfo.environment
        guard let host = environment["QUICKUP_TEST_MARIADB_HOST"],
              let port = environment["QUICKUP_TEST_MARIADB_PORT"].flatMap({ Int($0) }),
              let user = environment["QUICKUP_TEST_MARIADB_USER"],
              let defaults = environment["QUICKUP_TEST_MARIADB_DEFAULTS"],
              environment["QUICKUP_TEST_MARIADB_PASSWORD"] != nil
        else {
            throw Failure(description: "QUICKUP_TEST_MARIADB_* are not set: run "
                          + "`bash scripts/services.sh start && eval \"$(bash scripts/services.sh env)\"` first")
        }
        var config = DatasourceConfig(name: "bench", type: .mariadb, location: SourceLocation(file: "(bench)"))
        config.host = host
        config.port = port
        config.user = user
        config.password = .environment("QUICKUP_TEST_MARIADB_PASSWORD")

        let script = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-bench-\(statements).sql")
        let pairs = statements / 2
        var text = ""
        for i in 0..<pairs {
            if let fixedSQL {
                text += "\(fixedSQL);\n\(fixedSQL);\n"
                continue
            }
            let table = "bench_\(i % 100)"
            text += "CREATE TABLE IF NOT EXISTS \(table) (id INT AUTO_INCREMENT PRIMARY KEY, "
                + "name VARCHAR(64) NOT NULL, n INT NOT NULL);\n"
            text += "INSERT INTO \(table) (name, n) VALUES ('row \(i)', \(i));\n"
        }
        try text.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }

        let admin = try await MariaDBConnection.connect(config, secrets: SecretResolver())
        let prefix = "qu_bench_\(UUID().uuidString.prefix(6).lowercased())"
        var quickupSeconds: [Double] = []
        var clientSeconds: [Double] = []
        var pairRatios: [Double] = []
        print("statements=\(pairs * 2) runs=\(runs) server=\(host):\(port) client=\(client)"
              + (fixedSQL.map { " sql=\($0)" } ?? "") + (each ? " one execute per statement" : ""))
        for run in 0..<runs {
            for tool in (run % 2 == 0 ? ["client", "quickup"] : ["quickup", "client"]) {
                let database = "\(prefix)_\(run)_\(tool)"
                try await admin.execute(SQLStatement(text: "CREATE DATABASE \(database)", line: 1, file: "(bench)"))
                let seconds: Double
                if tool == "client" {
                    seconds = try await runClient(client, defaults: defaults, database: database, script: script)
                    clientSeconds.append(seconds)
                } else {
                    var target = config
                    target.database = database
                    seconds = try await runQuickup(target, script: script, each: each)
                    quickupSeconds.append(seconds)
                }
                let rows = fixedSQL != nil ? nil
                    : try await admin.query("SELECT COUNT(*) FROM \(database).bench_0").first?.first ?? nil
                try await admin.execute(SQLStatement(text: "DROP DATABASE \(database)", line: 1, file: "(bench)"))
                let expected = (pairs + 99) / 100
                guard fixedSQL != nil || rows == String(expected) else {
                    throw Failure(description: "\(tool) run \(run + 1) left \(rows ?? "no") rows in bench_0, expected \(expected)")
                }
                print("run \(run + 1) \(tool.padding(toLength: 8, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", seconds * 1000)) ms")
            }
        }
        await admin.close()
        // Each run's two measurements are adjacent in time, so their ratio is less disturbed by
        // load that comes and goes on the machine than the ratio of the medians.
        for (quickup, client) in zip(quickupSeconds, clientSeconds) { pairRatios.append(quickup / client) }
        let quickup = median(quickupSeconds)
        let mariadb = median(clientSeconds)
        print(String(format: "median: MariaDBConnection %.1f ms, mariadb client %.1f ms, ratio %.2f× (goal ≤ 1.20×)",
                     quickup * 1000, mariadb * 1000, quickup / mariadb))
        print(String(format: "median of per-run ratios: %.2f× (min %.2f×, max %.2f×)", median(pairRatios),
                     pairRatios.min() ?? 0, pairRatios.max() ?? 0))
    }

    /// Connect, read, split (SQLSplitter, the `mariadb` client's rules), run every statement,
    /// close: all a task runner pays for.
    private static func runQuickup(_ config: DatasourceConfig, script: URL, each: Bool) async throws -> Double {
        let start = ContinuousClock.now
        let connection = try await MariaDBConnection.connect(config, secrets: SecretResolver())
        let text = try String(contentsOf: script, encoding: .utf8)
        let statements = try SQLSplitter(dialect: .mariadb).split(text, file: script.lastPathComponent)
        if each {
            for statement in statements { try await connection.execute(statement) }
        } else {
            try await connection.run(statements)
        }
        await connection.close()
        return seconds(since: start)
    }

    /// `mariadb --defaults-extra-file=… db < script`, from spawn to exit.
    private static func runClient(_ client: String, defaults: String, database: String, script: URL) async throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: client)
        process.arguments = ["--defaults-extra-file=\(defaults)", database]
        process.standardInput = try FileHandle(forReadingFrom: script)
        process.standardOutput = FileHandle.nullDevice
        let start = ContinuousClock.now
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let elapsed = seconds(since: start)
        guard status == 0 else { throw Failure(description: "\(client) exited with status \(status)") }
        return elapsed
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
