import QuickupTestSupport
import Testing
@testable import QuickupCore

/// `GroupEntries` answers absent fields from a bit per field held (P5, issue 20.1); whatever the
/// bits, it must behave as a dictionary that keeps insertion order.
@Suite("Group entries: a short ordered map")
struct GroupEntriesTests {
    /// Field names whose bits collide (stage/sites, package/retryable, target/rate), names that
    /// differ only in their last byte, the empty name and non-ASCII ones.
    static let fields = ["id", "description", "stage", "sites", "package", "retryable", "target", "rate", "file", "fila",
                         "timeout", "depends", "", "字段", "compatible_version", "where", "format", "x"]

    @Test("random sets, replacements and removals read back as a dictionary, in insertion order")
    func behavesAsADictionary() {
        var generator = SplitMix64(seed: 201)
        for _ in 0..<300 {
            var entries: GroupEntries = [:]
            var reference: [String: PropertiesEntry] = [:]
            var order: [String] = []
            for step in 0..<40 {
                let field = Self.fields[Int.random(in: 0..<Self.fields.count, using: &generator)]
                if Int.random(in: 0..<4, using: &generator) == 0 {
                    entries[field] = nil
                    reference[field] = nil
                    order.removeAll { $0 == field }
                } else {
                    let entry = PropertiesEntry(key: "sql.t.\(field)", value: "v\(step)", line: step + 1)
                    if reference[field] == nil { order.append(field) }
                    entries[field] = entry
                    reference[field] = entry
                }
                for name in Self.fields { #expect(entries[name] == reference[name], "\(name) after step \(step)") }
                #expect(entries.map(\.key) == order)
                #expect(entries.isEmpty == reference.isEmpty)
            }
        }
        let literal: GroupEntries = ["stage": PropertiesEntry(key: "k", value: "v", line: 1)]
        #expect(literal["stage"]?.value == "v")
        #expect(literal["sites"] == nil)
    }
}
