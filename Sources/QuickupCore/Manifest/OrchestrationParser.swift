/// Applies `upgrade_orchestration_<version>.properties` overrides of stage, order, depends and
/// timeout to the tasks of the same version (SPEC M3); unknown uids and fields are errors.
public struct OrchestrationParser {
    public var file: String
    public init(file: String) { self.file = file }

    public func apply(_ entries: [PropertiesEntry], to tasks: inout [UpgradeTask], diagnostics: inout Diagnostics) {
        var reader = FieldReader(file: file, diagnostics: Diagnostics())
        let groups = EntryGroups(entries: entries, prefixes: Set(TaskKind.allCases.map(\.rawValue)), reader: &reader,
                                 expectedForm: "<kind>.<uid>.<stage|order|depends|timeout>")
        for group in groups.groups {
            guard let index = tasks.firstIndex(where: { $0.kind.rawValue == group.prefix && $0.uid == group.uid }) else {
                let known = tasks.map(\.qualifiedUID).joined(separator: ", ")
                reader.diagnostics.error(
                    "override names unknown task '\(group.prefix).\(group.uid)'",
                    at: SourceLocation(file: file, line: group.firstLine, key: "\(group.prefix).\(group.uid)"),
                    hint: known.isEmpty ? "this version declares no tasks" : "tasks of this version: \(known)")
                continue
            }
            for (field, entry) in group.entries.sorted(by: { $0.value.line < $1.value.line }) {
                let location = reader.at(entry)
                switch field {
                case "stage":
                    if let stage = reader.stage(entry) { tasks[index].stage = stage }
                case "order":
                    if let order = reader.int(entry, min: Int.min / 2) { tasks[index].order = order }
                case "depends":
                    if let list = reader.list(entry) { tasks[index].depends = list }
                case "timeout":
                    if let span = reader.timeSpan(entry) { tasks[index].timeout = span }
                default:
                    reader.diagnostics.error(
                        "unknown key '\(entry.key)'", at: location,
                        hint: "the orchestration file may override only \(TaskFields.overridable.sorted().joined(separator: ", "))")
                    continue
                }
                tasks[index].overrides[field] = location
            }
        }
        diagnostics.merge(reader.diagnostics)
    }
}
