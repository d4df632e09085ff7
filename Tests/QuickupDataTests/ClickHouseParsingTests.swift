import QuickupCore
import Testing
@testable import QuickupData

/// The pure parts of the ClickHouse driver: result format and the exception texts of old and
/// new servers (the new ones cannot be started here, so their documented forms are checked).
@Suite("ClickHouse parsing (D2)")
struct ClickHouseParsingTests {
    @Test("TabSeparated: escapes, NULL, empty values, a body cut short")
    func tabSeparated() {
        let body = Array("a\\tb\t\\N\tx\\\\y\n\tnew\\nline\t\\0\n\\N\n".utf8)
        #expect(TabSeparated.parse(body) == [["a\tb", nil, "x\\y"], ["", "new\nline", "\0"], [nil]])
        #expect(TabSeparated.parse([]) == [])
        #expect(TabSeparated.parse(Array("\n".utf8)) == [[""]])
        #expect(TabSeparated.parse(Array("1\t2".utf8)) == [["1", "2"]])
        // "\N" inside a longer value is not NULL.
        #expect(TabSeparated.parse(Array("a\\Nb\n".utf8)) == [["aNb"]])
    }

    @Test("literal quoting survives quotes, backslashes and control characters")
    func quoting() {
        #expect(ClickHouseSQL.quote(#"it's a\b"#) == #"'it\'s a\\b'"#)
        #expect(ClickHouseSQL.quote("l1\nl2\t") == #"'l1\nl2\t'"#)
    }

    @Test("exception text of 18.x–20.x servers")
    func oldException() {
        let text = "Code: 60, e.displayText() = DB::Exception: Table quickup_test.x doesn't exist., e.what() = DB::Exception\n"
        let exception = ClickHouseException.parse(text)
        #expect(exception.code == 60)
        #expect(exception.message == "Table quickup_test.x doesn't exist.")
        #expect(exception.summary == "ClickHouse error 60: Table quickup_test.x doesn't exist.")
    }

    @Test("exception text of current servers, with the code's name and version; header code wins")
    func newException() {
        let text = "Code: 60. DB::Exception: Table default.x does not exist. (UNKNOWN_TABLE) (version 24.8.4.13 (official build))\n"
        let exception = ClickHouseException.parse(text, headerCode: "60")
        #expect(exception.code == 60)
        #expect(exception.name == "UNKNOWN_TABLE")
        #expect(exception.message == "Table default.x does not exist")
        #expect(ClickHouseException.parse("Code: 1. DB::Exception: x", headerCode: "516").isAuthentication)
    }

    @Test("an exception at the end of a 200 body, old and new form; data alone is not one")
    func exceptionInBody() {
        let old = Array("0\n0\n0\nCode: 395, e.displayText() = DB::Exception: Value passed to 'throwIf' function is non zero, e.what() = DB::Exception\n".utf8)
        #expect(ClickHouseException.inBody(old, exceptionTag: nil)?.code == 395)
        let new = Array("1\n2\nCode: 395. DB::Exception: Value passed to 'throwIf' function is non-zero: while executing 'FUNCTION throwIf(...)'. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO) (version 24.3.1.1)\n".utf8)
        let parsed = ClickHouseException.inBody(new, exceptionTag: nil)
        #expect(parsed?.code == 395)
        #expect(parsed?.name == "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO")
        #expect(ClickHouseException.inBody(Array("1\n2\n3\n".utf8), exceptionTag: nil) == nil)
        #expect(ClickHouseException.inBody(Array("Code: 12 is fine\nx Code: 5. DB::Exception: no\n".utf8), exceptionTag: nil) == nil)
    }

    @Test("an exception framed by X-ClickHouse-Exception-Tag (25.x)")
    func taggedException() {
        let body = Array("1\n2\n__exception__PU1FNUFH98\nCode: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)\n70 PU1FNUFH98__exception__\n".utf8)
        let exception = ClickHouseException.inBody(body, exceptionTag: "PU1FNUFH98")
        #expect(exception?.code == 241)
        #expect(exception?.name == "MEMORY_LIMIT_EXCEEDED")
        #expect(exception?.message == "Memory limit exceeded")
    }

    @Test("written_rows from X-ClickHouse-Summary (quoted numbers)")
    func summary() {
        let header = #"{"read_rows":"10","read_bytes":"80","written_rows":"10","written_bytes":"80","total_rows_to_read":"0"}"#
        #expect(ClickHouseTransport.writtenRows(fromSummary: header) == 10)
        #expect(ClickHouseTransport.writtenRows(fromSummary: "garbage") == nil)
    }
}
