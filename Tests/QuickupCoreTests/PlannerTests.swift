import Testing
@testable import QuickupCore

/// Builds releases in code so planning is tested without files.
struct ReleaseBuilder {
    var components: [Component] = []

    mutating func task(_ component: String, _ version: String, _ uid: String, stage: Stage = .inStop,
                       order: Int? = nil, depends: [String] = [], compatible: String? = nil,
                       sites: [String]? = nil, exclude: [String] = []) {
        let v = Version.parse(version)!
        if !components.contains(where: { $0.name == component }) {
            var c = Component(name: component, location: SourceLocation(file: "\(component)/component.yaml"))
            c.datasources = [DatasourceRef(name: "\(component)_db", type: .mariadb)]
            components.append(c)
        }
        let index = components.firstIndex { $0.name == component }!
        let position = components[index].tasks.filter { $0.version == v }.count + 1
        var t = UpgradeTask(component: component, version: v, kind: .sql, uid: uid, id: uid, description: "task \(uid)",
                            stage: stage, filePosition: position, location: SourceLocation(file: "f", line: position))
        t.file = "\(uid).sql"
        t.order = order
        t.depends = depends
        t.compatibleVersion = compatible.flatMap(Version.parse)
        t.sites = sites
        t.excludeSites = exclude
        components[index].tasks.append(t)
    }

    var release: Release { Release(name: "r", components: components) }
}

@Suite("Planner (P1–P4, P6, A3)")
struct PlannerTests {
    func plan(_ b: ReleaseBuilder, _ from: String, _ to: String, site: String? = nil) throws(QuickupError) -> Plan {
        try Planner().plan(b.release, PlanRequest(from: Version.parse(from)!, to: Version.parse(to)!, site: site))
    }

    @Test("P1: selects from < v <= to")
    func selection() throws {
        var b = ReleaseBuilder()
        for v in ["V2.16.7", "V2.16.7-P1", "V2.16.8", "V2.16.9", "V2.17.0"] { b.task("base", v, "t_" + v.filter(\.isNumber)) }
        let uids = try plan(b, "V2.16.7", "V2.16.9").tasks.map { $0.task.version.description }
        #expect(uids == ["V2.16.7-P1", "V2.16.8", "V2.16.9"])
    }

    @Test("P1: downgrade refused, equal versions give an empty plan said plainly")
    func downgradeAndEqual() throws {
        var b = ReleaseBuilder()
        b.task("base", "V2.16.8", "a")
        #expect(throws: QuickupError.self) { try plan(b, "V2.17.0", "V2.16.8") }
        do { _ = try plan(b, "V2.17.0", "V2.16.8") } catch { #expect(error.code == .downgrade) }
        let same = try plan(b, "V2.16.8", "V2.16.8")
        #expect(same.taskCount == 0 && same.mode == .nothingToDo)
        #expect(same.notes.first?.contains("nothing to upgrade") == true)
    }

    @Test("P6: a from outside upgrades_from is refused, naming the range")
    func supportedFrom() throws {
        var b = ReleaseBuilder()
        b.task("base", "V2.16.8", "a")
        var release = b.release
        release.upgradesFrom = try VersionRange(parsing: "V2.15.0~V2.16.7")
        #expect(throws: Never.self) { try Planner().plan(release, PlanRequest(from: Version(2, 16, 7), to: Version(2, 17, 0))) }
        do {
            _ = try Planner().plan(release, PlanRequest(from: Version(2, 14, 9), to: Version(2, 17, 0)))
            Issue.record("accepted an unsupported from")
        } catch {
            #expect(error.code == .unsupportedFrom)
            #expect(error.description.contains("V2.15.0~V2.16.7"))
        }
    }

    @Test("P2: sites and exclude_sites")
    func sites() throws {
        var b = ReleaseBuilder()
        b.task("base", "V2.16.8", "everywhere")
        b.task("base", "V2.16.8", "only_a", sites: ["A"])
        b.task("base", "V2.16.8", "not_b", exclude: ["B"])
        #expect(try plan(b, "V2.16.7", "V2.16.8", site: "A").tasks.map(\.task.uid) == ["everywhere", "only_a", "not_b"])
        #expect(try plan(b, "V2.16.7", "V2.16.8", site: "B").tasks.map(\.task.uid) == ["everywhere"])
        #expect(try plan(b, "V2.16.7", "V2.16.8", site: "C").tasks.map(\.task.uid) == ["everywhere", "not_b"])
        #expect(try plan(b, "V2.16.7", "V2.16.8", site: nil).tasks.map(\.task.uid) == ["everywhere", "not_b"])
    }

    @Test("P3: version, then depends, then order, then file order")
    func ordering() throws {
        var b = ReleaseBuilder()
        b.task("base", "V2.16.9", "later_version")
        b.task("base", "V2.16.8", "c", depends: ["d"])
        b.task("base", "V2.16.8", "d", order: 50)
        b.task("base", "V2.16.8", "e", order: 1)
        b.task("base", "V2.16.8", "f")
        b.task("base", "V2.16.8", "g")
        let uids = try plan(b, "V2.16.7", "V2.16.9").tasks.map(\.task.uid)
        // e (order 1) first; f (position 4), g (5); d (order 50); c waits for d.
        #expect(uids == ["e", "f", "g", "d", "c", "later_version"])
    }

    @Test("P3: a cycle is an error naming a task in it")
    func cycle() throws {
        var b = ReleaseBuilder()
        b.task("base", "V2.16.8", "a", depends: ["c"])
        b.task("base", "V2.16.8", "b", depends: ["a"])
        b.task("base", "V2.16.8", "c", depends: ["b"])
        do {
            _ = try plan(b, "V2.16.7", "V2.16.8")
            Issue.record("cycle accepted")
        } catch {
            #expect(error.code == .dependencyCycle)
        }
        var diagnostics = Diagnostics()
        ReleaseValidator().validate(b.release, into: &diagnostics)
        #expect(diagnostics.errors.contains { $0.message.contains("a → c → b → a") || $0.message.contains("→") && $0.code == .dependencyCycle })
    }

    @Test("P3/P4: stages in order, components in release order with their dependencies")
    func stagesAndComponents() throws {
        var b = ReleaseBuilder()
        b.task("gps", "V2.16.8", "g1", stage: .postStart)
        b.task("base", "V2.16.8", "b1", stage: .preStop)
        b.task("base", "V2.16.8", "b2", stage: .postStart)
        b.components[0].dependsOn = ["base"]
        let p = try plan(b, "V2.16.7", "V2.16.8")
        #expect(p.stages.map(\.stage) == [.preStop, .postStart])
        #expect(p.stage(.postStart)?.components.map(\.component) == ["gps", "base"])
        #expect(p.stage(.postStart)?.components.first?.after == ["base"])
        #expect(p.stage(.preStop)?.components.map(\.component) == ["base"])
    }

    @Test("A3: compatibility per task and the verdict")
    func compatibility() throws {
        var b = ReleaseBuilder()
        b.task("base", "V2.16.8", "ok", compatible: "V2.16.7")
        b.task("base", "V2.16.8", "ok_equal", compatible: "V2.16.7-P1")
        var p = try plan(b, "V2.16.7-P1", "V2.16.8")
        #expect(p.mode == .rolling && p.incompatibleTasks.isEmpty)
        b.task("base", "V2.16.8", "too_new", compatible: "V2.16.8")
        b.task("base", "V2.16.8", "unannotated")
        p = try plan(b, "V2.16.7-P1", "V2.16.8")
        #expect(p.mode == .stopTheWorld)
        #expect(p.tasks.map(\.compatibility) == [.compatible, .compatible, .incompatible, .needsConfirmation])
        let text = PlanRenderer().render(p)
        #expect(text.contains("too_new") && text.contains("needs manual confirmation"))
    }

    @Test("P4: JSON has per-task version, kind, uid, file, datasource, timeout, estimate, compatibility")
    func json() throws {
        var b = ReleaseBuilder()
        b.task("base", "V2.16.8", "a", compatible: "V2.0.0")
        let doc = PlanDocument(try plan(b, "V2.16.7", "V2.16.8"))
        let t = try #require(doc.stages.first?.components.first?.tasks.first)
        #expect(t.version == "V2.16.8" && t.kind == "sql" && t.uid == "a" && t.file == "a.sql")
        #expect(t.datasource == "base_db" && t.timeoutSeconds == 1800 && t.compatibility == "compatible")
        #expect(doc.mode == "rolling" && doc.taskCount == 1)
    }
}
