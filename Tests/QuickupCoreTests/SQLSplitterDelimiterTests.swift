import QuickupCore
import Testing

/// `DELIMITER` and the other `mariadb` client commands quickup understands.
@Suite("SQL splitter: DELIMITER and client commands")
struct SQLSplitterDelimiterTests {
    static let procedure = """
        DELIMITER $$
        CREATE PROCEDURE p()
        BEGIN
          SELECT 1;
          SELECT 'a;b';
        END$$
        DELIMITER ;
        CALL p();
        """

    static let trigger = """
        delimiter //
        CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW
        BEGIN
          SET NEW.a = 1; -- a comment; inside
        END //
        delimiter ;
        SELECT 1;
        """

    static let delimiterCases: [SQLSplitCase] = [
        .init("a procedure between DELIMITER $$ and DELIMITER ;", procedure,
              [("CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 'a;b';\nEND", 2), ("CALL p()", 8)]),
        .init("a trigger with a lower-case delimiter //", trigger,
              [("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  SET NEW.a = 1; \nEND", 2), ("SELECT 1", 7)]),
        .init("any case, and ;; as delimiter", "DeLiMiTeR ;;\nSELECT 1; SELECT 2;;\ndelimiter ;\nSELECT 3;",
              [("SELECT 1; SELECT 2", 2), ("SELECT 3", 4)]),
        .init("the delimiter inside quotes and comments does not split",
              "DELIMITER $$\nSELECT '$$', \"$$\", `$$` /* $$ */ # $$\n$$",
              [("SELECT '$$', \"$$\", `$$`", 2)]),
        .init("a quoted delimiter; the rest of the line is ignored", "DELIMITER '$ $' junk\nSELECT 1$ $\n", [("SELECT 1", 2)]),
        .init("a delimiter ending in a tab keeps the tab", "delimiter  $$\t\nSELECT 1$$\t\nSELECT 2$$",
              [("SELECT 1", 2), ("SELECT 2$$", 3)]),
        .init("a delimiter is cut to 15 bytes", "delimiter 0123456789abcdefghij\nSELECT 1 0123456789abcdefghij\n",
              [("SELECT 1", 2), ("fghij", 2)]),
        .init("\\d changes the delimiter without ending the statement", "SELECT 1\\d $$\nSELECT 2$$",
              [("SELECT 1\nSELECT 2", 1)]),
        .init("DELIMITER as a statement ended by the old delimiter", "SELECT 1; delimiter $$;\nSELECT 2$$",
              [("SELECT 1", 1), ("SELECT 2", 2)]),
        .init("DELIMITER after text on the same line is glued to the next line",
              "SELECT 1; DELIMITER $$\nSELECT 2;\nSELECT 3$$ SELECT 4;",
              [("SELECT 1", 1), ("SELECT 3$$ SELECT 4;", 3)]),
        .init("a DELIMITER line inside a statement is text", "SELECT 1,\ndelimiter $$\n;", [("SELECT 1,\ndelimiter $$", 1)]),
        .init("a DELIMITER line inside a string is text", "SELECT '\ndelimiter $$\n';", [("SELECT '\ndelimiter $$\n'", 1)]),
    ]

    static let commandCases: [SQLSplitCase] = [
        .init("\\g and \\G end statements", "SELECT 1\\g SELECT 2\\G\nSELECT 3 \\g\n",
              [("SELECT 1", 1), ("SELECT 2", 1), ("SELECT 3", 2)]),
        .init("\\c clears the pending statement", "SELECT 1 \\c SELECT 2;", [("SELECT 2", 1)]),
        .init("clear and go lines with nothing pending do nothing", "clear\ngo\nSELECT 1;", [("SELECT 1", 3)]),
        .init("go; sends the word go", "go;", [("go", 1)]),
        .init("use lines and statements become USE `db`",
              "use test\nSELECT 1;\nUSE `my db`;\n  use   a`b  junk\n\\u x\\ y",
              [("USE `test`", 1), ("SELECT 1", 2), ("USE `my db`", 3), ("USE `a``b`", 4), ("USE `x y`", 5)]),
        .init("\\u inside a statement runs first", "SELECT 1 \\u t\nSELECT 2;", [("USE `t`", 1), ("SELECT 1 \nSELECT 2", 1)]),
        .init("use with an empty argument is a statement", "use '';", [("use ''", 1)]),
        .init("quit stops reading", "SELECT 1;\nquit\nSELECT 2;", [("SELECT 1", 1)]),
        .init("\\q sends what is pending, then stops", "SELECT 1 \\q SELECT 2;\nSELECT 3;", [("SELECT 1", 1)]),
        .init("quit; sends the word quit, then stops", "SELECT 1;\nquit;\nSELECT 2;", [("SELECT 1", 1), ("quit", 2)]),
        .init("exit with an argument is no command", "exit now;", [("exit now", 1)]),
    ]

    @Test("DELIMITER", arguments: delimiterCases)
    func delimiter(_ splitCase: SQLSplitCase) throws { try splitCase.check() }

    @Test("client commands", arguments: commandCases)
    func commands(_ splitCase: SQLSplitCase) throws { try splitCase.check() }

    @Test("client commands quickup does not run are refused at their line", arguments: [
        ("SELECT 1;\nsource other.sql\n", 2, "source"),
        ("SELECT 1;\n\\. other.sql\n", 2, "source"),
        ("system ls\n", 1, "system"),
        ("SELECT 1 \\! ls\n", 1, "system"),
        ("tee out.txt\n", 1, "tee"),
        ("\n\nstatus;\n", 3, "status"),
        ("SELECT 1;\n\\W\n", 2, "warnings"),
        ("charset latin1\n", 1, "charset"),
    ])
    func unsupported(script: String, line: Int, command: String) {
        expectSplitError(script, code: .sqlClientCommand, line: line, messageContains: "'\(command)'")
    }
}
