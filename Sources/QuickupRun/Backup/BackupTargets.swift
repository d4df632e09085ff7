import Foundation
import QuickupCore
import QuickupData

/// What a run must back up before it changes anything (F3): per datasource, the tables its SQL
/// scripts change (read as the assessment reads them, `TouchedTables`) plus the component's
/// `backup_tables` (for a tool task, on its datasource, those alone), and the keys its Redis scripts write (`RedisKeys`; the whole database when a
/// script cannot be analysed). Tasks already applied are left out: their tables hold changed data.
struct BackupTargets {
    struct Target: Hashable {
        var datasource: String
        var object: BackupObject
    }

    /// In plan order.
    static func of(_ request: RunRequest, tasks: [PlannedTask], runner: TaskRunner) throws(QuickupError) -> [Target] {
        var targets: [Target] = [], seen: Set<Target> = []
        var redisKeys: [String: [String]] = [:], wholeRedis: Set<String> = [], redisOrder: [String] = []
        func add(_ target: Target) { if seen.insert(target).inserted { targets.append(target) } }
        for planned in tasks {
            let task = planned.task
            if task.kind == .tool {
                // What a tool changes cannot be read from it: its component's backup_tables, on the
                // datasource it writes.
                if let name = toolDatasource(planned, request.environment) {
                    for table in request.backupTables[task.component] ?? [] { add(Target(datasource: name, object: .table(table))) }
                }
                continue
            }
            guard let name = planned.datasource, let type = request.environment.datasource(named: name)?.type else { continue }
            switch (task.kind, type) {
            case (.sql, let type) where type.isSQL:
                for table in try tables(of: task, type: type, runner: runner) { add(Target(datasource: name, object: .table(table))) }
                for table in request.backupTables[task.component] ?? [] { add(Target(datasource: name, object: .table(table))) }
            case (.redis, _), (.sql, .redis):
                if !redisOrder.contains(name) { redisOrder.append(name) }
                switch try keys(of: task, runner: runner) {
                case .keys(let keys):
                    for key in keys where !(redisKeys[name] ?? []).contains(key) { redisKeys[name, default: []].append(key) }
                case .wholeDatabase:
                    wholeRedis.insert(name)
                }
            default:
                continue
            }
        }
        for name in redisOrder {
            if wholeRedis.contains(name) {
                add(Target(datasource: name, object: .redisDatabase))
            } else if let keys = redisKeys[name], !keys.isEmpty {
                add(Target(datasource: name, object: .redisKeys(keys)))
            }
        }
        return targets
    }

    /// The SQL datasource a tool task writes: its `.target` (D5), else its `.datasource`.
    static func toolDatasource(_ planned: PlannedTask, _ environment: Environment) -> String? {
        guard let name = planned.task.target ?? planned.datasource, environment.datasource(named: name)?.type.isSQL == true else { return nil }
        return name
    }

    /// The tables a SQL task changes (also what the rollback restores for it).
    static func tables(of task: UpgradeTask, type: DatasourceType, runner: TaskRunner) throws(QuickupError) -> [String] {
        TouchedTables.of(try runner.statements(of: task, type: type))
    }

    static func keys(of task: UpgradeTask, runner: TaskRunner) throws(QuickupError) -> RedisKeys {
        guard let statement = try runner.statements(of: task, type: .redis).first else { return .keys([]) }
        return RedisKeys.of(try RedisScript.parse(statement.text, file: statement.file))
    }
}
