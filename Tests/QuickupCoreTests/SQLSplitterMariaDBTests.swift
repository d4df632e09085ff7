import QuickupCore
import Testing

/// Comments, quotes, blanks, line endings and line numbers, the way the `mariadb` client sees them.
@Suite("SQL splitter: mariadb syntax")
struct SQLSplitterMariaDBTests {
    static let statementCases: [SQLSplitCase] = [
        .init("two statements on two lines", "SELECT 1;\nSELECT 2;\n", [("SELECT 1", 1), ("SELECT 2", 2)]),
        .init("the last statement needs no delimiter", "SELECT 1;\nSELECT 2", [("SELECT 1", 1), ("SELECT 2", 2)]),
        .init("empty statements are dropped", ";;\n ; SELECT 1;;\n;", [("SELECT 1", 2)]),
        .init("leading blanks dropped, lines joined with LF", "  \n\n   SELECT\n    1\n  ,  2 ;",
              [("SELECT\n    1\n  ,  2", 3)]),
        .init("several statements on one line", "SELECT 1; SELECT 2;SELECT 3", [("SELECT 1", 1), ("SELECT 2", 1), ("SELECT 3", 1)]),
        .init("trailing blanks and control characters are dropped", "SELECT 1 \t\u{1};", [("SELECT 1", 1)]),
        .init("vertical tab and form feed are blanks", "\u{0B}\u{0C}SELECT 1;", [("SELECT 1", 1)]),
    ]

    static let commentCases: [SQLSplitCase] = [
        .init("-- needs a blank or the end of the line", "SELECT 1 -- comment\n, 2 --\t\n, 3 --\n;",
              [("SELECT 1 \n, 2 \n, 3", 1)]),
        .init("--1 inside a statement is not a comment", "SELECT 5 --1;", [("SELECT 5 --1", 1)]),
        .init("--DROP inside a statement is not a comment", "SELECT 1 --DROP\n, 2;", [("SELECT 1 --DROP\n, 2", 1)]),
        .init("--DROP at the start of a statement is a comment", "--DROP TABLE t\nSELECT 1;\n  --x\nSELECT 2;",
              [("SELECT 1", 2), ("SELECT 2", 4)]),
        .init("--x right after a delimiter is a comment", "SELECT 1;--x\nSELECT 2;", [("SELECT 1", 1), ("SELECT 2", 2)]),
        .init("hash comments", "SELECT 1 # one\n, 2; # trailing; comment\n# whole line\nSELECT 3;",
              [("SELECT 1 \n, 2", 1), ("SELECT 3", 4)]),
        .init("a block comment glued to text becomes a space", "SELECT/* c */1, /* c */ 2;", [("SELECT 1,  2", 1)]),
        .init("a comment before a statement leaves a leading space", "/* header */SELECT 1;", [(" SELECT 1", 1)]),
        .init("multi-line block comments", "SELECT 1 /* a\nb;\nc */ , 2;\n/* x\n*/ SELECT 3;",
              [("SELECT 1  , 2", 1), (" SELECT 3", 5)]),
        .init("a comment after a statement on the same line", "SELECT 1; -- c\nSELECT 2; /* x */ SELECT 3;",
              [("SELECT 1", 1), ("SELECT 2", 2), (" SELECT 3", 2)]),
        .init("/* restarted inside a comment swallows its star", "SELECT 1 /* a /*/ + 2 */ + 3;", [("SELECT 1  + 3", 1)]),
        .init("executable comments are kept", "/*!40101 SET @a = 1 */;\nSELECT 1 /*M!100100 + 1 */;",
              [("/*!40101 SET @a = 1 */", 1), ("SELECT 1 /*M!100100 + 1 */", 2)]),
        .init("quotes inside executable comments", "SELECT 1 /*! , '*/' */;", [("SELECT 1 /*! , '*/' */", 1)]),
        .init("optimizer hints are dropped like comments", "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1;", [("SELECT  1", 1)]),
        .init("the delimiter still splits inside /*! */", "SELECT 1 /*! , 2 ; */;", [("SELECT 1 /*! , 2", 1), ("*/", 1)]),
        .init("# inside /*! */ still starts a comment", "SELECT 1 /*! , 2 # x */ ;\n, 3 */;", [("SELECT 1 /*! , 2 \n, 3 */", 1)]),
        .init("a multi-byte character right after a comment gets no space", "SELECT 1 AS/**/é, 2/**/+3;",
              [("SELECT 1 ASé , 2 +3", 1)]),
        .init("quotes inside comments open nothing", "SELECT 'a' /* it's */, \"b\" -- it's\n;", [("SELECT 'a'  , \"b\"", 1)]),
    ]

    static let quoteCases: [SQLSplitCase] = [
        .init("strings protect delimiters and comment markers",
              "SELECT 'a;b', \"c;d\", 'e -- f', \"g # h\", '/* i */';",
              [("SELECT 'a;b', \"c;d\", 'e -- f', \"g # h\", '/* i */'", 1)]),
        .init("backslash escapes in strings", #"SELECT 'it\'s;', "say \"hi;\"", 'back\\';"#,
              [(#"SELECT 'it\'s;', "say \"hi;\"", 'back\\'"#, 1)]),
        .init("doubled quotes", "SELECT 'it''s;', \"x\"\"y;\";", [("SELECT 'it''s;', \"x\"\"y;\"", 1)]),
        .init("backticks: doubled backticks, no backslash escape", #"SELECT 1 AS `a;b`, 2 AS `c``;d`, 3 AS `e\`;"#,
              [(#"SELECT 1 AS `a;b`, 2 AS `c``;d`, 3 AS `e\`"#, 1)]),
        .init("a string across lines keeps its newline", "SELECT 'a\nb;c';\nSELECT 2;", [("SELECT 'a\nb;c'", 1), ("SELECT 2", 3)]),
        .init("a backslash at the end of a line disappears", "SELECT 'a\\\nb';", [("SELECT 'a\nb'", 1)]),
        .init("\\N is text", #"SELECT \N, 'a\Nb';"#, [(#"SELECT \N, 'a\Nb'"#, 1)]),
        .init("multi-byte characters are copied", "SELECT 'é;' AS `名前`, '😀' -- ü\n;", [("SELECT 'é;' AS `名前`, '😀'", 1)]),
    ]

    static let lineEndingCases: [SQLSplitCase] = [
        .init("CRLF line endings", "SELECT 1;\r\nSELECT\r\n2;\r\n", [("SELECT 1", 1), ("SELECT\n2", 2)]),
        .init("a lone CR stays", "SELECT 'a\rb';", [("SELECT 'a\rb'", 1)]),
        .init("a byte-order mark at the start is ignored", "\u{FEFF}SELECT 1;\nSELECT 2;", [("SELECT 1", 1), ("SELECT 2", 2)]),
        .init("BOM, DELIMITER and CRLF together", "\u{FEFF}DELIMITER $$\r\nSELECT 1$$\r\nDELIMITER ;\r\nSELECT 2;",
              [("SELECT 1", 2), ("SELECT 2", 4)]),
        .init("line numbers skip comments and blank lines",
              "-- header\n\n/* block\n comment */\n\n  SELECT 1;\n# x\nSELECT\n2;",
              [("SELECT 1", 6), ("SELECT\n2", 8)]),
        .init("a line starting with 'delimiter' inside a statement is glued to the next",
              "SELECT 1 AS\ndelimiter_a\n, 2;", [("SELECT 1 AS\ndelimiter_a, 2", 1)]),
    ]

    @Test("statements and blanks", arguments: statementCases)
    func statements(_ splitCase: SQLSplitCase) throws { try splitCase.check() }

    @Test("comments", arguments: commentCases)
    func comments(_ splitCase: SQLSplitCase) throws { try splitCase.check() }

    @Test("quotes", arguments: quoteCases)
    func quotes(_ splitCase: SQLSplitCase) throws { try splitCase.check() }

    @Test("line endings and line numbers", arguments: lineEndingCases)
    func lineEndings(_ splitCase: SQLSplitCase) throws { try splitCase.check() }

    @Test("an empty script or one of comments only has no statements")
    func nothingToRun() throws {
        for script in ["", "\n\n", "-- only a comment", "/* only */\n# comments\n;;", "\u{FEFF}"] {
            #expect(try SQLSplitter().split(script, file: "empty.sql").isEmpty, "\(script.debugDescription)")
        }
    }

    @Test("a statement's location is its file and line")
    func location() throws {
        let statements = try SQLSplitter().split("\n\nSELECT 1;", file: "db/V2__add.sql")
        #expect(statements.map(\.location) == [QuickupCore.SourceLocation(file: "db/V2__add.sql", line: 3)])
        #expect(statements.first?.location.description == "db/V2__add.sql:3")
    }
}
