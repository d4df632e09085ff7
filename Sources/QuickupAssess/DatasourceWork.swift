import Foundation
import QuickupCore
import QuickupData
import Synchronization

/// Opens a connection for the assessment; tests inject one with a retry policy that does not wait.
public typealias DatasourceConnector = @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection

/// Everything the assessment asks of one datasource: table sizes (A1), live volumes (A4) and
/// quality rules (A2). One connection is opened first (3 tries, D3); when it fails every job of
/// the datasource gets the same answer instead of trying again per rule.
struct DatasourceWork: Sendable {
    enum Job: Sendable {
        case sizes([String])
        case volume(key: String, sql: String)
        case rule(QualityCheck)
    }

    var config: DatasourceConfig
    var jobs: [Job]

    struct Outcome: Sendable {
        var name: String
        /// Set when the datasource could not be used at all.
        var connectError: QuickupError?
        var missingDatabase = false
        var sizes: Result<[String: Int64], QuickupError>?
        var volumes: [String: Result<Double, QuickupError>] = [:]
        var rules: [CheckResult] = []
    }

    private enum JobResult: Sendable {
        case sizes(Result<[String: Int64], QuickupError>)
        case volume(String, Result<Double, QuickupError>)
        case rule(CheckResult)
    }

    /// Runs the jobs on up to `width` connections of this datasource at once.
    func run(connector: @escaping DatasourceConnector, width: Int) async -> Outcome {
        var outcome = Outcome(name: config.name)
        let first: any DatasourceConnection
        do {
            first = try await connector(config)
        } catch {
            outcome.missingDatabase = Self.isMissingDatabase(error)
            outcome.connectError = error
            for case .rule(let check) in jobs {
                outcome.rules.append(outcome.missingDatabase
                    ? check.skipped("database missing: \(error.message)")
                    : check.result(error: error))
            }
            return outcome
        }
        let next = JobCounter()
        let jobs = self.jobs
        let workers = max(1, min(width, jobs.count))
        let results = await withTaskGroup(of: [JobResult].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var connection: (any DatasourceConnection)? = worker == 0 ? first : nil
                    if connection == nil { connection = try? await connector(config) }
                    guard let connection else { return [] }
                    var done: [JobResult] = []
                    while true {
                        let index = next.take()
                        guard index < jobs.count else { break }
                        done.append(await Self.perform(jobs[index], on: connection))
                    }
                    await connection.close()
                    return done
                }
            }
            var all: [JobResult] = []
            for await part in group { all += part }
            return all
        }
        for result in results {
            switch result {
            case .sizes(let sizes): outcome.sizes = sizes
            case .volume(let key, let value): outcome.volumes[key] = value
            case .rule(let check): outcome.rules.append(check)
            }
        }
        return outcome
    }

    private static func perform(_ job: Job, on connection: any DatasourceConnection) async -> JobResult {
        switch job {
        case .sizes(let tables):
            do { return .sizes(.success(try await connection.tableSizes(tables))) } catch { return .sizes(.failure(error)) }
        case .volume(let key, let sql):
            do throws(QuickupError) {
                let text = try await connection.scalar(sql)
                guard let value = text.flatMap({ Double($0.trimmed) }), value.isFinite, value >= 0 else {
                    throw QuickupError(.datasourceProtocol, "volume query returned '\(text ?? "NULL")', not a number")
                }
                return .volume(key, .success(value))
            } catch {
                return .volume(key, .failure(error))
            }
        case .rule(let check):
            let sql: String
            switch check.sql {
            case .success(let text): sql = text
            case .failure(let error): return .rule(check.result(error: error))
            }
            do {
                let text = try await connection.scalar(sql)
                guard let count = text.flatMap({ Self.count($0) }) else {
                    return .rule(check.result(error: QuickupError(.datasourceProtocol,
                        "the rule's query returned '\(text ?? "NULL")', not a count", hint: "a rule's SQL must return one number")))
                }
                return .rule(check.result(count: count))
            } catch {
                if check.tableCreatedByPlan {
                    return .rule(check.skipped("the upgrade creates table \(check.table ?? "?"): nothing to check before it exists (the query failed: \(StatementText.short(error.message)))"))
                }
                return .rule(check.result(error: error))
            }
        }
    }

    static func count(_ text: String) -> Int64? {
        let t = text.trimmed
        if let n = Int64(t) { return n }
        if let d = Double(t), d.isFinite, d >= 0, d < 9e18 { return Int64(d.rounded()) }
        return nil
    }

    /// The datasource's database does not exist (MariaDB 1049, ClickHouse 81, no SQLite file).
    static func isMissingDatabase(_ error: QuickupError) -> Bool {
        let m = error.message
        return error.code == .fileNotFound || m.contains("error 1049 (") || m.contains("Unknown database")
            || m.contains("error 81 (") || m.contains("error 81:") || m.contains("UNKNOWN_DATABASE")
    }
}

/// Hands out job indices to the workers of one datasource.
final class JobCounter: Sendable {
    private let next = Mutex(0)

    func take() -> Int {
        next.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}

enum StatementText {
    /// The first line of a message, cut at 120 characters.
    static func short(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        let head = line.components(separatedBy: " — statement:").first ?? line
        return head.count <= 120 ? head : String(head.prefix(120)) + "…"
    }
}
