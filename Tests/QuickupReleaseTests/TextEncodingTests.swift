import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

/// Issue 13 item 7: release files are UTF-8. A script, a manifest or a YAML file in another
/// encoding is refused with file:line:column; a leading BOM is accepted; a NUL byte in a script
/// is refused; control characters in what is printed are escaped.
@Suite("Release text encoding (issue 13.7)")
struct TextEncodingTests {
    private func load(_ edit: (ReleaseFixture) throws -> Void) throws -> [QuickupError] {
        let fixture = try ReleaseFixture(ReleaseFixture.validFiles)
        defer { fixture.remove() }
        try edit(fixture)
        return ReleaseLoader().load(directory: fixture.path).diagnostics.errors
    }

    private func writeBytes(_ fixture: ReleaseFixture, _ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: fixture.root.appendingPathComponent(path))
    }

    @Test("a SQL script with a Latin-1 byte fails validation at its line and column, not applied with U+FFFD")
    func scriptNotUTF8() throws {
        let errors = try load { fixture in
            // "INSERT INTO a VALUES ('café');" in ISO-8859-1 on line 2.
            try writeBytes(fixture, "base/upgrade/V1.0.1/sql/b.sql",
                           Array("CREATE TABLE b (id INT);\nINSERT INTO b VALUES ('caf".utf8) + [0xE9] + Array("');\n".utf8))
        }
        let error = try #require(errors.first, "no error for a Latin-1 script")
        #expect(errors.count == 1 && error.code == .textEncoding, "\(errors)")
        #expect(error.description.hasPrefix("\(error.location?.file ?? "?"):2:27: this script is not UTF-8: byte 0xE9"), "\(error)")
        #expect(error.location?.file.hasSuffix("base/upgrade/V1.0.1/sql/b.sql") == true)
    }

    @Test("a NUL byte in a SQLite script is refused at its place")
    func nulInScript() throws {
        let errors = try load { fixture in
            try fixture.write("base/component.yaml", "plugin_class: core\ndatasources:\n  - name: base_db\n    type: sqlite\n")
            try writeBytes(fixture, "base/upgrade/V1.0.1/sql/a.sql", Array("CREATE TABLE a (id INT);\nSELECT 1;".utf8) + [0] + Array("DROP TABLE a;\n".utf8))
        }
        #expect(errors.count == 1 && errors.first?.code == .textEncoding, "\(errors)")
        #expect(errors.first?.description.contains(":2:10: this script holds a NUL byte") == true, "\(errors)")
    }

    @Test("a leading BOM is accepted in scripts, manifests and YAML, and leaves the first key intact")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let fixture = try ReleaseFixture(ReleaseFixture.validFiles)
        defer { fixture.remove() }
        for path in ["release.yaml", "base/component.yaml", "base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", "base/upgrade/V1.0.1/sql/a.sql"] {
            let bytes = try Array(Data(contentsOf: fixture.root.appendingPathComponent(path)))
            try writeBytes(fixture, path, bom + bytes)
        }
        let loaded = ReleaseLoader().load(directory: fixture.path)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors)")
        #expect(loaded.release.components.first?.tasks.map(\.uid) == ["a", "b"])
    }

    @Test("a .properties manifest with one Latin-1 or GBK byte is refused with file:line:column, not read as mojibake")
    func manifestNotUTF8() throws {
        let errors = try load { fixture in
            let path = "base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"
            let parts = try #require(ReleaseFixture.validFiles[path]).components(separatedBy: "sql.a.description=first")
            // "描述" in GBK as the description of task a, on line 2.
            try writeBytes(fixture, path, Array((parts[0] + "sql.a.description=").utf8) + [0xC3, 0xE8, 0xCA, 0xF6] + Array(parts[1].utf8))
        }
        #expect(errors.contains { $0.code == .textEncoding && $0.description.contains("upgrade_tasks_V1.0.1.properties:2:19: this manifest is not UTF-8") },
                "\(errors)")
    }

    @Test("component.yaml that is not UTF-8 is refused with its line and column")
    func yamlNotUTF8() throws {
        let errors = try load { fixture in
            try writeBytes(fixture, "base/component.yaml", Array("plugin_class: core\ndescription: ".utf8) + [0xB5, 0xE7] + Array("\n".utf8))
        }
        #expect(errors.contains { $0.code == .textEncoding && $0.description.contains("component.yaml:2:14:") }, "\(errors)")
    }

    @Test("ESC, BEL and CR from a manifest are escaped in every error description")
    func controlCharactersEscaped() throws {
        let errors = try load { fixture in
            let path = "base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"
            let text = try String(contentsOf: fixture.root.appendingPathComponent(path), encoding: .utf8)
            try fixture.write(path, text + "\nsql.\u{1B}]0;owned\u{07}x.id=X\n")
        }
        let text = errors.map(\.description).joined(separator: "\n")
        #expect(!errors.isEmpty)
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, "\(text.debugDescription)")
        #expect(text.contains("\\e]0;owned\\a"), "the key is quoted, made visible: \(text.debugDescription)")
    }
}
