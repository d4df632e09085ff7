import Foundation
import QuickupTestSupport
import Testing
@testable import QuickupCore

/// Issue 20 item 1: `quickup plan` streams its output. The JSON written a task at a time must be
/// byte for byte what `JSONEncoder` makes of `PlanDocument(plan)`, and the streamed table what
/// `render(_:)` returned, on plans with every optional field, overrides, control characters,
/// CJK text, fractional and huge timeouts, empty `after` lists and site counts.
@Suite("Plan output, streamed (issue 20)")
struct PlanOutputStreamTests {
    static let texts = ["plain", "中文描述", "quote \" back \\ slash / tab\t", "bell \u{7} esc \u{1B} nul \u{0} del \u{7F}", "line\nbreak\r", "😀 \u{2028}", ""]

    /// A release of random tasks over three components and versions, planned from V1.0.0.
    static func randomPlan(seed: UInt64, site: String?) throws -> Plan {
        var rng = SplitMix64(seed: seed)
        func text() -> String { texts[Int.random(in: 0..<texts.count, using: &rng)] }
        var components: [Component] = []
        for name in ["base", "组件", "z-last"] {
            var component = Component(name: name, location: SourceLocation(file: "\(name)/component.yaml"))
            component.datasources = [DatasourceRef(name: "\(name)_db", type: [.mariadb, .clickhouse, .sqlite][Int.random(in: 0...2, using: &rng)])]
            component.dependsOn = name == "base" ? [] : ["base"]
            for v in 1...3 {
                let version = Version(1, 0, v)
                for i in 0..<Int.random(in: 0...12, using: &rng) {
                    let kind = TaskKind.allCases[Int.random(in: 0..<TaskKind.allCases.count, using: &rng)]
                    var t = UpgradeTask(component: name, version: version, kind: kind, uid: "t\(i)", id: "ID-\(v)-\(i)", description: text(),
                                        stage: Stage.allCases[Int.random(in: 0..<Stage.allCases.count, using: &rng)],
                                        filePosition: i + 1, location: SourceLocation(file: "\(name)/x.properties", line: i + 1, key: "\(kind).t\(i)"))
                    if Bool.random(using: &rng) { t.file = "sql/\(text()).sql" } else { t.package = "tools/run \(i).sh" }
                    if Bool.random(using: &rng) { t.datasource = "\(name)_db" }
                    if Bool.random(using: &rng) { t.source = text() }
                    if Bool.random(using: &rng) { t.target = text() }
                    if Bool.random(using: &rng) { t.compatibleVersion = Version(1, 0, Int.random(in: 0...3, using: &rng)) }
                    if Bool.random(using: &rng) { t.transactional = Bool.random(using: &rng) }
                    if Bool.random(using: &rng) { t.retryable = Bool.random(using: &rng) }
                    if Bool.random(using: &rng) { t.checksum = String(repeating: "ab", count: 32) }
                    if Bool.random(using: &rng) { t.timeout = TimeSpan(milliseconds: [1, 1500, 86_400_000_000, 123_456_789_123][Int.random(in: 0...3, using: &rng)]) }
                    if Bool.random(using: &rng) { t.volume = .bytes(Int64.random(in: 1...(1 << 40), using: &rng)); t.rate = Rate.parse("\(Int.random(in: 1...999, using: &rng))MB/s") }
                    if i > 0, Bool.random(using: &rng) { t.depends = ["\(kind).t\(i - 1)"] }
                    if Bool.random(using: &rng) { t.sites = ["SITE-A", "site-10", "site-2"].filter { _ in Bool.random(using: &rng) } }
                    if Bool.random(using: &rng) {
                        t.overrides = ["stage": SourceLocation(file: "\(name)/upgrade/V1.0.\(v)/o.properties", line: 3, key: "k"),
                                       "order": SourceLocation(file: "o \(text())", line: nil)].filter { _ in Bool.random(using: &rng) }
                    }
                    component.tasks.append(t)
                }
            }
            components.append(component)
        }
        return try Planner().plan(Release(name: "rel \(texts[Int(seed % 7)])", components: components),
                                  PlanRequest(from: Version(1, 0, 0), to: Version(1, 0, 3), site: site))
    }

    @Test("JSON written a task at a time equals JSONEncoder's document", arguments: [nil, "SITE-A"] as [String?])
    func json(site: String?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = PlanJSON.formatting
        var tasks = 0
        for seed in 0..<60 as Range<UInt64> {
            let plan = try Self.randomPlan(seed: seed, site: site)
            tasks += plan.taskCount
            var streamed = ""
            try PlanJSON.write(plan, to: &streamed)
            let whole = String(decoding: try encoder.encode(PlanDocument(plan)), as: UTF8.self)
            #expect(streamed == whole, "seed \(seed)")
        }
        #expect(tasks > 500)
        // An empty plan (nothing to do) too.
        var empty = try Self.randomPlan(seed: 1, site: site)
        empty.stages = []
        var streamed = ""
        try PlanJSON.write(empty, to: &streamed)
        #expect(streamed == String(decoding: try encoder.encode(PlanDocument(empty)), as: UTF8.self))
    }

    /// An output taking the tasks' bytes as they are, as the CLI's console does.
    struct ByteOutput: UTF8OutputStream {
        var bytes: [UInt8] = []
        var byteWrites = 0
        mutating func write(_ string: String) { bytes += string.utf8 }
        mutating func write(utf8 bytes: [UInt8]) {
            self.bytes += bytes
            byteWrites += 1
        }
    }

    @Test("JSON written as bytes to a UTF8OutputStream equals JSONEncoder's document")
    func jsonBytes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = PlanJSON.formatting
        var byteWrites = 0
        for seed in 0..<30 as Range<UInt64> {
            let plan = try Self.randomPlan(seed: seed, site: "SITE-A")
            var out = ByteOutput()
            try PlanJSON.write(plan, to: &out)
            #expect(out.bytes == Array(try encoder.encode(PlanDocument(plan))), "seed \(seed)")
            byteWrites += out.byteWrites
        }
        #expect(byteWrites > 30)
    }

    @Test("a number's whole-number short way writes what Double's description writes")
    func numbers() throws {
        func reference(_ value: Double) -> String {
            var text = value.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            return text
        }
        var values: [Double] = [0, -0.0, 0.001, 0.5, 1, 1.5, 2, 600, 86_400_000, 123_456_789.123, -1, -600,
                                999_999_999_999_999, 1e15, 1e15 + 2, 9_007_199_254_740_992, 1e16, 1e17, 1e300, .leastNonzeroMagnitude]
        var generator = SplitMix64(seed: 20)
        for _ in 0..<2000 {
            values.append(Double(Int64.random(in: 1...Int64(2e15), using: &generator)))
            values.append(Double(Int64.random(in: 1...100_000_000_000, using: &generator)) / 1000)
        }
        for value in values { #expect(try PlanJSON.number(value) == reference(value), "\(value)") }
        #expect(throws: EncodingError.self) { try PlanJSON.number(.infinity) }
    }

    @Test("the table written line by line equals TextTable's whole table of the same rows")
    func text() throws {
        var tables = 0
        for seed in 0..<30 as Range<UInt64> {
            let plan = try Self.randomPlan(seed: seed, site: nil)
            var streamed = ""
            PlanRenderer().render(plan, to: &streamed)
            #expect(streamed == PlanRenderer().render(plan))
            guard plan.taskCount > 0 else { continue }
            var table = TextTable(headers: PlanRenderer.headers)
            PlanRenderer().forEachRow(plan) { table.add($0) }
            #expect(streamed.contains("\n\n" + table.render() + "\n\n\(plan.taskCount) tasks: "), "seed \(seed)")
            tables += 1
        }
        #expect(tables > 20)
    }
}
