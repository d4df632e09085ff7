import QuickupTestSupport
import Testing
@testable import QuickupCore

/// Issue 13 item 9: the task manifest is parsed as it is read (entries straight into their
/// task's group, each group dropped once its task is made). Tasks and diagnostics must be those
/// of the array path (`PropertiesReader.parse`, then `parse(_:into:)`), mistakes included.
@Suite("Task manifest parsed as it is read (issue 13 item 9)")
struct ManifestStreamingTests {
    static let lines = [
        "sql.a.id=A", "sql.a.description=第一", "sql.a.file=a.sql", "sql.a.stage=in_stop", "sql.b.id=B", "sql.b.description=b",
        "sql.b.file=b.sql", "sql.b.stage=pre_stop", "sql.b.depends=sql.a", "tool.t.id=T", "tool.t.package=tools/x.sh",
        "tool.t.stage=post_start", "tool.t.description=t", "sql.a.id=A2", "sql.b.order=x", "nonsense", "sql..id=1",
        "redis.r.id=A", "redis.r.file=r.redis", "sql.c.unknown=1", "sql.c.timeout=10m", "# comment", "sql.a.sites=S1,S2",
        "config.k.id=K", "config.k.target=/etc/x", "config.k.format=yaml", "sql.d.description=long \\", "   continued",
    ]

    @Test("random manifests: the same tasks and the same errors, in the same order")
    func differential() throws {
        var rng = SplitMix64(seed: 0x13_0009)
        let parser = TaskManifestParser(component: "c", version: Version(1, 0, 1), file: "m.properties")
        var compared = 0
        for round in 0..<2_000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &rng) { text += Self.lines[Int.random(in: 0..<Self.lines.count, using: &rng)] + "\n" }
            if round % 50 == 0 { text += "sql.z.id=\\u12G4\n" }  // malformed escape: an error, no tasks
            var old = Diagnostics(), new = Diagnostics()
            let oldTasks: [UpgradeTask]?
            do { oldTasks = parser.parse(try PropertiesReader.parse(text, file: "m.properties"), into: &old) } catch { oldTasks = nil }
            let newTasks: [UpgradeTask]?
            do { newTasks = try parser.parse(text: text, into: &new) } catch { newTasks = nil }
            #expect(newTasks == oldTasks, "round \(round)")
            #expect(new.errors.map(\.description) == old.errors.map(\.description), "round \(round)")
            #expect(new.warnings.map(\.description) == old.warnings.map(\.description), "round \(round)")
            if let oldTasks, !oldTasks.isEmpty, !old.errors.isEmpty { compared += 1 }
        }
        #expect(compared > 100)
    }

    /// A valid task's lines, with a random choice of optional fields, in random field order.
    static func validTask(_ n: Int, rng: inout SplitMix64) -> [String] {
        let kinds = ["sql", "tool", "redis"]
        let kind = kinds[Int.random(in: 0..<kinds.count, using: &rng)]
        let uid = "t\(n)"
        var lines = ["\(kind).\(uid).id=ID-\(n)", "\(kind).\(uid).description=task \(n) 说明",
                     "\(kind).\(uid).stage=" + ["pre_stop", "in_stop", "post_start", "post_upgrade"][n % 4]]
        lines.append(kind == "tool" ? "\(kind).\(uid).package=tools/t\(n).sh" : "\(kind).\(uid).file=f/\(n).\(kind)")
        let optional = ["order=\(n * 3)", "timeout=90s", "retries=2", "depends=t\(max(0, n - 1))", "sites=S1,S2", "transactional=true"]
        for field in optional where Bool.random(using: &rng) { lines.append("\(kind).\(uid).\(field)") }
        return lines.shuffled(using: &rng)
    }

    @Test("valid manifests, each task's lines together or interleaved: the same tasks as the array path, no message")
    func validManifests() throws {
        var rng = SplitMix64(seed: 0x13_0019)
        let parser = TaskManifestParser(component: "c", version: Version(1, 0, 1), file: "m.properties")
        var tasksSeen = 0
        for round in 0..<500 {
            var groups = (0..<Int.random(in: 1...30, using: &rng)).map { Self.validTask($0, rng: &rng) }
            var lines: [String]
            if round % 3 == 0, groups.count > 1 {
                // Java allows a task's lines anywhere: move one line of the first task to the end.
                let moved = groups[0].removeLast()
                lines = groups.flatMap { $0 } + [moved]
            } else {
                lines = groups.flatMap { $0 }
            }
            if round % 5 == 0 { lines.insert("# comment", at: Int.random(in: 0...lines.count, using: &rng)) }
            let text = lines.joined(separator: "\n") + "\n"
            var old = Diagnostics(), new = Diagnostics()
            let oldTasks = parser.parse(try PropertiesReader.parse(text, file: "m.properties"), into: &old)
            let newTasks = try parser.parse(text: text, into: &new)
            #expect(old.errors.isEmpty && old.warnings.isEmpty, "round \(round): \(old.errors)")
            #expect(newTasks == oldTasks && new.errors.isEmpty && new.warnings.isEmpty, "round \(round)")
            #expect(newTasks.map(\.filePosition) == Array(1...groups.count), "round \(round)")
            tasksSeen += newTasks.count
        }
        #expect(tasksSeen > 1_000)
    }
}
