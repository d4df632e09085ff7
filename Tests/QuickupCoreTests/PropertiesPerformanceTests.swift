import QuickupCore
import Testing

/// M1 at release scale: an upgrade_tasks file with 100,000 tasks must parse quickly.
/// Throughput is only asserted in optimized builds (`swift test -c release`); debug builds are
/// several times slower and only check that the result is right.
@Suite("Properties: performance")
struct PropertiesPerformanceTests {
    static let taskCount = 100_000
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

    @Test("100,000-task release file: every entry read; ≥ 50 MB/s when optimized", .timeLimit(.minutes(1)))
    func releaseScaleFile() throws {
        let bytes = Self.releaseFile(tasks: Self.taskCount)
        let clock = ContinuousClock()
        var entries: [PropertiesEntry] = []
        var best = Duration.seconds(1_000)
        for _ in 0..<Self.rounds {
            let elapsed = try clock.measure {
                entries = try PropertiesReader.parse(bytes: bytes, file: "upgrade_tasks_V2.16.7.properties")
            }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        let megabytesPerSecond = Double(bytes.count) / 1_000_000 / seconds
        print("properties throughput: \(bytes.count / 1_000_000) MB in \(best): \(Int(megabytesPerSecond)) MB/s")

        #expect(entries.count == Self.taskCount * Self.keysPerTask)
        let last = Self.taskCount - 1
        #expect(entries.last == PropertiesEntry(
            key: "sql.migrate_table_\(last).volume", value: "SELECT COUNT(*) FROM t_\(last) WHERE a = 1",
            line: 2 + last * 10 + 9))
        #expect(entries[Self.keysPerTask * 5 + 1].value == "升级用户表结构并迁移历史数据（第 5 步）。")
        #expect(entries[Self.keysPerTask * 5 + 4].value == "migrate_table_4, migrate_table_0")
        if Self.optimized {
            #expect(megabytesPerSecond >= 50, "\(Int(megabytesPerSecond)) MB/s is below the 50 MB/s target")
        }
    }

    #if DEBUG
    static let optimized = false
    static let rounds = 1
    #else
    static let optimized = true
    static let rounds = 5
    #endif
}
