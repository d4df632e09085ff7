import QuickupCore
import Testing

/// The token-based rules of the `.sqlite` and `.clickhouse` dialects.
@Suite("SQL splitter: sqlite and clickhouse")
struct SQLSplitterDialectTests {
    static let trigger = """
        -- audit every insert
        CREATE TRIGGER log_insert AFTER INSERT ON t
        BEGIN
          INSERT INTO log VALUES (new.id, 'inserted; really');
          UPDATE counters SET n = n + 1; -- count it
        END;
        SELECT 1;
        """

    static let sqliteCases: [SQLSplitCase] = [
        .init("a trigger body is part of its statement", trigger, [
            ("CREATE TRIGGER log_insert AFTER INSERT ON t\nBEGIN\n  INSERT INTO log VALUES (new.id, 'inserted; really');\n"
                + "  UPDATE counters SET n = n + 1; -- count it\nEND", 2),
            ("SELECT 1", 7),
        ], dialect: .sqlite),
        .init("temporary triggers, and END inside the body", """
            CREATE TEMP TRIGGER a AFTER DELETE ON t BEGIN SELECT CASE WHEN 1 THEN 2 END; END;
            create temporary trigger b after delete on t begin select 1; end ; select 2;
            """, [
            ("CREATE TEMP TRIGGER a AFTER DELETE ON t BEGIN SELECT CASE WHEN 1 THEN 2 END; END", 1),
            ("create temporary trigger b after delete on t begin select 1; end", 2), ("select 2", 2),
        ], dialect: .sqlite),
        .init("CREATE TABLE named trigger is no trigger", "CREATE TABLE trigger_log (a);\nSELECT 1;",
              [("CREATE TABLE trigger_log (a)", 1), ("SELECT 1", 2)], dialect: .sqlite),
        .init("no backslash escapes", "SELECT 'a\\';SELECT 2;", [("SELECT 'a\\'", 1), ("SELECT 2", 1)], dialect: .sqlite),
        .init("-- needs no blank; # is no comment; [] quotes", "-- c\nSELECT 1 --no blank;\n;\n/* x; */ SELECT [a;b] FROM t; # x;",
              [("SELECT 1", 2), ("SELECT [a;b] FROM t", 4), ("# x", 4)], dialect: .sqlite),
        .init("no DELIMITER command", "DELIMITER $$\nSELECT 1;", [("DELIMITER $$\nSELECT 1", 1)], dialect: .sqlite),
        .init("comments inside a statement stay, around it they go", "/* a */ SELECT /* b */ 1 -- c\n;",
              [("SELECT /* b */ 1", 1)], dialect: .sqlite),
        .init("CRLF and BOM", "\u{FEFF}SELECT 1;\r\nSELECT\r\n 2;", [("SELECT 1", 1), ("SELECT\n 2", 2)], dialect: .sqlite),
        .init("doubled quotes", "SELECT 'it''s;', \"a\"\"b;\";", [("SELECT 'it''s;', \"a\"\"b;\"", 1)], dialect: .sqlite),
    ]

    static let clickhouseCases: [SQLSplitCase] = [
        .init("-- needs no blank; '# ' and '#!' are comments", "SELECT 1;--c\nSELECT 2 # c;\n;\n#!shebang;\nSELECT 3",
              [("SELECT 1", 1), ("SELECT 2", 2), ("SELECT 3", 5)], dialect: .clickhouse),
        .init("# glued to text is no comment", "SELECT 1 #x;", [("SELECT 1 #x", 1)], dialect: .clickhouse),
        .init("backslash escapes in quotes and identifiers", "SELECT 'a\\';b', `c\\`;d`, \"e\\\";f\";",
              [("SELECT 'a\\';b', `c\\`;d`, \"e\\\";f\"", 1)], dialect: .clickhouse),
        .init("block comments nest", "SELECT /* a /* b */ ; */ 1;", [("SELECT /* a /* b */ ; */ 1", 1)], dialect: .clickhouse),
        .init("no DELIMITER command", "DELIMITER $$\nSELECT 1$$", [("DELIMITER $$\nSELECT 1$$", 1)], dialect: .clickhouse),
        .init("line numbers across multi-line strings and comments", "SELECT 'a\nb';\n/* c\nd */\nSELECT 2;",
              [("SELECT 'a\nb'", 1), ("SELECT 2", 5)], dialect: .clickhouse),
        .init("empty statements are dropped", ";;\n; SELECT 1;;", [("SELECT 1", 2)], dialect: .clickhouse),
    ]

    @Test("sqlite", arguments: sqliteCases)
    func sqlite(_ splitCase: SQLSplitCase) throws { try splitCase.check() }

    @Test("clickhouse", arguments: clickhouseCases)
    func clickhouse(_ splitCase: SQLSplitCase) throws { try splitCase.check() }

    @Test("the default dialect is mariadb")
    func defaultDialect() throws {
        let script = "DELIMITER $$\nSELECT 1; SELECT 2$$"
        #expect(try SQLSplitter().split(script, file: "a.sql") == SQLSplitter(dialect: .mariadb).split(script, file: "a.sql"))
        #expect(try SQLSplitter().split(script, file: "a.sql").map(\.text) == ["SELECT 1; SELECT 2"])
    }
}
