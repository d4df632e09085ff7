import QuickupCore
import Testing
@testable import QuickupAssess

/// A1: which tables a plan's scripts touch, read from their statements.
@Suite("Touched tables")
struct TouchedTablesTests {
    @Test("DDL and DML forms name the table they change", arguments: [
        ("ALTER TABLE orders ADD COLUMN channel VARCHAR(16)", ["orders"]),
        ("alter online table `shop`.`orders` drop column x", ["shop.orders"]),
        ("UPDATE orders SET status = 1 WHERE status = 9", ["orders"]),
        ("UPDATE LOW_PRIORITY IGNORE a, b SET a.x = b.x", ["a", "b"]),
        ("INSERT IGNORE INTO holiday_calendar VALUES ('2026-10-01', 'x')", ["holiday_calendar"]),
        ("INSERT INTO orders_legacy_backup SELECT * FROM orders o JOIN device d ON d.id = o.device_id", ["orders_legacy_backup", "orders", "device"]),
        ("REPLACE INTO t (a) VALUES (1)", ["t"]),
        ("DELETE FROM session WHERE created_at < NOW()", ["session"]),
        ("TRUNCATE TABLE logs", ["logs"]),
        ("TRUNCATE logs", ["logs"]),
        ("DROP TABLE IF EXISTS a, b", ["a", "b"]),
        ("RENAME TABLE a TO a_old, b TO b_old", ["a", "b"]),
        ("CREATE UNIQUE INDEX idx ON device (serial_no)", ["device"]),
        ("CREATE INDEX IF NOT EXISTS idx ON `device` (serial_no)", ["device"]),
        ("DROP INDEX idx_orders_channel ON orders", ["orders"]),
        ("OPTIMIZE TABLE gps_track", ["gps_track"]),
        ("CREATE TABLE IF NOT EXISTS orders_archive LIKE orders", []),
        ("CREATE TABLE t2 AS SELECT * FROM t1", ["t1"]),
        ("CREATE TABLE x (id INT)", []),
        ("SELECT * FROM orders", []),
        ("DROP PROCEDURE IF EXISTS order_daily_stats", []),
        ("-- ALTER TABLE commented\nUPDATE /* not ALTER TABLE x */ real_one SET a = 'ALTER TABLE fake'", ["real_one"]),
    ])
    func forms(sql: String, expected: [String]) {
        #expect(TouchedTables.of(sql) == expected, "\(sql)")
    }

    @Test("A script's tables are listed once, in order of first mention")
    func script() {
        let statements = [
            SQLStatement(text: "ALTER TABLE orders ADD x INT", line: 1, file: "a.sql"),
            SQLStatement(text: "CREATE INDEX i ON orders (x)", line: 2, file: "a.sql"),
            SQLStatement(text: "UPDATE device SET y = 1", line: 3, file: "a.sql"),
        ]
        #expect(TouchedTables.of(statements) == ["orders", "device"])
    }
}

@Suite("Created tables")
struct CreatedTablesTests {
    @Test("CREATE TABLE names the table the plan creates")
    func created() {
        let statements = ["CREATE TABLE IF NOT EXISTS `stock` (id INT)", "CREATE TEMPORARY TABLE t (a INT)", "CREATE INDEX i ON x (a)", "ALTER TABLE y ADD z INT"]
            .map { SQLStatement(text: $0, line: 1, file: "f.sql") }
        #expect(TouchedTables.created(statements) == ["stock", "t"])
    }
}
