import Foundation
import QuickupCore
import QuickupData

/// Executes one task's work on its datasource or as a child process. Recording what happened is
/// the executor's job, except that a transactional SQL task records its SUCCESS inside its own
/// transaction, so a crash can never leave "applied but not recorded" or the reverse (E4, E5).
struct TaskRunner: Sendable {
    let releaseRoot: String

    /// The statements of a SQL or Redis task, in the datasource's dialect (D2).
    func statements(of task: UpgradeTask, type: DatasourceType?) throws(QuickupError) -> [SQLStatement] {
        guard let file = task.file else { return [] }
        let path = "\(releaseRoot)/\(task.directory)/\(file)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw QuickupError(.fileNotFound, "cannot read \(path) of \(task.key)", hint: "the release changed after planning; validate it again")
        }
        let text = String(decoding: data, as: UTF8.self)
        let display = "\(task.directory)/\(file)"
        switch type {
        case .redis?:
            return [SQLStatement(text: text, line: 1, file: display)]
        case .clickhouse?:
            return try SQLSplitter(dialect: .clickhouse).split(text, file: display)
        case .sqlite?:
            return try SQLSplitter(dialect: .sqlite).split(text, file: display)
        default:
            return try SQLSplitter(dialect: .mariadb).split(text, file: display)
        }
    }

    /// Whether the task runs in one transaction: the engine must have them and no statement may
    /// commit implicitly; `.transactional=false` opts out (E5).
    static func isTransactional(_ task: UpgradeTask, statements: [SQLStatement], supportsTransactions: Bool, type: DatasourceType?) -> Bool {
        guard task.kind == .sql, supportsTransactions, task.transactional != false else { return false }
        if type == .mariadb || type == .mysql {
            return !statements.contains { ImplicitCommit.causes($0.text) }
        }
        return true
    }

    /// Runs a SQL/Redis task. `success` makes the upgrade_log row written inside the transaction.
    func runStatements(_ statements: [SQLStatement], on connection: any DatasourceConnection, transactional: Bool,
                       success: @Sendable () -> UpgradeLogEntry?) async throws(QuickupError) {
        guard transactional else {
            try await connection.run(statements)
            return
        }
        try await connection.begin()
        do {
            try await connection.run(statements)
            if let entry = success(), let store = connection as? any UpgradeLogStore { try await store.record(entry) }
            try await connection.commit()
        } catch {
            // The statement's error matters more than a failed rollback on a dead connection.
            try? await connection.rollback()
            throw error
        }
    }

    /// Runs a tool as a plain child process for now (the tools issue adds the T1 protocol and
    /// isolation): working directory = the version folder, non-zero exit = failure with stderr's tail.
    func runTool(_ task: UpgradeTask, output: RunOutput) async throws(QuickupError) {
        guard let package = task.package, let entry = ToolEntry(package) else {
            throw QuickupError(.manifestInvalid, "\(task.key) has no valid .package")
        }
        let directory = "\(releaseRoot)/\(task.directory)"
        let arguments: [String]
        switch entry {
        case .executable(let path): arguments = ["\(directory)/\(path)"]
        case .python(let module, let function):
            arguments = ["/usr/bin/env", "python3", "-c",
                         "import sys; sys.path.insert(0, 'tools'); import importlib; m = importlib.import_module('\(module)'); r = m.\(function)(None)"]
        }
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run(arguments, directory: directory) { line in
                output.record(["task": task.key, "stream": "stdout", "line": line])
            }
        } catch {
            throw QuickupError(.taskFailed, "\(task.key): cannot start \(arguments[0]): \(error)")
        }
        guard result.status == 0 else {
            throw QuickupError(.taskFailed, "\(task.key) exited with status \(result.status): \(result.stderrTail)",
                               hint: "see the run's detail log for the tool's output")
        }
    }
}
