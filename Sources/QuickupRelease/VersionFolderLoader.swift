import QuickupCore

/// Reads one `upgrade/<version>/` folder: tasks, orchestration overrides and quality rules
/// (M2–M4), checks every referenced file (M5) and records checksums (M7).
struct VersionFolderLoader {
    let files: ReleaseFiles
    let sink: DiagnosticSink
    /// The component's name, datasources and settings; not its tasks or rules, which
    /// `load(into:)` appends to (ComponentLoader leaves them out).
    let component: Component
    let version: Version
    let folder: String
    /// Lints each script while it is in hand (N1, issue 19); nil when not linting.
    var lint: ComponentLint? = nil
    /// Whether tasks get their checksums (M7); the files are read and checked either way.
    var checksums = true

    private enum Manifest: String, CaseIterable {
        case tasks = "upgrade_tasks_"
        case orchestration = "upgrade_orchestration_"
        case quality = "quality_"
    }

    func load(into component: inout Component) {
        var found: [Manifest: String] = [:]
        for entry in files.list(folder) where entry.hasSuffix(".properties") {
            let path = "\(folder)/\(entry)"
            let stem = String(entry.dropLast(".properties".count))
            guard let kind = Manifest.allCases.first(where: { stem.hasPrefix($0.rawValue) }) else {
                sink.error("unknown manifest file '\(entry)'", at: SourceLocation(file: files.display(path)),
                           hint: "expected upgrade_tasks_<version>.properties, upgrade_orchestration_<version>.properties or quality_<version>.properties")
                continue
            }
            let named = String(stem.dropFirst(kind.rawValue.count))
            guard let fileVersion = Version.parse(named), fileVersion == version else {
                sink.error("file name version '\(named)' does not match its folder \(folder.split(separator: "/").last ?? "")",
                           at: SourceLocation(file: files.display(path)), hint: "expected \(kind.rawValue)\(version).properties")
                continue
            }
            found[kind] = path
        }
        guard let tasksPath = found[.tasks] else {
            sink.error("missing upgrade_tasks_\(version).properties", at: SourceLocation(file: files.display(folder)))
            return
        }
        var diagnostics = Diagnostics()
        var tasks: [UpgradeTask] = []
        if let text = manifestText(tasksPath) {
            do {
                tasks = try TaskManifestParser(component: component.name, version: version, file: files.display(tasksPath))
                    .parse(text: text, into: &diagnostics)
            } catch {
                sink.diagnostics.append(error)
            }
        }
        if let path = found[.orchestration] {
            OrchestrationParser(file: files.display(path)).apply(entries(path), to: &tasks, diagnostics: &diagnostics)
        }
        if let path = found[.quality] {
            var rules = QualityRuleParser(component: component.name, version: version, file: files.display(path))
                .parse(entries(path), into: &diagnostics)
            for i in rules.indices {
                rules[i].directory = folder
                checkRuleFile(&rules[i])
            }
            component.qualityRules += rules
        }
        sink.diagnostics.merge(diagnostics)
        for i in tasks.indices {
            tasks[i].directory = folder
            checkFiles(&tasks[i])
        }
        component.tasks += tasks
    }

    private func entries(_ path: String) -> [PropertiesEntry] {
        guard let text = manifestText(path) else { return [] }
        do { return try PropertiesReader.parse(text, file: files.display(path)) } catch {
            sink.diagnostics.append(error)
            return []
        }
    }

    /// A manifest's text (its bytes end with this function, before it is parsed).
    private func manifestText(_ path: String) -> String? {
        guard let bytes = files.read(path) else {
            sink.error("cannot read file", at: SourceLocation(file: files.display(path)))
            return nil
        }
        do {
            return try UTF8Text.decode(bytes, file: files.display(path), what: "manifest")
        } catch {
            sink.diagnostics.append(error)
            return nil
        }
    }

    /// Resolves a manifest path; records an error naming the key when it is refused. Every
    /// path a manifest names (script, rollback, tool, rule) must be a file: a directory would
    /// pass here and fail only at run time (issue 14 item 2). The location is made only for an
    /// error: a task's is a few strings, and 100,000 files are resolved (P5, issue 20.1).
    private func resolve(_ reference: String, at location: @autoclosure () -> SourceLocation) -> ReleaseFiles.ResolvedFile? {
        switch files.resolveFile(reference, from: folder) {
        case .success(let file) where files.isDirectory(file):
            sink.error("'\(reference)' is a directory, not a file: \(files.display(file.path))", at: location(),
                       hint: "name the file inside it, e.g. \(reference.hasSuffix("/") ? reference : reference + "/")\(files.list(file.path).first ?? "<file>")")
            return nil
        case .success(let file): return file
        case .failure(let error):
            sink.error("'\(reference)' \(error.message)", at: location())
            return nil
        }
    }

    private func checkFiles(_ task: inout UpgradeTask) {
        if let file = task.file, let resolved = resolve(file, at: task.location(of: "file")) {
            if let bytes = files.read(resolved) {
                if checksums { task.checksum = SHA256.hex(bytes) }
                checkScript(&task, bytes: bytes, path: resolved.path)
            } else {
                sink.error("cannot read '\(file)': \(files.display(resolved.path))", at: task.location(of: "file"), hint: "check the file's permissions")
            }
        }
        if let rollback = task.rollback {
            _ = resolve(rollback, at: task.location(of: "rollback"))
        }
        if let package = task.package, let entry = ToolEntry(package) {
            task.checksum = toolChecksum(entry, task: task)
        }
    }

    /// Splits SQL scripts as they will run, so a script that cannot be split fails validation
    /// (D2, M6), and notes DDL that makes a MariaDB task non-transactional (E5).
    private func checkScript(_ task: inout UpgradeTask, bytes: [UInt8], path: String) {
        if task.kind == .config { return checkChangeFile(task, bytes: bytes, path: path) }
        // Made once for the messages, the statements and lint (it was made for each).
        let shown = files.display(path)
        let linting = lint.map { $0.wants(task) } ?? false
        if task.kind == .redis {
            // Redis scripts are UTF-8 too (issue 13 item 7); their syntax is checked at run time.
            do {
                let text = try UTF8Text.decode(bytes, file: shown, allowNUL: false, what: "script")
                if linting { lint?.lint(task, text: text, file: shown, component: component, files: files) }
            } catch {
                sink.diagnostics.append(error)
                lintUnvalidated(task, bytes: bytes, path: path, linting: linting)
            }
        }
        guard task.kind == .sql else { return }
        let type = (task.datasource.flatMap { component.datasource(named: $0) } ?? component.defaultDatasource(for: .sql))?.type
        let dialect: SQLDialect
        switch type {
        case .clickhouse?: dialect = .clickhouse
        case .sqlite?: dialect = .sqlite
        default: dialect = .mariadb
        }
        let splitter = SQLSplitter(dialect: dialect)
        guard linting, let lint else {
            // Checked and split as the bytes it was read as: made a String, each of 100,000
            // scripts was turned back into bytes to be split (P5, issue 20.1).
            do {
                try UTF8Text.check(bytes, file: shown, allowNUL: false, what: "script")
                let statements = try splitter.split(utf8: bytes, file: shown)
                if dialect == .mariadb { task.commitsImplicitly = statements.contains { ImplicitCommit.causes($0.text) } }
            } catch {
                sink.diagnostics.append(error)
            }
            return
        }
        let text: String
        do { text = try UTF8Text.decode(bytes, file: shown, allowNUL: false, what: "script") } catch {
            sink.diagnostics.append(error)
            return lintUnvalidated(task, bytes: bytes, path: path, linting: linting)
        }
        // The split lint needs too (with the client's notes): the same statements and error.
        let analysis = splitter.analyze(text, file: shown)
        if let error = analysis.error {
            sink.diagnostics.append(error)
        } else if dialect == .mariadb {
            task.commitsImplicitly = analysis.statements.contains { ImplicitCommit.causes($0.text) }
        }
        lint.lint(task, text: text, file: shown, analysis: analysis, component: component, files: files)
    }

    /// A script validation refused (a NUL byte) is still linted as `ReleaseLinter` reads it.
    private func lintUnvalidated(_ task: UpgradeTask, bytes: [UInt8], path: String, linting: Bool) {
        guard linting, let lint, let text = try? UTF8Text.decode(bytes, file: files.display(path), what: "script") else { return }
        lint.lint(task, text: text, file: files.display(path), component: component, files: files)
    }

    /// A config task's change file must parse now, not on the hosts mid-upgrade (K1, M6).
    private func checkChangeFile(_ task: UpgradeTask, bytes: [UInt8], path: String) {
        guard let format = task.configFormat, format.isKeyed else { return }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            sink.error("change file is not UTF-8 text", at: SourceLocation(file: files.display(path)),
                       hint: "save it as UTF-8; quoted strings can carry any character as \\uXXXX")
            return
        }
        do {
            _ = try ConfigChangeParser.parse(text, format: format, file: files.display(path))
        } catch {
            for problem in error.errors { sink.diagnostics.append(problem) }
        }
    }

    /// SHA-256 over the entry text and every file of the tool (its folder below tools/, or the file alone).
    private func toolChecksum(_ entry: ToolEntry, task: UpgradeTask) -> String? {
        let main: String?
        switch entry {
        case .executable(let path):
            main = resolve(path, at: task.location(of: "package"))?.path
        case .python:
            main = entry.pythonModuleCandidates.first { files.exists("\(folder)/\($0)") }.map { "\(folder)/\($0)" }
            if main == nil {
                sink.error("Python module of '\(task.package ?? "")' not found", at: task.location(of: "package"),
                           hint: "expected \(entry.pythonModuleCandidates.map { "\(files.display(folder))/\($0)" }.joined(separator: " or "))")
            }
        }
        guard let main, checksums else { return nil }
        let toolFiles = ToolFiles.members(main: main, folder: folder, files: files)
        var hasher = SHA256()
        hasher.update(task.package ?? "")
        for path in toolFiles {
            hasher.update("\0\(path.dropFirst(folder.count + 1))\0")
            hasher.update(files.read(path) ?? [])
        }
        return hasher.finalizeHex()
    }

    private func checkRuleFile(_ rule: inout QualityRule) {
        if case .file(let file) = rule.body {
            _ = resolve(file, at: rule.location.with(key: "rule.\(rule.uid).file"))
        }
    }
}

/// Which files make up a tool: all files of its top folder under `tools/` (a package), else the file alone.
enum ToolFiles {
    static func members(main: String, folder: String, files: ReleaseFiles) -> [String] {
        let inside = main.dropFirst(folder.count + 1).split(separator: "/")
        guard inside.count > 2, inside[0] == "tools" else { return [main] }
        return files.files(under: "\(folder)/tools/\(inside[1])").filter { !$0.hasSuffix(".pyc") }
    }
}
