import QuickupCore
import Testing

/// M1 at release scale: a large upgrade_tasks file is read completely and correctly.
@Suite("Properties: scale")
struct PropertiesScaleTests {
    static let keysPerTask = 7

    /// A realistic task file: comments, Chinese descriptions, a continued line, escapes.
    static func releaseFile(tasks: Int) -> [UInt8] {
        var text = "# upgrade_tasks_V2.16.7.properties — generated for the throughput test\n"
        text.reserveCapacity(tasks * 360)
        for index in 0..<tasks {
            let uid = "migrate_table_\(index)"
            text += "\n# 任务 \(index): 升级数据库表结构\n"
            text += "sql.\(uid).id=\(index)\n"
            text += "sql.\(uid).description=升级用户表结构并迁移历史数据（第 \(index) 步）\\u3002\n"
            text += "sql.\(uid).file=sql/V2.16.7/\(uid).sql\n"
            text += "sql.\(uid).stage = pre_stop\n"
            text += "sql.\(uid).depends : migrate_table_\(max(index - 1, 0)), \\\n    migrate_table_0\n"
            text += "sql.\(uid).timeout=30m\r\n"
            text += "sql.\(uid).volume=SELECT COUNT(*) FROM t_\(index) WHERE a \\= 1\n"
        }
        return Array(text.utf8)
    }

    /// Correctness at scale only: throughput is measured by `quickup-bench properties`, never
    /// asserted in a test (machines are shared and noisy).
    @Test("a 20,000-task release file: every entry read with the right line")
    func releaseScaleFile() throws {
        let tasks = 20_000
        let bytes = Self.releaseFile(tasks: tasks)
        let entries = try PropertiesReader.parse(bytes: bytes, file: "upgrade_tasks_V2.16.7.properties")
        #expect(entries.count == tasks * Self.keysPerTask)
        let last = tasks - 1
        #expect(entries.last == PropertiesEntry(
            key: "sql.migrate_table_\(last).volume", value: "SELECT COUNT(*) FROM t_\(last) WHERE a = 1",
            line: 2 + last * 10 + 9))
        #expect(entries[Self.keysPerTask * 5 + 1].value == "升级用户表结构并迁移历史数据（第 5 步）。")
        #expect(entries[Self.keysPerTask * 5 + 4].value == "migrate_table_4, migrate_table_0")
    }
}
