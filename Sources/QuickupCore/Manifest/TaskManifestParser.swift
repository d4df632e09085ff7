/// Reads `upgrade_tasks_<version>.properties` entries into tasks (SPEC M2), reporting every problem (M5).
public struct TaskManifestParser {
    public var component: String
    public var version: Version
    public var file: String

    public init(component: String, version: Version, file: String) {
        self.component = component
        self.version = version
        self.file = file
    }

    private static let prefixes = Set(TaskKind.allCases.map(\.rawValue))
    private static let expectedForm = "<sql|tool|redis|config>.<uid>.<field>"

    public func parse(_ entries: [PropertiesEntry], into diagnostics: inout Diagnostics) -> [UpgradeTask] {
        var reader = FieldReader(file: file, diagnostics: Diagnostics())
        var groups = EntryGroups(entries: entries, prefixes: Self.prefixes, reader: &reader, expectedForm: Self.expectedForm)
        return tasks(from: &groups, reader: &reader, into: &diagnostics)
    }

    /// Parses the manifest's text as it is read (issue 13 item 9). In the common case — each
    /// task's lines together, nothing to report — each task is made as soon as its lines end, so
    /// only the current task's entries are held and a 50 MB manifest never has its entries,
    /// groups and tasks in memory at once (`streamed(utf8:)`). Otherwise the text is parsed
    /// again the general way: tasks and diagnostics (in their order) always equal
    /// `parse(PropertiesReader.parse(text, file:), into:)`; a syntax error throws and yields no task.
    public func parse(text: String, into diagnostics: inout Diagnostics) throws(QuickupError) -> [UpgradeTask] {
        var bytes = text
        // withUTF8 lends the text's own storage (contiguous for any text read from a file).
        if let tasks = bytes.withUTF8({ streamed(utf8: $0) }) { return tasks }
        var reader = FieldReader(file: file, diagnostics: Diagnostics())
        var groups = EntryGroups(prefixes: Self.prefixes, expectedForm: Self.expectedForm)
        try PropertiesReader.forEachEntry(text, file: file) { groups.add($0, reader: &reader) }
        return tasks(from: &groups, reader: &reader, into: &diagnostics)
    }

    /// uids and ids met so far, with the line of each, for the duplicate checks.
    struct SeenKeys {
        var uids: [String: Int] = [:]
        var ids: [String: Int] = [:]

        /// Room for about `tasks` tasks at once: grown from empty, both dictionaries were
        /// rehashed seven times per 100-task manifest (P5, issue 20.1: 1.3 % of loading).
        init(tasks: Int) {
            uids.reserveCapacity(tasks)
            ids.reserveCapacity(tasks)
        }
    }

    private func tasks(from groups: inout EntryGroups, reader: inout FieldReader, into diagnostics: inout Diagnostics) -> [UpgradeTask] {
        var tasks: [UpgradeTask] = []
        tasks.reserveCapacity(groups.groups.count)
        var seen = SeenKeys(tasks: groups.groups.count)
        for slot in groups.groups.indices {
            let group = groups.groups[slot]
            groups.groups[slot].entries = [:]
            take(group, seen: &seen, reader: &reader, into: &tasks)
        }
        diagnostics.merge(reader.diagnostics)
        return tasks
    }

    /// One group's task, after the duplicate uid and id checks. `fieldsAllowed`: the caller
    /// has seen that the task's kind accepts each of its fields.
    func take(_ group: EntryGroups.Group, seen: inout SeenKeys, reader: inout FieldReader, into tasks: inout [UpgradeTask],
              fieldsAllowed: Bool = false) {
        guard let kind = TaskKind(rawValue: group.prefix) else { return }
        let location = SourceLocation(file: file, line: group.firstLine, key: "\(kind).\(group.uid)")
        // Recorded and looked up in one step (one hash per task for each, P5); the line kept is
        // this task's, as before, and a duplicate names the one before it.
        if let line = seen.uids.updateValue(group.firstLine, forKey: group.uid) {
            reader.diagnostics.error("duplicate uid '\(group.uid)' (also used at line \(line))", at: location,
                                     hint: "uids must be unique in a file, whatever the kind")
        }
        if let idEntry = group.entries["id"] {
            let id = idEntry.value.trimmingSpaces
            if let line = seen.ids.updateValue(idEntry.line, forKey: id) {
                reader.diagnostics.error("duplicate id '\(id)' (also used at line \(line))", at: reader.at(idEntry))
            }
        }
        if let task = parseTask(kind: kind, group: group, location: location, reader: &reader, fieldsAllowed: fieldsAllowed) {
            tasks.append(task)
        }
    }

    private func parseTask(kind: TaskKind, group: EntryGroups.Group, location: SourceLocation,
                           reader: inout FieldReader, fieldsAllowed: Bool) -> UpgradeTask? {
        let allowed = TaskFields.allowed(for: kind)
        // Sorted into line order only when there is something to report (P5: per task); not
        // looked up again when the fast path has (a set lookup hashes each field, P5).
        if !fieldsAllowed, group.entries.contains(where: { !allowed.contains($0.key) }) {
            for (field, entry) in group.entries.sorted(by: { $0.value.line < $1.value.line }) where !allowed.contains(field) {
                reader.diagnostics.error(
                    "unknown key '\(entry.key)'", at: reader.at(entry),
                    hint: "a \(kind) task accepts: \(allowed.sorted().joined(separator: ", "))")
            }
        }
        for field in TaskFields.required(for: kind) where group.entries[field] == nil {
            reader.diagnostics.error("missing key '\(kind).\(group.uid).\(field)'", at: location,
                                     hint: "every \(kind) task needs \(TaskFields.required(for: kind).joined(separator: ", "))")
        }
        let e = group.entries
        let stage = e["stage"].flatMap { reader.stage($0) }
        let id = e["id"].flatMap { reader.nonEmpty($0) }
        // Read every field even when the task is unusable, so all its mistakes are reported at once.
        // Filled as plain fields and boxed once at the end: each setter of a boxed task rebuilds
        // its rare-fields box, a dozen times per task (P5).
        var task = UpgradeTask.Fields(component: component, version: version, kind: kind, uid: group.uid, id: id ?? "",
                                      description: e["description"]?.value.trimmingSpaces ?? "", stage: stage ?? .preStop,
                                      filePosition: group.position, location: location)
        for (field, entry) in e { task.fieldLines[field] = entry.line }
        task.file = e["file"].flatMap { reader.nonEmpty($0) }
        task.package = e["package"].flatMap { reader.nonEmpty($0) }
        task.datasource = e["datasource"].flatMap { reader.nonEmpty($0) }
        task.source = e["source"].flatMap { reader.nonEmpty($0) }
        task.target = e["target"].flatMap { reader.nonEmpty($0) }
        task.rollback = e["rollback"].flatMap { reader.nonEmpty($0) }
        task.order = e["order"].flatMap { reader.int($0, min: Int.min / 2) }
        task.depends = e["depends"].flatMap { reader.list($0) } ?? []
        task.compatibleVersion = e["compatible_version"].flatMap { reader.version($0) }
        task.sites = e["sites"].flatMap { reader.list($0) }
        task.excludeSites = e["exclude_sites"].flatMap { reader.list($0) } ?? []
        task.timeout = e["timeout"].flatMap { reader.timeSpan($0) }
        task.retries = e["retries"].flatMap { reader.int($0) }
        task.retryInterval = e["retry_interval"].flatMap { reader.timeSpan($0) }
        task.retryable = e["retryable"].flatMap { reader.bool($0) }
        task.transactional = e["transactional"].flatMap { reader.bool($0) }
        task.parallel = e["parallel"].flatMap { reader.int($0, min: 1) }
        if let entry = e["volume"] {
            task.volume = Volume.parse(entry.value)
            if task.volume == nil { reader.fail(entry, expected: "a size (100GB), a row count (5000rows) or a SELECT query") }
        }
        if let entry = e["rate"] {
            task.rate = Rate.parse(entry.value)
            if task.rate == nil { reader.fail(entry, expected: "a rate such as 50MB/s or 20000rows/s") }
        }
        if let entry = e["where"] {
            task.placement = TaskPlacement(rawValue: entry.value.trimmingSpaces)
            if task.placement == nil { reader.fail(entry, expected: "local or hosts") }
        }
        if let entry = e["format"] {
            task.configFormat = ConfigFormat(rawValue: entry.value.trimmingSpaces)
            if task.configFormat == nil { reader.fail(entry, expected: "properties, yaml, flink, file or nginx") }
        }
        if kind == .config, let entry = e["target"], let target = task.target, ConfigTarget(target) == nil {
            reader.fail(entry, expected: "an absolute path on the component's hosts (/opt/app/conf/application.properties), a path below the service's install directory ({install_dir}/conf/application.properties) or nacos:<group>/<dataId>")
        }
        if task.configFormat == .nginx, let entry = e["target"], case .nacos? = task.target.flatMap(ConfigTarget.init) {
            reader.fail(entry, expected: "a file on the hosts for format=nginx (nginx -t and reload run there), not a Nacos configuration")
        }
        if let entry = e["package"], let package = task.package, ToolEntry(package) == nil {
            reader.fail(entry, expected: "a relative executable path (tools/run.sh) or a Python entry (module.sub:function)")
        }
        // M2 `.where=hosts`: an executable tool sent to the component's hosts and run there; a
        // Python entry needs quickup's helper and the release's tools/ on the host, which are not sent.
        if let entry = e["where"], task.placement == .hosts {
            if kind != .tool {
                reader.fail(entry, expected: "local (only tool tasks run on the component's hosts)")
            } else if let package = task.package, case .python? = ToolEntry(package) {
                reader.fail(entry, expected: "local for a Python entry (module:function); a tool run on the hosts must be an executable path such as tools/check.sh")
            }
        }
        // Incomplete tasks are kept so their files are still checked; the release is unusable anyway.
        return UpgradeTask(fields: task)
    }
}
