import QuickupCore
import Testing

/// Scripts that cannot be split report `file:line` where the trouble began.
@Suite("SQL splitter: errors")
struct SQLSplitterErrorTests {
    @Test("an unterminated quote names the line where it opened", arguments: [
        ("SELECT 1;\nSELECT 'abc;\nSELECT 2;\n", 2, "string"),
        ("SELECT 1;\n\n\nSELECT \"abc;\n", 4, "string"),
        ("SELECT `abc;\n\n", 1, "quoted identifier"),
        ("SELECT 'it\\'s;\n", 1, "string"),
        ("DELIMITER $$\nCREATE PROCEDURE p() BEGIN\n  SELECT 'x;\nEND$$\n", 3, "string"),
    ])
    func unterminatedQuote(script: String, line: Int, kind: String) {
        expectSplitError(script, code: .sqlSyntax, line: line, messageContains: "unterminated \(kind)")
    }

    @Test("an unterminated comment names the line where it opened")
    func unterminatedComment() {
        expectSplitError("SELECT 1;\n/* never\nclosed;\n", code: .sqlSyntax, line: 2, messageContains: "unterminated comment")
        // `/*` inside a `/*!` comment opens an ordinary one, which the `*/` that follows
        // closes only after `/*!` has been closed: here, never.
        expectSplitError("SELECT 2 /*! *1 */*3;\nSELECT 4;", code: .sqlSyntax, line: 1, messageContains: "unterminated comment")
    }

    @Test("a NUL byte stops the script, as in the client")
    func nulByte() {
        expectSplitError("SELECT 1;\nSELECT '\u{0}';\n", code: .sqlSyntax, line: 2, messageContains: "NUL")
    }

    @Test("an unknown backslash command stops the script, as in the client", arguments: [
        ("SELECT 1 \\x;\n", 1), ("SELECT 1;\nSELECT 2 \\';\n", 2), ("\\é\n", 1),
    ])
    func unknownCommand(script: String, line: Int) {
        expectSplitError(script, code: .sqlSyntax, line: line, messageContains: "unknown mariadb client command")
    }

    @Test("DELIMITER and USE need a usable argument", arguments: [
        ("SELECT 1;\nDELIMITER\n", 2, "DELIMITER must be followed by a delimiter"),
        ("delimiter   \n", 1, "DELIMITER must be followed by a delimiter"),
        ("DELIMITER a\\\\b\n", 1, "DELIMITER cannot contain a backslash"),
        ("DELIMITER 0123456789abcd€\n", 1, "cut it inside a character"),
        ("use\n", 1, "USE must be followed by a database name"),
    ])
    func badArgument(script: String, line: Int, message: String) {
        expectSplitError(script, code: .sqlSyntax, line: line, messageContains: message)
    }

    @Test("other dialects report unterminated quotes and comments too", arguments: [
        (SQLDialect.sqlite, "SELECT 1;\nSELECT 'a\\';\nSELECT 'b;\n", 3, "unterminated quote"),
        (SQLDialect.sqlite, "SELECT [a;\n", 1, "unterminated quote"),
        (SQLDialect.clickhouse, "SELECT 1;\n\nSELECT 'a\\';\n", 3, "unterminated quote"),
        (SQLDialect.clickhouse, "SELECT /* a /* b */ ;\n", 1, "unterminated comment"),
        (SQLDialect.sqlite, "SELECT 1 /* a\n", 1, "unterminated comment"),
    ])
    func otherDialects(dialect: SQLDialect, script: String, line: Int, message: String) {
        expectSplitError(script, dialect: dialect, code: .sqlSyntax, line: line, messageContains: message)
    }
}
