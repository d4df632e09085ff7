import QuickupCore
import Testing

/// The loader checks and splits each script as the bytes it read (P5, issue 20.1) —
/// `UTF8Text.check` and `SQLSplitter.split(utf8:file:)` — where it made a String of them and
/// split that. Both ways must give the same error or the same statements, whatever the bytes.
@Suite("Scripts split as the bytes they were read as (P5)")
struct ScriptBytesSplitTests {
    /// Scripts with what the text path treats specially: BOMs, `\r\n`, a lone `\r`, NUL,
    /// bytes that are not UTF-8, multi-byte characters, quotes and comments.
    static let scripts: [[UInt8]] = {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let fixed: [[UInt8]] = [
            [], bom, bom + bom,
            Array("CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1);\n".utf8),
            bom + Array("ALTER TABLE t ADD b INT;\r\nUPDATE t SET b = 1;\r\n".utf8),
            bom + bom + Array("DROP TABLE x;\r\r\nSELECT '中文';\r".utf8),
            Array("SELECT 1; -- 注释\n/* a ; b */ SELECT 2;\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\n".utf8),
            Array("UPDATE t SET n = 'caf".utf8) + [0xE9] + Array("';\n".utf8),
            Array("SELECT 1;\nSELECT".utf8) + [0] + Array(" 2;".utf8),
            Array("SELECT 'unterminated;\n".utf8),
            [0x41, 0xC0, 0xAF, 0x3B], [0x41, 0xED, 0xA0, 0x80], Array("ab\n\ncd".utf8) + [0xE4, 0xB8],
        ]
        // And seeded noise made of those pieces, so their combinations are met too.
        let pieces: [[UInt8]] = [bom, [0x0D], [0x0A], [0x0D, 0x0A], [0], [0xE9], Array("é".utf8), Array("😀".utf8),
                                 Array(";".utf8), Array("'".utf8), Array("\"".utf8), Array("-- c\n".utf8), Array("/*".utf8),
                                 Array("*/".utf8), Array("CREATE TABLE t (a INT)".utf8), Array(" SELECT 1".utf8), Array("\\".utf8)]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var noise: [[UInt8]] = []
        for _ in 0..<400 {
            var script: [UInt8] = []
            for _ in 0..<8 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                script += pieces[Int(state >> 33) % pieces.count]
            }
            noise.append(script)
        }
        return fixed + noise
    }()

    @Test("UTF8Text.check refuses what decode refuses, with the same error", arguments: [true, false])
    func checkAsDecode(allowNUL: Bool) {
        for bytes in Self.scripts {
            let decoded = Result { () throws(QuickupError) in try UTF8Text.decode(bytes, file: "s.sql", allowNUL: allowNUL, what: "script") }
            let checked = Result { () throws(QuickupError) in try UTF8Text.check(bytes, file: "s.sql", allowNUL: allowNUL, what: "script") }
            switch (decoded, checked) {
            case (.success, .success): break
            case let (.failure(a), .failure(b)): #expect(a.description == b.description, "\(bytes)")
            default: Issue.record("decode \(decoded), check \(checked) for \(bytes)")
            }
        }
    }

    @Test("split(utf8:) gives the statements or the error of split(decode(bytes))", arguments: [SQLDialect.mariadb, .clickhouse, .sqlite])
    func splitAsText(dialect: SQLDialect) {
        let splitter = SQLSplitter(dialect: dialect)
        for bytes in Self.scripts {
            guard let text = try? UTF8Text.decode(bytes, file: "s.sql", allowNUL: false, what: "script") else { continue }
            let fromText = Result { () throws(QuickupError) in try splitter.split(text, file: "s.sql") }
            let fromBytes = Result { () throws(QuickupError) in try splitter.split(utf8: bytes, file: "s.sql") }
            switch (fromText, fromBytes) {
            case let (.success(a), .success(b)): #expect(a == b, "\(bytes)")
            case let (.failure(a), .failure(b)): #expect(a.description == b.description, "\(bytes)")
            default: Issue.record("text \(fromText), bytes \(fromBytes) for \(bytes)")
            }
        }
    }
}
