import Foundation
import Testing
@testable import QuickupCore

/// Issue 13 item 9: a task holds its rarely set fields behind one optional reference and leaves
/// out its location's key when it is `kind.uid`. Neither may show: JSON, equality and every
/// field read back as they were set.
@Suite("UpgradeTask storage (issue 13 item 9)")
struct UpgradeTaskStorageTests {
    static func plain() -> UpgradeTask {
        UpgradeTask(component: "app", version: Version(1, 0, 1), kind: .sql, uid: "a", id: "A", description: "d",
                    stage: .preStop, filePosition: 1, location: SourceLocation(file: "m.properties", line: 3, key: "sql.a"))
    }

    static func full() -> UpgradeTask {
        var task = plain()
        task.file = "a.sql"
        task.source = "src_db"
        task.target = "dst_db"
        task.compatibleVersion = Version(1, 0, 0)
        task.sites = ["S1"]
        task.excludeSites = ["S2"]
        task.timeout = TimeSpan.parse("90s")
        task.retries = 2
        task.retryInterval = TimeSpan.parse("5s")
        task.retryable = true
        task.transactional = false
        task.configFormat = .yaml
        task.volume = Volume.parse("100GB")
        task.rate = Rate.parse("50MB/s")
        task.parallel = 4
        task.placement = .hosts
        task.overrides = ["stage": SourceLocation(file: "o.properties", line: 2)]
        return task
    }

    @Test("every field reads back; JSON round trip keeps the task equal and its JSON identical")
    func roundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for task in [Self.plain(), Self.full()] {
            let data = try encoder.encode(task)
            let back = try JSONDecoder().decode(UpgradeTask.self, from: data)
            #expect(back == task && back.hashValue == task.hashValue)
            #expect(try encoder.encode(back) == data)
            #expect(back.location.key == "sql.a" && back.location.line == 3)
        }
        let full = Self.full()
        #expect(full.source == "src_db" && full.target == "dst_db" && full.sites == ["S1"] && full.excludeSites == ["S2"])
        #expect(full.retries == 2 && full.retryable == true && full.transactional == false && full.parallel == 4)
        #expect(full.placement == .hosts && full.configFormat == .yaml && full.overrides["stage"]?.line == 2)
        #expect(full.timeout == TimeSpan.parse("90s") && full.rate == Rate.parse("50MB/s") && full.volume == Volume.parse("100GB"))
        let json = String(decoding: try encoder.encode(full), as: UTF8.self)
        for key in ["\"source\"", "\"excludeSites\"", "\"retryInterval\"", "\"placement\"", "\"overrides\"", "\"key\":\"sql.a\""] {
            #expect(json.contains(key), "\(key) missing from \(json)")
        }
    }

    @Test("a rare field set back to its default leaves a task equal to one that never set it; copies stay independent")
    func defaultsAndCopies() {
        var task = Self.plain()
        task.retries = 3
        #expect(task != Self.plain())
        task.retries = nil
        #expect(task == Self.plain() && task.hashValue == Self.plain().hashValue)

        let original = Self.full()
        var copy = original
        copy.sites = ["S9"]
        copy.location = SourceLocation(file: "other.properties", line: 9, key: "custom")
        #expect(original.sites == ["S1"] && original.location.key == "sql.a")
        #expect(copy.sites == ["S9"] && copy.location.key == "custom" && copy.location.file == "other.properties")
    }

    @Test("the location's key stays what it was when the uid or kind changes, and a nil key stays nil")
    func locationKey() {
        var task = Self.plain()
        task.uid = "b"
        #expect(task.location.key == "sql.a", "the key followed the uid")
        task.location = SourceLocation(file: "m.properties", line: 3, key: "sql.b")
        task.kind = .tool
        #expect(task.location.key == "sql.b")
        task.location = SourceLocation(file: "m.properties", line: 4)
        #expect(task.location.key == nil && task.location.line == 4)
    }

    @Test("a location's key is told to be kind.uid from its bytes exactly as String's == tells it")
    func qualifiedUIDKeys() {
        let uids = ["a", "add_index", "é", "e\u{301}", "表", "a-b", "", "sql"]
        let keys: [String?] = [nil, "", "sql", "sql.", ".a", "sqla", "sql.a", "sql.a.", "sql.add_index", "tool.a", "sql.é",
                               "sql.e\u{301}", "sql.表", "sql.a-b", "sql.sql", "config.a", "sql.a ", " sql.a", "SQL.a"]
        var matches = 0
        for kind in TaskKind.allCases {
            for uid in uids {
                for key in keys {
                    let expected = key == "\(kind).\(uid)"
                    #expect(UpgradeTask.Stored.isQualifiedUID(key, kind: kind, uid: uid) == expected, "\(String(describing: key)) \(kind) \(uid)")
                    if expected { matches += 1 }
                }
            }
        }
        // Canonically equal spellings (é and e + U+0301) match each other, as == says.
        #expect(matches > 8)
        #expect(UpgradeTask.Stored.isQualifiedUID("sql.e\u{301}", kind: .sql, uid: "é"))
    }
}
