import QuickupCore
import Testing
@testable import QuickupAssess

/// A2/M4: the counting SQL quickup writes for the built-in checks.
@Suite("Quality SQL")
struct QualitySQLTests {
    func check(_ kind: QualityRule.Check, _ table: String, _ columns: [String], min: String? = nil, max: String? = nil,
               pattern: String? = nil, references: String? = nil) -> QualityRule.BuiltInCheck {
        var c = QualityRule.BuiltInCheck(check: kind, table: table, columns: columns)
        c.min = min
        c.max = max
        c.pattern = pattern
        c.references = references
        return c
    }

    @Test("MariaDB forms")
    func mariadb() throws {
        #expect(try QualitySQL.counting(check(.notNull, "orders", ["a", "b"]), dialect: .mariadb)
                == "SELECT COUNT(*) FROM `orders` WHERE `a` IS NULL OR `b` IS NULL")
        #expect(try QualitySQL.counting(check(.unique, "shop.device", ["serial_no"]), dialect: .mariadb)
                == "SELECT COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM `shop`.`device` WHERE `serial_no` IS NOT NULL GROUP BY `serial_no` HAVING COUNT(*) > 1) AS duplicates")
        #expect(try QualitySQL.counting(check(.range, "orders", ["created"], min: "2020-01-01"), dialect: .mariadb)
                == "SELECT COUNT(*) FROM `orders` WHERE `created` < '2020-01-01'")
        #expect(try QualitySQL.counting(check(.range, "orders", ["amount"], min: "-5", max: "1e6"), dialect: .mariadb)
                == "SELECT COUNT(*) FROM `orders` WHERE `amount` < -5 OR `amount` > 1e6")
        #expect(try QualitySQL.counting(check(.pattern, "device", ["serial_no"], pattern: #"^SN-\d'$"#), dialect: .mariadb)
                == #"SELECT COUNT(*) FROM `device` WHERE `serial_no` IS NOT NULL AND `serial_no` NOT REGEXP '^SN-\\d\'$'"#)
        #expect(try QualitySQL.counting(check(.reference, "orders", ["device_id"], references: "device.id"), dialect: .mariadb)
                == "SELECT COUNT(*) FROM `orders` t WHERE t.`device_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `device` r WHERE r.`id` = t.`device_id`)")
    }

    @Test("ClickHouse forms avoid correlated subqueries (18.x)")
    func clickhouse() throws {
        #expect(try QualitySQL.counting(check(.unique, "dev", ["serial"]), dialect: .clickhouse)
                == "SELECT sum(n) FROM (SELECT count() AS n FROM `dev` WHERE `serial` IS NOT NULL GROUP BY `serial` HAVING count() > 1)")
        #expect(try QualitySQL.counting(check(.reference, "ev", ["a", "b"], references: "dev(x, y)"), dialect: .clickhouse)
                == "SELECT count() FROM `ev` WHERE (`a`, `b`) NOT IN (SELECT `x`, `y` FROM `dev`)")
        #expect(try QualitySQL.counting(check(.pattern, "dev", ["serial"], pattern: "^SN"), dialect: .clickhouse)
                == "SELECT count() FROM `dev` WHERE NOT match(toString(`serial`), '^SN')")
    }

    @Test("Names that cannot be quoted safely are refused; SQLite has no REGEXP")
    func refused() {
        #expect(throws: QuickupError.self) { try QualitySQL.counting(check(.notNull, "orders`; DROP TABLE x; --", ["a"]), dialect: .mariadb) }
        #expect(throws: QuickupError.self) { try QualitySQL.counting(check(.notNull, "orders", ["a b"]), dialect: .mariadb) }
        #expect(throws: QuickupError.self) { try QualitySQL.counting(check(.reference, "orders", ["a", "b"], references: "device.id"), dialect: .mariadb) }
        do {
            _ = try QualitySQL.counting(check(.pattern, "t", ["c"], pattern: "x"), dialect: .sqlite)
            Issue.record("expected unsupported")
        } catch {
            #expect(error.code == .unsupported)
        }
    }
}
