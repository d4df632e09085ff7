import Foundation

/// `quickup plan --json` written a task at a time (issue 20 item 1): exactly the bytes
/// `JSONEncoder` with `PlanJSON.formatting` gives for `PlanDocument(plan)`, without building the
/// document's 100,000 task values or the whole text in memory first. The top level (release,
/// notes, sites…) still goes through `JSONEncoder`; stages, components and tasks are written
/// here in its pretty-printed form (two-space indent, `"key" : value`, keys in byte order,
/// `[\n\n]` for an empty array, integral doubles without `.0`).
public enum PlanJSON {
    public static let formatting: JSONEncoder.OutputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]

    /// The whole document, as `String(decoding: encoder.encode(PlanDocument(plan)), as: UTF8.self)`.
    public static func write<Out: TextOutputStream>(_ plan: Plan, to out: inout Out) throws {
        var skeleton = plan
        skeleton.stages = []
        var document = PlanDocument(skeleton)
        document.taskCount = plan.taskCount
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        let header = String(decoding: try encoder.encode(document), as: UTF8.self)
        // Every string in the header is escaped, so a raw line break only comes from the layout.
        guard !plan.stages.isEmpty, let empty = header.range(of: "\"stages\" : [\n\n  ]") else {
            out.write(header)
            return
        }
        out.write(String(header[..<empty.lowerBound]))
        out.write("\"stages\" : [")
        var bodies = TaskBodies(plan)
        for (index, stage) in plan.stages.enumerated() {
            out.write(index == 0 ? "\n" : ",\n")
            try write(stage, bodies: &bodies, to: &out)
        }
        out.write("\n  ]")
        out.write(String(header[empty.upperBound...]))
    }

    /// The tasks of each component, made ahead on every core a few components at a time
    /// (P5, issue 20 item 1): in plan order, and never more than a window's text in memory.
    private struct TaskBodies {
        let components: [ComponentPlan]
        var window: [Result<String, any Error>] = []
        var windowStart = 0
        var next = 0
        static let windowSize = 16

        init(_ plan: Plan) { components = plan.stages.flatMap(\.components) }

        /// The next component's tasks, as `task(_:)` writes each, joined by `,\n`.
        mutating func take() throws -> String {
            if next - windowStart >= window.count {
                windowStart = next
                let ahead = components[next..<min(next + Self.windowSize, components.count)]
                window = ParallelMap.map(ahead.count) { index in
                    Result { try PlanJSON.tasks(ahead[ahead.startIndex + index].tasks) }
                }
            }
            defer { next += 1 }
            return try window[next - windowStart].get()
        }
    }

    private static func write<Out: TextOutputStream>(_ stage: StagePlan, bodies: inout TaskBodies, to out: inout Out) throws {
        out.write("    {\n      \"components\" : [")
        for (index, component) in stage.components.enumerated() {
            out.write(index == 0 ? "\n" : ",\n")
            out.write("        {\n          \"after\" : \(quotedArray(component.after, indent: 10)),\n")
            out.write("          \"name\" : \(JSONText.quoted(component.component)),\n          \"tasks\" : [")
            let tasks = try bodies.take()
            if !component.tasks.isEmpty {
                out.write("\n")
                out.write(tasks)
            }
            out.write(component.tasks.isEmpty ? "\n\n          ]\n        }" : "\n          ]\n        }")
        }
        if stage.components.isEmpty { out.write("\n") }
        out.write("\n      ],\n      \"stage\" : \(JSONText.quoted(stage.stage.rawValue))\n    }")
    }

    /// A component's tasks, as `task(_:into:)` writes each, joined by `,\n`: written as bytes
    /// into one buffer and made a string once (P5, issue 20.1).
    static func tasks(_ tasks: [PlannedTask]) throws -> String {
        var out: [UInt8] = []
        for (index, planned) in tasks.enumerated() {
            if index > 0 { out.append(contentsOf: ",\n".utf8) }
            try task(planned, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One task at indent 12, fields as `PlanDocument.task` fills them, absent ones left out,
    /// keys in byte order as JSONEncoder sorts them: this runs for every planned task (issue 20 item 1).
    static func task(_ planned: PlannedTask, into out: inout [UInt8]) throws {
        let t = PlanDocument.task(planned)
        var fields = JSONText.Fields(opening: "            {\n", first: "              \"", next: ",\n              \"", colon: "\" : ",
                                     continuing: &out)
        fields.quoted("checksum", t.checksum)
        fields.quoted("compatibility", t.compatibility)
        fields.quoted("compatibleVersion", t.compatibleVersion)
        fields.quoted("datasource", t.datasource)
        fields.raw("depends") { quotedArray(t.depends, indent: 14, into: &$0) }
        fields.quoted("description", t.description)
        fields.raw("estimateSeconds", try t.estimateSeconds.map(number))
        fields.quoted("estimateSource", t.estimateSource)
        fields.quoted("file", t.file)
        fields.quoted("id", t.id)
        fields.quoted("key", t.key)
        fields.quoted("kind", t.kind)
        fields.quoted("location", t.location)
        fields.raw("overrides", t.overrides.map { overrides in
            object(overrides.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { (JSONText.quoted($0.key), JSONText.quoted($0.value)) }, indent: 14)
        })
        fields.quoted("package", t.package)
        fields.bool("retryable", t.retryable)
        fields.quoted("source", t.source)
        fields.quoted("target", t.target)
        fields.raw("timeoutSeconds", try number(t.timeoutSeconds))
        fields.bool("transactional", t.transactional)
        fields.quoted("uid", t.uid)
        fields.quoted("version", t.version)
        fields.end("\n            }", into: &out)
    }

    /// Strings as a JSON array at `indent`, as JSONEncoder pretty-prints one (an empty one too).
    static func quotedArray(_ items: [String], indent: Int) -> String {
        var out: [UInt8] = []
        quotedArray(items, indent: indent, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `quotedArray(items, indent:)` written into `out`.
    private static func quotedArray(_ items: [String], indent: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            out.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent + 2))
            JSONText.appendQuoted(item, to: &out)
        }
        out.append(contentsOf: (items.isEmpty ? "\n\n" : "\n").utf8)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        out.append(UInt8(ascii: "]"))
    }

    private static func spaces(_ count: Int) -> String { String(repeating: " ", count: count) }

    /// `{` "key" : value … `}`.
    static func object(_ fields: [(String, String)], indent: Int) -> String {
        let open = "{"
        if fields.isEmpty { return open + "\n\n\(spaces(indent))}" }
        let inner = spaces(indent + 2)
        return open + "\n" + fields.map { "\(inner)\($0.0) : \($0.1)" }.joined(separator: ",\n") + "\n\(spaces(indent))}"
    }

    /// A JSON number as JSONEncoder writes a Double: its shortest form, `.0` dropped.
    static func number(_ value: Double) throws -> String {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Unable to encode \(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
