import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

/// K1: Yams, independently of the line editor, confirms an edit means what was asked — and
/// catches one that does not.
@Suite("Config: YAML edits verified with Yams")
struct YAMLEditCheckTests {
    let original = "# c\nserver:\n  port: 8080 # p\nlist:\n- a\n- b\nspring:\n  redis:\n    host: h\n"
    let change = "set server.port = 9090\nset list[2] = c\nremove spring.redis.host\nset new.key = 'v'\n"

    @Test("the line editor's result parses to the original tree with the program applied")
    func agrees() throws {
        let changes = try ConfigChangeParser.parse(change, format: .yaml, file: "c.txt")
        let edited = try YAMLEditor.apply(changes, to: original, file: "app.yaml")
        try YAMLEditCheck.verify(original: original, edited: edited, changes: changes, file: "app.yaml")
    }

    @Test("a result that means something else is refused")
    func disagrees() throws {
        let changes = try ConfigChangeParser.parse(change, format: .yaml, file: "c.txt")
        let edited = try YAMLEditor.apply(changes, to: original, file: "app.yaml")
        for wrong in [edited.replacingOccurrences(of: "9090", with: "9091"), edited + "extra: 1\n", edited.replacingOccurrences(of: "- b\n", with: ""), "a: [\n"] {
            #expect(throws: QuickupError.self) {
                try YAMLEditCheck.verify(original: original, edited: wrong, changes: changes, file: "app.yaml")
            }
        }
    }
}
