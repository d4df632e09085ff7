/// The SQL rules of N1 over one script, as the task's client splits it.
struct SQLRules {
    let context: ScriptLintContext
    var source: LintSource
    /// The split of `source.text`, when the caller made it already.
    var analysis: SQLScriptAnalysis? = nil

    private var task: UpgradeTask { context.task }
    private var file: String { context.file }

    mutating func run(into result: inout ScriptLintResult) {
        let analysis = self.analysis ?? SQLSplitter(dialect: context.dialect).analyze(source.text, file: file)
        if let error = analysis.error { unterminated(error, into: &result) }
        clientNotes(analysis, into: &result)
        let shapes = analysis.statements.map { StatementShape.of($0.text) }
        result.createdTables = zip(analysis.statements, shapes).compactMap { _, shape in
            if case .create(let object, _, _) = shape.kind, object == "TABLE", let table = shape.table {
                return ScriptLinter.normalized(table)
            }
            return nil
        }
        implicitCommits(analysis.statements, into: &result)
        var droppedFirst = Set<String>()
        for (statement, shape) in zip(analysis.statements, shapes) {
            useDatabase(statement, shape, into: &result)
            nonIdempotent(statement, shape, droppedFirst: &droppedFirst, into: &result)
            destructive(statement, shape, created: Set(result.createdTables), into: &result)
            longStatement(statement, shape, into: &result)
            clickHouseVersion(statement, shape, into: &result)
        }
        compatibility(analysis.statements, shapes, created: Set(result.createdTables), into: &result)
        rollbackMismatch(analysis.statements, shapes, into: &result)
    }

    private mutating func finding(_ rule: LintRule, _ statement: SQLStatement, what: String, why: String, fix: String) -> LintFinding {
        LintFinding(rule: rule, file: file, line: statement.line, column: source.column(of: statement.text, line: statement.line),
                    what: what, why: why, fix: fix, task: task.key)
    }

    /// First line of a statement, shortened, for messages.
    private func quoted(_ statement: SQLStatement) -> String {
        let first = statement.text.prefix { $0 != "\n" }
        return first.count > 60 ? "'\(first.prefix(57))…'" : "'\(first)'"
    }

    // MARK: unterminated-at-end

    private mutating func unterminated(_ error: QuickupError, into result: inout ScriptLintResult) {
        guard error.message.hasPrefix("unterminated"), let line = error.location?.line else { return }
        result.findings.append(LintFinding(
            rule: .unterminatedAtEnd, file: file, line: line, column: source.firstNonBlankColumn(line: line),
            what: error.message,
            why: "the client would send everything from here to the end of the file as one broken statement; quickup refuses to guess",
            fix: error.hint ?? "close it", task: task.key))
    }

    // MARK: delimiter-in-statement, dash-comment-no-space

    private mutating func clientNotes(_ analysis: SQLScriptAnalysis, into result: inout ScriptLintResult) {
        guard !analysis.notes.isEmpty else { return }
        let sent = analysis.statements.count
        let repair = DelimiterRepair(text: source.text, file: file, analysis: analysis, limit: context.thresholds.delimiterRepairs)
        for note in repair.independentNotes {
            guard case .delimiterInStatement(let line, let column, let statementLine, let delimiter) = note else { continue }
            result.findings.append(LintFinding(
                rule: .delimiterInStatement, file: file, line: line, column: column,
                what: "DELIMITER inside the statement begun at line \(statementLine), which has no '\(delimiter)' yet",
                why: "the mariadb client sends this line as text and keeps '\(delimiter)': it sends \(sent) statement\(sent == 1 ? "" : "s") "
                    + "where the script reads as \(repair.intended), and \(repair.mangled) of those the script means reach the server mangled "
                    + "(the statement of line \(statementLine) swallows this line and what follows up to the next '\(delimiter)'); it fails or half-runs at the site",
                fix: "end the statement of line \(statementLine) with '\(delimiter)' before the DELIMITER line",
                task: task.key, clientStatements: sent))
        }
        for note in analysis.notes {
            guard case .dashCommentWithoutSpace(let line, let column, let dropped) = note else { continue }
            let text = source.line(line)
            let shown = String(text.drop { $0 == " " || $0 == "\t" }.prefix(40))
            // Decoration such as `------`, `--====` or `--*` is a comment either way.
            if dropped, let next = shown.dropFirst(2).first, "-=*#~+_/<>|".contains(next) { continue }
            result.findings.append(dropped
                ? LintFinding(rule: .dashCommentWithoutSpace, file: file, line: line, column: column,
                              what: "'\(shown)' is dropped by the mariadb client as a comment",
                              why: "it reads like a statement but never runs; the server and other tools need '-- ' with a blank, so the script means something else elsewhere",
                              fix: "write '-- ' (with a blank) if it is a comment, or remove the '--' if it should run",
                              task: task.key, clientStatements: sent)
                : LintFinding(rule: .dashCommentWithoutSpace, file: file, line: line, column: column,
                              what: "'\(shown)' inside an unfinished statement is sent to the server as text",
                              why: "the server reads '--' without a blank as two minus signs, not a comment: the statement fails or computes something else",
                              fix: "put a blank after '--' to make it a comment, or end the previous statement first",
                              task: task.key, clientStatements: sent))
        }
    }

    // MARK: use-database

    private mutating func useDatabase(_ statement: SQLStatement, _ shape: StatementShape, into result: inout ScriptLintResult) {
        guard case .use = shape.kind else { return }
        result.findings.append(finding(
            .useDatabase, statement, what: "\(quoted(statement)) switches the session to another database",
            why: "the datasource in env.yaml decides the database; a USE sends this task's later statements, and the next task on the "
                + "same connection, somewhere the site did not configure",
            fix: "remove the USE and qualify the few tables of another schema (other_db.table), or give the task its own datasource"))
    }

    // MARK: implicit-commit-in-transaction

    private mutating func implicitCommits(_ statements: [SQLStatement], into result: inout ScriptLintResult) {
        guard context.isMariaDBFamily, task.transactional != false else { return }
        // The loader found that no statement of this same split commits (E5): nothing to find,
        // and no need to ask every statement again (issue 19: lint reuses validate's work).
        if task.commitsImplicitly == false { return }
        let commits = statements.map { ImplicitCommit.causes($0.text) }
        if task.transactional == true, let index = commits.firstIndex(of: true) {
            result.findings.append(finding(
                .implicitCommitInTransaction, statements[index],
                what: "\(quoted(statements[index])) commits implicitly, but the task is declared transactional=true",
                why: "MariaDB commits before and after it, so quickup runs the whole task without a transaction: a failure leaves "
                    + "it half-done instead of rolled back",
                fix: "move the DDL to a task of its own (transactional=false, idempotent), keeping the data changes in this one"))
        } else if task.transactional == nil,
                  let firstData = statements.indices.first(where: { !commits[$0] && Self.changesData(statements[$0].text) }),
                  let index = commits[(firstData + 1)...].firstIndex(of: true) {
            var warning = finding(
                .implicitCommitInTransaction, statements[index],
                what: "\(quoted(statements[index])) commits implicitly after the data change at line \(statements[firstData].line)",
                why: "the task is transactional by default, but this statement makes quickup run it without a transaction: if a later "
                    + "statement fails, the earlier changes stay and a re-run repeats them",
                fix: "split DDL and data changes into separate tasks, or declare transactional=false and make every statement safe to repeat")
            warning.severity = .warning
            result.findings.append(warning)
        }
    }

    /// DML that a later implicit commit would make permanent (a SELECT loses nothing).
    static func changesData(_ text: String) -> Bool {
        guard let first = ImplicitCommit.leadingWords(text, count: 1).first else { return false }
        return ["INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "LOAD", "CALL", "UPSERT"].contains(first)
    }

    // MARK: non-idempotent-ddl

    private var ddlIsTransactional: Bool { context.datasourceType == .sqlite && task.transactional != false }

    /// `DROP … IF EXISTS x` then `CREATE … x` is the usual idempotent idiom (procedures, views):
    /// `droppedFirst` holds what the script dropped that way so far.
    private mutating func nonIdempotent(_ statement: SQLStatement, _ shape: StatementShape, droppedFirst: inout Set<String>,
                                        into result: inout ScriptLintResult) {
        guard !ddlIsTransactional else { return }
        let type = context.datasourceType
        let name = shape.table.map(ScriptLinter.normalized) ?? ""
        var problem: (what: String, fix: String)?
        switch shape.kind {
        case .drop(let object, let ifExists) where ifExists:
            droppedFirst.insert("\(object) \(name)")
        case .create(let object, let orReplace, let ifNotExists)
            where !orReplace && !ifNotExists && !droppedFirst.contains("\(object) \(name)"):
            let guarded: Set<String> = type == .mysql ? ["TABLE", "DATABASE", "SCHEMA"]
                : type == .clickhouse ? ["TABLE", "DATABASE", "VIEW", "DICTIONARY"]
                : type == .sqlite ? ["TABLE", "INDEX", "VIEW", "TRIGGER"]
                : ["TABLE", "INDEX", "VIEW", "DATABASE", "SCHEMA", "SEQUENCE", "EVENT", "TRIGGER", "PROCEDURE", "FUNCTION"]
            if guarded.contains(object) {
                problem = ("CREATE \(object) without IF NOT EXISTS", "write CREATE \(object) IF NOT EXISTS")
            }
        case .drop(let object, let ifExists) where !ifExists:
            let guarded: Set<String> = type == .mysql ? ["TABLE", "DATABASE", "SCHEMA", "VIEW", "PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"]
                : type == .clickhouse ? ["TABLE", "DATABASE", "VIEW", "DICTIONARY"]
                : type == .sqlite ? ["TABLE", "INDEX", "VIEW", "TRIGGER"]
                : ["TABLE", "INDEX", "VIEW", "DATABASE", "SCHEMA", "SEQUENCE", "EVENT", "TRIGGER", "PROCEDURE", "FUNCTION"]
            if guarded.contains(object) {
                problem = ("DROP \(object) without IF EXISTS", "write DROP \(object) IF EXISTS")
            }
        case .alterTable(let actions):
            // MariaDB (10.0+) and ClickHouse (19.1+) accept IF [NOT] EXISTS on columns; MySQL and SQLite do not.
            let supportsGuard = (type == nil || type == .mariadb)
                || (type == .clickhouse && (context.serverVersion.map { $0 >= ClickHouseFeature.columnIfExists.since } ?? true))
            if supportsGuard, let action = actions.first(where: { ($0.verb == .addColumn || $0.verb == .dropColumn) && !$0.guarded }) {
                let add = action.verb == .addColumn
                problem = ("ALTER TABLE … \(add ? "ADD" : "DROP") COLUMN \(action.column ?? "") without \(add ? "IF NOT EXISTS" : "IF EXISTS")",
                           "write \(add ? "ADD COLUMN IF NOT EXISTS" : "DROP COLUMN IF EXISTS") \(action.column ?? "")")
            }
        default:
            break
        }
        guard let problem else { return }
        result.findings.append(finding(
            .nonIdempotentDDL, statement, what: "\(problem.what) in a task that is not transactional",
            why: "DDL commits as it goes; when the task fails half-way and is re-run, this statement fails because its first run already happened",
            fix: problem.fix))
    }

    // MARK: destructive-without-backup

    private mutating func destructive(_ statement: SQLStatement, _ shape: StatementShape, created: Set<String>,
                                      into result: inout ScriptLintResult) {
        guard task.rollback == nil, let table = shape.table else { return }
        let name = ScriptLinter.normalized(table)
        if created.contains(name) || context.backupTables.contains(where: { ScriptLinter.normalized($0) == name }) { return }
        let what: String
        switch shape.kind {
        case .drop(let object, _) where object == "TABLE": what = "DROP TABLE \(table)"
        case .truncate: what = "TRUNCATE \(table)"
        case .delete(let hasWhere) where !hasWhere: what = "DELETE FROM \(table) without WHERE"
        case .update(let hasWhere) where !hasWhere: what = "UPDATE \(table) without WHERE"
        case .alterTable(let actions):
            guard let drop = actions.first(where: { $0.verb == .dropColumn }) else { return }
            what = "ALTER TABLE \(table) DROP COLUMN \(drop.column ?? "")"
        default:
            return
        }
        result.findings.append(finding(
            .destructiveWithoutBackup, statement, what: "\(what) in a task with no .rollback, and \(table) is not in backup_tables",
            why: "the data is gone once it runs; if the upgrade must be undone at the site there is nothing to restore it from",
            fix: "add \(table) to backup_tables in component.yaml, or give the task a .rollback script that restores it"))
    }

    // MARK: long-statement-without-estimate

    private mutating func longStatement(_ statement: SQLStatement, _ shape: StatementShape, into result: inout ScriptLintResult) {
        guard task.stage == .inStop, task.rate == nil, case .alterTable = shape.kind, let volume = task.volume else { return }
        let large: Bool
        switch volume {
        case .bytes(let bytes): large = bytes >= context.thresholds.largeTableBytes
        case .rows(let rows): large = rows >= context.thresholds.largeTableRows
        case .query: large = true  // measured at the site: may be anything
        }
        guard large else { return }
        result.findings.append(finding(
            .longStatementWithoutEstimate, statement,
            what: "\(quoted(statement)) on a large table (volume \(volume)) in in_stop, without a .rate",
            why: "ALTER TABLE copies the table while every service is stopped; without a rate the assessment cannot say how long the outage lasts",
            fix: "declare .rate (e.g. 50MB/s, measured on a copy), or move the change out of in_stop (online DDL in pre_stop)"))
    }

    // MARK: clickhouse-server-version

    private mutating func clickHouseVersion(_ statement: SQLStatement, _ shape: StatementShape, into result: inout ScriptLintResult) {
        guard context.datasourceType == .clickhouse, let declared = context.serverVersion else { return }
        for feature in ClickHouseFeature.used(by: shape) where declared < feature.since {
            result.findings.append(finding(
                .clickHouseServerVersion, statement,
                what: "\(feature.rawValue) needs ClickHouse \(feature.since)+, the datasource declares min_server_version \(declared)",
                why: "sites still on \(declared) reject the statement and the task fails there",
                fix: "write it in the older syntax, or raise min_server_version once every site runs \(feature.since) or later"))
        }
    }

    // MARK: incompatible-without-compatible-version

    private mutating func compatibility(_ statements: [SQLStatement], _ shapes: [StatementShape], created: Set<String>,
                                        into result: inout ScriptLintResult) {
        guard task.compatibleVersion == nil, task.stage != .inStop else { return }
        var tables: [String] = []
        var first: SQLStatement?
        for (statement, shape) in zip(statements, shapes) {
            guard let table = shape.table.map(ScriptLinter.normalized), !created.contains(table) else { continue }
            switch shape.kind {
            case .alterTable, .truncate, .rename, .delete, .update: break
            case .drop(let object, _) where object == "TABLE": break
            default: continue
            }
            if first == nil { first = statement }
            if !tables.contains(table) { tables.append(table) }
        }
        guard let first else { return }
        let names = tables.joined(separator: ", ")
        let candidate = finding(
            .incompatibleWithoutVersion, first,
            what: "\(task.qualifiedUID) changes \(names) without compatible_version (stage \(task.stage))",
            why: "the old version still runs during \(task.stage) (and on not-yet-upgraded hosts of a rolling upgrade) and uses \(names); "
                + "A3 counts the task as incompatible and asks for manual confirmation",
            fix: "set .compatible_version to the oldest version that works with the change, or move the task to in_stop")
        result.compatibilityCandidates.append((tables, candidate))
    }

    // MARK: rollback-mismatch

    /// Tables created/dropped and columns added/dropped/renamed: what a rollback must touch too.
    private static func ddlObjects(_ shapes: [StatementShape]) -> [String] {
        var objects: [String] = []
        for shape in shapes {
            guard let table = shape.table.map(ScriptLinter.normalized) else { continue }
            switch shape.kind {
            case .create(let object, _, _) where object == "TABLE", .drop(let object, _) where object == "TABLE":
                objects.append(table)
            case .alterTable(let actions):
                for action in actions {
                    guard [.addColumn, .dropColumn, .renameColumn].contains(action.verb), let column = action.column else { continue }
                    objects.append("\(table).\(column.lowercased())")
                }
            default:
                continue
            }
        }
        return objects
    }

    private mutating func rollbackMismatch(_ statements: [SQLStatement], _ shapes: [StatementShape], into result: inout ScriptLintResult) {
        guard let rollback = context.rollback else { return }
        let taskObjects = Self.ddlObjects(shapes)
        guard !taskObjects.isEmpty else { return }
        let undone = SQLSplitter(dialect: context.dialect).analyze(rollback.text, file: rollback.file).statements
        let rollbackObjects = Set(Self.ddlObjects(undone.map { StatementShape.of($0.text) }))
        let missing = taskObjects.filter { !rollbackObjects.contains($0) }
        guard let firstMissing = missing.first else { return }
        let index = shapes.firstIndex { Self.ddlObjects([$0]).contains(firstMissing) } ?? 0
        var seen = Set<String>()
        let names = missing.filter { seen.insert($0).inserted }.joined(separator: ", ")
        result.findings.append(finding(
            .rollbackMismatch, statements[index],
            what: "the task's DDL touches \(names), which its .rollback \(rollback.file) does not undo",
            why: "rolling back leaves the schema half upgraded: the old version then meets tables or columns it does not expect",
            fix: "make \(rollback.file) drop, re-create or rename back each table and column this task changes"))
    }
}
