import Foundation
import QuickupCore
import QuickupRun

/// What the assessment must ask of which datasource, worked out from the plan before connecting:
/// the tables the plan's scripts touch (A1), the volume queries (A4) and the rules (A2).
struct AssessmentScope {
    var work: [DatasourceWork] = []
    /// Datasource → touched tables, in plan order.
    var touched: [(String, [String])] = []
    /// Task key → datasource its volume query runs on.
    var volumeSources: [String: String] = [:]
    var checks: [QualityCheck] = []
    /// Rules whose datasource env.yaml does not have.
    var unrunnable: [QualityCheck] = []
    /// Rules of the upgrade's versions whose `versions` range excludes it, with why.
    var outOfRange: [(check: QualityCheck, reason: String)] = []
    var toolMemory: Int64 = 0
    var toolDisk: Int64 = 0

    static func build(_ request: AssessmentRequest, log: inout [String]) -> AssessmentScope {
        var scope = AssessmentScope()
        let env = request.environment
        var jobs: [String: [DatasourceWork.Job]] = [:]
        var names: [String] = []
        func add(_ job: DatasourceWork.Job, to datasource: String) {
            if jobs[datasource] == nil { names.append(datasource) }
            jobs[datasource, default: []].append(job)
        }
        var touched: [String: [String]] = [:]
        var created: [String: Set<String>] = [:]
        var touchedOrder: [String] = []
        for planned in request.plan.tasks {
            let task = planned.task
            if task.kind == .sql, let name = planned.datasource, let config = env.datasource(named: name), config.type.isSQL {
                do {
                    let statements = try statements(of: task, type: config.type, releaseRoot: request.releaseRoot)
                    created[name, default: []].formUnion(TouchedTables.created(statements))
                    let tables = TouchedTables.of(statements)
                    if !touchedOrder.contains(name) { touchedOrder.append(name) }
                    for table in tables where !(touched[name] ?? []).contains(table) { touched[name, default: []].append(table) }
                } catch {
                    log.append("cannot read the tables \(task.key) touches: \(error.message)")
                }
            }
            if case .query(let sql)? = task.volume {
                if let name = planned.datasource ?? task.source ?? task.target, env.datasource(named: name) != nil {
                    add(.volume(key: task.key, sql: sql), to: name)
                    scope.volumeSources[task.key] = name
                } else {
                    log.append("volume query of \(task.key) has no datasource to run on")
                }
            }
        }
        for name in touchedOrder {
            let tables = touched[name] ?? []
            scope.touched.append((name, tables))
            if !tables.isEmpty { add(.sizes(tables), to: name) }
        }
        for rule in QualityCheck.applicable(in: request.release, from: request.plan.from, to: request.plan.to) {
            var check = QualityCheck.prepare(rule, release: request.release, releaseRoot: request.releaseRoot, environment: env)
            if let table = check.table, let name = check.datasource { check.tableCreatedByPlan = created[name]?.contains(table) == true }
            scope.checks.append(check)
            if let name = check.datasource, env.datasource(named: name) != nil {
                add(.rule(check), to: name)
            } else {
                scope.unrunnable.append(check)
            }
        }
        let (from, to) = (request.plan.from, request.plan.to)
        for rule in QualityCheck.outOfRange(in: request.release, from: from, to: to) {
            let check = QualityCheck.prepare(rule, release: request.release, releaseRoot: request.releaseRoot, environment: env)
            scope.outOfRange.append((check, QualityCheck.outOfRangeReason(rule, from: from, to: to)))
        }
        for name in names {
            guard let config = env.datasource(named: name), let list = jobs[name] else { continue }
            scope.work.append(DatasourceWork(config: config, jobs: list))
        }
        let components = Set(request.plan.tasks.map(\.task.component))
        for component in request.release.components where components.contains(component.name) {
            scope.toolMemory += component.needsMemory?.bytes ?? 0
            scope.toolDisk += component.needsDisk?.bytes ?? 0
        }
        return scope
    }

    /// The task's statements, split as they will run.
    static func statements(of task: UpgradeTask, type: DatasourceType, releaseRoot: String) throws(QuickupError) -> [SQLStatement] {
        guard let file = task.file else { return [] }
        let path = "\(releaseRoot)/\(task.directory)/\(file)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw QuickupError(.fileNotFound, "cannot read \(path)")
        }
        let dialect: SQLDialect = type == .clickhouse ? .clickhouse : type == .sqlite ? .sqlite : .mariadb
        return try SQLSplitter(dialect: dialect).split(String(decoding: data, as: UTF8.self), file: "\(task.directory)/\(file)")
    }
}

/// Past durations of the plan's tasks from the journal (A4), read only when a journal exists:
/// assessing never creates a state directory.
enum JournalHistory {
    /// `site`: the same site's past runs come first (A5); other sites' only when it has none.
    static func durations(stateDirectory: String, keys: [String], site: String? = nil) -> [String: [Int64]] {
        guard FileManager.default.fileExists(atPath: "\(stateDirectory)/journal.sqlite"),
              let journal = try? Journal(stateDirectory: stateDirectory) else { return [:] }
        var result: [String: [Int64]] = [:]
        for key in keys {
            if let site, let durations = try? journal.successfulDurations(of: key, site: site), !durations.isEmpty {
                result[key] = durations
            } else if let durations = try? journal.successfulDurations(of: key), !durations.isEmpty {
                result[key] = durations
            }
        }
        return result
    }
}
