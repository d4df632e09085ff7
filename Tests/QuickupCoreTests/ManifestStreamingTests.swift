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
}
