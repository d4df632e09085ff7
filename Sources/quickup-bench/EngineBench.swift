import Foundation
import QuickupCore
import QuickupData
import QuickupRelease
import QuickupRun

/// E12 and the run engine's throughput: N trivial migrations (CREATE TABLE + INSERT) through the
/// executor (journal + upgrade_log kept) against the same statements sent by the bare driver, on
/// a fresh database each time; plus the journal's status query latency.
struct EngineBench {
    var tasks: Int
    var runs: Int
    var parent: URL
    /// Makes a fresh, empty datasource for one measurement and returns its config.
    var freshDatasource: (Int) async throws -> DatasourceConfig

    func writeRelease() throws -> URL {
        let root = parent.appendingPathComponent("engine-\(tasks)")
        let folder = root.appendingPathComponent("app/upgrade/V1.0.1")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sql"), withIntermediateDirectories: true)
        var properties = ""
        for n in 0..<tasks {
            properties += "sql.m\(n).id=m\(n)\nsql.m\(n).description=migration \(n)\nsql.m\(n).file=sql/\(n).sql\nsql.m\(n).stage=pre_stop\n"
            try "CREATE TABLE bench_\(n) (id INT PRIMARY KEY, name VARCHAR(32));\nINSERT INTO bench_\(n) VALUES (1, 'x');\n"
                .write(to: folder.appendingPathComponent("sql/\(n).sql"), atomically: false, encoding: .utf8)
        }
        try properties.write(to: folder.appendingPathComponent("upgrade_tasks_V1.0.1.properties"), atomically: false, encoding: .utf8)
        try "datasources:\n  - name: db\n    type: sqlite\n".write(to: root.appendingPathComponent("app/component.yaml"), atomically: false, encoding: .utf8)
        return root
    }

    func run() async throws {
        let root = try writeRelease()
        var engine: [Double] = [], raw: [Double] = [], status: [Double] = []
        for i in 0..<runs {
            var config = try await freshDatasource(i * 2)
            config.name = "db"
            var env = Environment(site: "BENCH")
            env.datasources = [config]
            let workspace = try Workspace.open(release: root.path)
            let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
            let state = parent.appendingPathComponent("engine-state-\(i)").path
            try? FileManager.default.removeItem(atPath: state)
            let journal = try Journal(stateDirectory: state)
            let context = RunContext(stateDirectory: state, clock: ContinuousClock(), output: RunOutput(console: nil))
            let request = RunRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: env, plugins: workspace.plugins)
            let started = ContinuousClock.now
            let result = await Executor(journal: journal, context: context).run(request)
            engine.append(seconds(ContinuousClock.now - started))
            guard result.status == .succeeded else { throw BenchError(text: "engine run failed: \(result.error?.description ?? "?")") }
            let statusStart = ContinuousClock.now
            for _ in 0..<1000 { _ = try journal.run(result.runID) }
            status.append(seconds(ContinuousClock.now - statusStart) / 1000)

            let rawConfig = try await freshDatasource(i * 2 + 1)
            let connection = try await Datasources.connect(rawConfig, secrets: SecretResolver())
            let rawStart = ContinuousClock.now
            for planned in plan.tasks {
                let file = "\(workspace.releaseRoot)/\(planned.task.directory)/\(planned.task.file ?? "")"
                let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                let dialect: SQLDialect = rawConfig.type == .sqlite ? .sqlite : .mariadb
                for statement in try SQLSplitter(dialect: dialect).split(text, file: file) {
                    try await connection.execute(statement)
                }
            }
            raw.append(seconds(ContinuousClock.now - rawStart))
            await connection.close()
        }
        engine.sort(); raw.sort(); status.sort()
        let e = engine[engine.count / 2], r = raw[raw.count / 2]
        print("engine: \(tasks) tasks, median of \(runs): quickup \(ms(e)), bare driver \(ms(r)), ratio \(String(format: "%.2f", e / r))×")
        print("scheduling overhead per task: \(String(format: "%.3f", (e - r) / Double(tasks) * 1000)) ms")
        print("status query (journal, in process): median \(String(format: "%.3f", status[status.count / 2] * 1000)) ms")
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
}

struct BenchError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
