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
        // A config task's file is a change file (K1), read by ConfigTaskWork, not statements.
        guard task.kind == .sql || task.kind == .redis else { return [] }
        return try statements(of: task, file: task.file, type: type)
    }

    /// The statements of one of the task's files (its `.file`, or its `.rollback` for F4).
    func statements(of task: UpgradeTask, file: String?, type: DatasourceType?) throws(QuickupError) -> [SQLStatement] {
        guard let file else { return [] }
        let path = self.path(of: task, file: file)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw QuickupError(.fileNotFound, "cannot read \(path) of \(task.key)", hint: "the release changed after planning; validate it again")
        }
        let display = "\(task.directory)/\(file)"
        let text = try UTF8Text.decode(Array(data), file: display, allowNUL: false, what: "script")
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

    /// Where one of the task's files is.
    func path(of task: UpgradeTask, file: String) -> String {
        "\(releaseRoot)/\(task.directory)/\(file)"
    }

    /// What the task sends, one entry per command: SQL statements as split; a Redis script's
    /// command lines (its whole file is one entry of `statements`, parsed by the connection),
    /// or its one EVAL when it is Lua. For the dry run's listing and the detail log's count.
    static func commands(_ statements: [SQLStatement], type: DatasourceType?) -> [SQLStatement] {
        guard type == .redis else { return statements }
        return statements.flatMap { statement -> [SQLStatement] in
            guard let script = try? RedisScript.parse(statement.text, file: statement.file), case .commands(let commands) = script else {
                return [statement]
            }
            return commands.map { SQLStatement(text: $0.strings.joined(separator: " "), line: $0.line, file: statement.file) }
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
}
