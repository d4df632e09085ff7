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
        var text = TextOnly(base: out)
        defer { out = text.base }
        try write(plan, to: &text)
    }

    /// `write(_:to:)` into an output that takes the tasks' UTF-8 bytes as they are made: the
    /// 80 MB of a 100,000-task plan are then not validated again to become Strings (P5, issue 20.1).
    public static func write<Out: UTF8OutputStream>(_ plan: Plan, to out: inout Out) throws {
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
        var window: [Result<[UInt8], any Error>] = []
        var windowStart = 0
        var next = 0
        static let windowSize = 16

        init(_ plan: Plan) { components = plan.stages.flatMap(\.components) }

        /// The next component's tasks, as `task(_:)` writes each, joined by `,\n`.
        mutating func take() throws -> [UInt8] {
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

    private static func write<Out: UTF8OutputStream>(_ stage: StagePlan, bodies: inout TaskBodies, to out: inout Out) throws {
        out.write("    {\n      \"components\" : [")
        for (index, component) in stage.components.enumerated() {
            out.write(index == 0 ? "\n" : ",\n")
            out.write("        {\n          \"after\" : \(quotedArray(component.after, indent: 10)),\n")
            out.write("          \"name\" : \(JSONText.quoted(component.component)),\n          \"tasks\" : [")
            let tasks = try bodies.take()
            if !component.tasks.isEmpty {
                out.write("\n")
                out.write(utf8: tasks)
            }
            out.write(component.tasks.isEmpty ? "\n\n          ]\n        }" : "\n          ]\n        }")
        }
        if stage.components.isEmpty { out.write("\n") }
        out.write("\n      ],\n      \"stage\" : \(JSONText.quoted(stage.stage.rawValue))\n    }")
    }

    /// A component's tasks, as `task(_:into:openings:versions:)` writes each, joined by `,\n`, as UTF-8
    /// bytes in one buffer (P5, issue 20.1).
    static func tasks(_ tasks: [PlannedTask]) throws -> [UInt8] {
        var out: [UInt8] = []
        var versions = VersionText()
        let openings = TaskField.Openings()
        // Each task borrowed from the buffer: iterating the array copies each planned task.
        try tasks.withUnsafeBufferPointer { tasks in
            for index in tasks.indices {
                if index > 0 { out.append(contentsOf: ",\n".utf8) }
                try task(tasks[index], into: &out, openings: openings, versions: &versions)
            }
        }
        return out
    }

    /// A task's field names, in byte order as JSONEncoder's `.sortedKeys` writes them.
    enum TaskField: Int, CaseIterable {
        case checksum, compatibility, compatibleVersion, datasource, depends, description, estimateSeconds, estimateSource,
             file, id, key, kind, location, overrides, package, retryable, source, target, timeoutSeconds, transactional,
             uid, version

        /// `"name" : ` of every field at indent 14, as the object's first field and after a
        /// comma, in one buffer: one append opens a field, not three. Made for each component's
        /// tasks, not once for all: two threads reading shared arrays would count references
        /// on the same cache line for every field (it cost more than the appends it saved).
        struct Openings {
            private var bytes: [UInt8] = []
            private var ranges: [(first: Range<Int>, next: Range<Int>)] = []

            init() {
                for field in TaskField.allCases {
                    let start = bytes.count
                    bytes += ",\n              \"\(field)\" : ".utf8
                    // The first field's opening is the same without the leading ",\n".
                    ranges.append((start + 2..<bytes.count, start..<bytes.count))
                }
            }

            func append(_ field: TaskField, first: Bool, to out: inout [UInt8]) {
                let range = first ? ranges[field.rawValue].first : ranges[field.rawValue].next
                bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
            }
        }
    }

    /// One task at indent 12: the fields `PlanDocument.task` fills, absent ones left out,
    /// written from the planned task itself — no `PlanDocument.Task` per task, the key and the
    /// location written from their parts (P5, issue 20.1: this runs for every planned task).
    private static func task(_ planned: PlannedTask, into out: inout [UInt8], openings: TaskField.Openings,
                             versions: inout VersionText) throws {
        let t = planned.task
        var empty = true
        func open(_ field: TaskField) {
            openings.append(field, first: empty, to: &out)
            empty = false
        }
        func quoted(_ field: TaskField, _ value: String?) {
            guard let value else { return }
            open(field)
            JSONText.appendQuoted(value, to: &out)
        }
        func bool(_ field: TaskField, _ value: Bool?) {
            guard let value else { return }
            open(field)
            out.append(contentsOf: (value ? "true" : "false").utf8)
        }
        out.append(contentsOf: "            {\n".utf8)
        quoted(.checksum, t.checksum)
        quoted(.compatibility, planned.compatibility.rawValue)
        quoted(.compatibleVersion, t.compatibleVersion?.description)
        quoted(.datasource, planned.datasource)
        open(.depends)
        quotedArray(t.depends, indent: 14, into: &out)
        quoted(.description, t.description)
        if let estimate = planned.estimate {
            open(.estimateSeconds)
            out.append(contentsOf: try number(estimate.duration.seconds).utf8)
            quoted(.estimateSource, estimate.source.rawValue)
        }
        quoted(.file, t.file)
        quoted(.id, t.id)
        /// `UpgradeTask.qualifiedUID`: kind.uid.
        func qualifiedUID() {
            JSONText.appendEscaped(t.kind.rawValue, to: &out)
            out.append(UInt8(ascii: "."))
            JSONText.appendEscaped(t.uid, to: &out)
        }
        // `UpgradeTask.key`: component/version/kind.uid.
        open(.key)
        out.append(UInt8(ascii: "\""))
        JSONText.appendEscaped(t.component, to: &out)
        out.append(UInt8(ascii: "/"))
        versions.append(t.version, to: &out)
        out.append(UInt8(ascii: "/"))
        qualifiedUID()
        out.append(UInt8(ascii: "\""))
        quoted(.kind, t.kind.rawValue)
        open(.location)
        out.append(UInt8(ascii: "\""))
        let (declared, keyIsQualifiedUID) = t.declaredLocation
        JSONText.appendEscaped(declared.description, to: &out)
        if keyIsQualifiedUID {
            // `description` of a location with a key is the keyless one, ": " and the key.
            out.append(contentsOf: ": ".utf8)
            qualifiedUID()
        }
        out.append(UInt8(ascii: "\""))
        let overrides = t.overrides
        if !overrides.isEmpty {
            open(.overrides)
            out.append(contentsOf: object(overrides.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { (JSONText.quoted($0.key), JSONText.quoted($0.value.description)) }, indent: 14).utf8)
        }
        quoted(.package, t.package)
        bool(.retryable, t.retryable)
        quoted(.source, t.source)
        quoted(.target, t.target)
        open(.timeoutSeconds)
        out.append(contentsOf: try number(planned.timeout.seconds).utf8)
        bool(.transactional, planned.transactional)
        quoted(.uid, t.uid)
        open(.version)
        out.append(UInt8(ascii: "\""))
        versions.append(t.version, to: &out)
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: "\n            }".utf8)
    }

    /// A version's text escaped for JSON, kept for the next task: a component's tasks come a
    /// version at a time, and each writes its version twice (its key and `version`).
    struct VersionText {
        private var last: (version: Version, escaped: [UInt8])?

        mutating func append(_ version: Version, to out: inout [UInt8]) {
            if let last, last.version == version {
                out.append(contentsOf: last.escaped)
                return
            }
            var escaped: [UInt8] = []
            JSONText.appendEscaped(version.description, to: &escaped)
            out.append(contentsOf: escaped)
            last = (version, escaped)
        }
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
        // A whole number below 10^15 (a timeout in seconds, mostly) is written as its digits,
        // as `description` writes it before ".0" — without the shortest-digits search (P5).
        if value >= 1, value < 1e15, let whole = Int64(exactly: value) { return String(whole) }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
