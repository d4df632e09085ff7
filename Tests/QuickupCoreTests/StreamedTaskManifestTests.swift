import QuickupTestSupport
import Testing
@testable import QuickupCore

/// P5, issue 20.1: the task manifest's fast path reads keys as bytes (kind, field and uid
/// recognised without making strings of them). It must take every plain manifest, and give the
/// tasks of the general way or hand over to it; what it hands over is reported there as before.
@Suite("Task manifest read as bytes (P5, issue 20.1)")
struct StreamedTaskManifestTests {
    let parser = TaskManifestParser(component: "c", version: Version(1, 0, 1), file: "m.properties")

    /// The fast path's tasks (nil when it handed over), and the general way's tasks and messages.
    func read(_ text: String) -> (fast: [UpgradeTask]?, general: [UpgradeTask]?, messages: [String], viaParse: [UpgradeTask]?) {
        var bytes = text
        let fast = bytes.withUTF8 { parser.streamed(utf8: $0) }
        var general = Diagnostics(), parsed = Diagnostics()
        let generalTasks = try? parser.parse(PropertiesReader.parse(text, file: "m.properties"), into: &general)
        let viaParse = try? parser.parse(text: text, into: &parsed)
        #expect(parsed.errors.map(\.description) == general.errors.map(\.description), "\(text.debugDescription)")
        return (fast, generalTasks, general.errors.map(\.description) + general.warnings.map(\.description), viaParse)
    }

    /// A task setting every field its kind accepts, with valid values.
    static func fullTask(_ kind: TaskKind, uid: String) -> [String] {
        let values: [String: String] = [
            "id": "ID-\(uid)", "description": "说明 \(uid)", "stage": "in_stop", "file": "sql/\(uid).sql", "package": "tools/x.sh",
            "datasource": "db", "order": "3", "depends": "other", "compatible_version": "V1.0.0", "sites": "S1,S2",
            "exclude_sites": "S3", "timeout": "10m", "retries": "2", "retry_interval": "30s", "retryable": "true",
            "transactional": "false", "rollback": "sql/undo.sql", "volume": "3GB", "rate": "50MB/s", "parallel": "2",
            "where": "local", "source": "db", "target": kind == .config ? "/etc/app.properties" : "db2", "format": "properties",
        ]
        return TaskFields.allowed(for: kind).sorted().map { "\(kind).\(uid).\($0)=\(values[$0] ?? "x")" }
    }

    @Test("every field of every kind, uids that share a beginning: taken by the fast path, the general way's tasks")
    func everyField() {
        var lines: [String] = []
        for (index, kind) in TaskKind.allCases.enumerated() {
            // The last two differ only past their eighth byte.
            for uid in ["t", "t1", "t10", "t1_", "表\(index)", "long_uid_1", "long_uid_2"] { lines += Self.fullTask(kind, uid: "\(uid)\(kind)") }
        }
        let result = read(lines.joined(separator: "\n") + "\n")
        #expect(result.messages.isEmpty, "\(result.messages)")
        #expect(result.fast != nil)
        #expect(result.fast == result.general && result.viaParse == result.general)
        #expect(result.fast?.count == 28)
    }

    @Test("keys the fast path leaves to the general way: the same tasks and messages as before")
    func handedOver() {
        let plain = ["sql.a.id=A", "sql.a.description=d", "sql.a.file=a.sql", "sql.a.stage=in_stop"]
        let variants = [
            "sql.a.i\\d=A2",             // an escape in the key: the field is `id`, a duplicate
            "sql.a\\.b.timeout=10m",     // an escaped dot: not a task key
            "sql.a.format=yaml",         // a field only config tasks accept
            "sql.a.descriptio=x",        // a field no kind accepts
            "sql.a.compatible_versioN=V1.0.0", // differs from a known field after its eighth byte
            "sqL.b.id=B",                // not a kind
            "sql\\u0000.b.id=B",         // a NUL makes the prefix longer, not another kind
            "sql.a.timeout=\\u12G4",     // a malformed escape: the general way throws it
            "sql.a.timeout:10m",         // a colon separates too (taken)
            "sql.a.timeout 10m",         // and a blank (taken)
            "sql.a.id=A",                // a duplicate key
            "tool.a.id=T",               // a duplicate uid under another kind
        ]
        for variant in variants {
            for position in [1, plain.count] {
                var lines = plain
                lines.insert(variant, at: position)
                let text = lines.joined(separator: "\r\n")
                let result = read(text)
                #expect(result.viaParse == result.general, "\(variant)")
                if let fast = result.fast { #expect(fast == result.general && result.messages.isEmpty, "\(variant)") }
            }
        }
        #expect(read("sql.a.timeout:10m\n" + plain.joined(separator: "\n")).fast != nil)
        #expect(read(plain.joined(separator: "\n") + "\nsql.a.format=yaml").fast == nil)
    }

    @Test("known fields: each name of each kind, and nothing else")
    func knownFields() {
        let every = TaskKind.allCases.reduce(into: Set<String>()) { $0.formUnion(TaskFields.allowed(for: $1)) }
        for kind in TaskKind.allCases {
            for name in every {
                var text = name
                let found = text.withUTF8 { TaskFields.known($0, for: kind) }
                #expect(found?.name == name && found?.allowed == TaskFields.allowed(for: kind).contains(name), "\(name) \(kind)")
            }
            for name in ["", "i", "ids", "Id", "compatible_versio", "compatible_versionx", "retry_intervaL", "file\u{0}"] {
                var text = name
                #expect(text.withUTF8 { TaskFields.known($0, for: kind) } == nil, "\(name.debugDescription)")
            }
        }
        for kind in TaskKind.allCases {
            var text = kind.rawValue
            #expect(text.withUTF8 { TaskKind(utf8: $0) } == kind)
        }
        for prefix in ["", "sq", "sqlx", "SQL", "sql\u{0}", "configs", "rule"] {
            var text = prefix
            #expect(text.withUTF8 { TaskKind(utf8: $0) } == nil, "\(prefix.debugDescription)")
        }
    }
}
