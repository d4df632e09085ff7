import QuickupTestSupport
import Foundation
import QuickupCore
import QuickupData
import Testing

/// Statements, results, procedures and transactions against the real server (D1, D2, E5).
@Suite(.enabled(if: TestServers.mariaDBEnabled, "needs the MariaDB test server (scripts/services.sh)"))
struct MariaDBStatementTests {
    @Test func syntaxErrorNamesFileLineCodeAndStatement() async throws {
        try await withScratchDatabase { connection, _ in
            let statement = SQLStatement(text: "SELEC 1 FROM dual", line: 7, file: "V2__broken.sql")
            let error = await quickupError { try await connection.execute(statement) }
            let text = error?.description ?? ""
            #expect(error?.code == .statementFailed)
            #expect(error?.location == QuickupCore.SourceLocation(file: "V2__broken.sql", line: 7))
            #expect(text.hasPrefix("V2__broken.sql:7: "), "\(text)")
            #expect(text.contains("error 1064 (42000)"), "\(text)")
            #expect(text.contains("statement: SELEC 1 FROM dual (on \(TestServers.mariaDB?.host ?? "?"):"), "\(text)")
            #expect(error?.hint != nil)
            // The connection is still usable after a failed statement.
            let one = try await connection.scalar("SELECT 1")
            #expect(one == "1")
        }
    }

    @Test func longStatementsAreShownByTheirStart() async throws {
        try await withScratchDatabase { connection, _ in
            let columns = (1...40).map { "column_number_\($0) INT" }.joined(separator: ",\n    ")
            let text = "CREATE TABLE broken (\n    \(columns),\n    oops oops oops\n)"
            let error = await quickupError { try await connection.exec(text, file: "V3__wide.sql", line: 12) }
            let description = error?.description ?? ""
            let afterLabel = try #require(description.components(separatedBy: "statement: ").last)
            let statement = try #require(afterLabel.components(separatedBy: " (on ").first)
            #expect(statement.hasPrefix("CREATE TABLE broken ( column_number_1 INT, column_number_2 INT,"), "\(statement)")
            #expect(statement.hasSuffix("…"), "\(statement)")
            #expect(statement.count <= 81, "\(statement)")
            #expect(description.hasPrefix("V3__wide.sql:12: "))
        }
    }

    @Test func queryReturnsTextAndNulls() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40) NULL, note TEXT)")
            let inserted = try await connection.exec("INSERT INTO t VALUES (1, 'Zoë 😀', 'a'), (2, NULL, ''), (3, 'x', 'b')")
            #expect(inserted.affectedRows == 3)
            let updated = try await connection.exec("UPDATE t SET note = 'z' WHERE id >= 2")
            #expect(updated.affectedRows == 2)
            let rows = try await connection.query("SELECT id, name, note FROM t ORDER BY id")
            #expect(rows == [["1", "Zoë 😀", "a"], ["2", nil, "z"], ["3", "x", "z"]])
            #expect(try await connection.query("SELECT * FROM t WHERE id > 99").isEmpty)
            #expect(try await connection.query("DO 1").isEmpty, "a statement without a result set gives no rows")
        }
    }

    @Test func tenThousandStatementScript() async throws {
        try await withScratchDatabase { connection, _ in
            var statements = [SQLStatement(
                text: "CREATE TABLE IF NOT EXISTS items (id INT PRIMARY KEY, label VARCHAR(40))", line: 1, file: "big.sql")]
            for i in 1..<10_000 {
                statements.append(SQLStatement(text: "INSERT INTO items VALUES (\(i), 'item \(i)')", line: i + 1, file: "big.sql"))
            }
            let start = ContinuousClock.now
            try await connection.run(statements)
            let seconds = secondsSince(start)
            #expect(try await connection.scalar("SELECT COUNT(*) FROM items") == "9999")
            #expect(try await connection.scalar("SELECT label FROM items WHERE id = 9999") == "item 9999")
            print("10,000 statements through MariaDBConnection: \(String(format: "%.2f", seconds)) s")
        }
    }

    @Test func aScriptStopsAtTheFirstFailureAndNamesIt() async throws {
        try await withScratchDatabase { connection, _ in
            let script = [
                SQLStatement(text: "CREATE TABLE t (id INT PRIMARY KEY)", line: 1, file: "V5__script.sql"),
                SQLStatement(text: "INSERT INTO t VALUES (1)", line: 2, file: "V5__script.sql"),
                SQLStatement(text: "INSERT INTO t VALUES (1)", line: 4, file: "V5__script.sql"),
                SQLStatement(text: "INSERT INTO t VALUES (3)", line: 6, file: "V5__script.sql"),
            ]
            let error = await quickupError { try await connection.run(script) }
            #expect(error?.location == QuickupCore.SourceLocation(file: "V5__script.sql", line: 4))
            #expect(error?.description.contains("error 1062") == true, "\(String(describing: error))")
            #expect(try await connection.query("SELECT id FROM t") == [["1"]], "nothing after the failure ran")
            // Through the protocol, as a task runner holds it.
            let any: any DatasourceConnection = connection
            try await any.run([SQLStatement(text: "INSERT INTO t VALUES (5)", line: 1, file: "x.sql")])
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "2")
        }
    }

    @Test func storedProcedureCreatedAndCalled() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.exec("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))")
            // One statement: the splitter hands the body over whole, semicolons included (DELIMITER).
            try await connection.exec("""
                CREATE PROCEDURE add_rows(IN n INT)
                BEGIN
                  DECLARE i INT DEFAULT 0;
                  WHILE i < n DO
                    INSERT INTO t (v) VALUES (CONCAT('row ', i));
                    SET i = i + 1;
                  END WHILE;
                  SELECT COUNT(*) AS total FROM t;
                  SELECT 'second result set';
                END
                """, file: "V4__proc.sql", line: 3)
            // CALL returns two result sets and a status: all must be read before the next statement.
            try await connection.exec("CALL add_rows(5)")
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "5")
            #expect(try await connection.query("CALL add_rows(2)") == [["7"]], "the first result set")
            #expect(try await connection.scalar("SELECT MAX(v) FROM t") == "row 4")
            let error = await quickupError { try await connection.exec("CALL no_such_procedure()", line: 9) }
            #expect(error?.description.contains("error 1305") == true, "\(String(describing: error))")
        }
    }

    @Test func aSplitScriptWithDelimiterAndATrigger() async throws {
        try await withScratchDatabase { connection, _ in
            let script = """
                -- V6: audit trail
                CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2));
                CREATE TABLE audit (order_id INT, note VARCHAR(40));

                DELIMITER //
                CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW
                BEGIN
                  INSERT INTO audit VALUES (NEW.id, 'created; checked');
                END //
                CREATE PROCEDURE add_order(IN n INT)
                BEGIN
                  INSERT INTO orders VALUES (n, n * 1.5);
                END //
                DELIMITER ;

                CALL add_order(1); CALL add_order(2);
                INSERT INTO orders VALUES (2, 0);
                """
            let statements = try SQLSplitter(dialect: .mariadb).split(script, file: "V6__audit.sql")
            #expect(statements.count == 7)
            let error = await quickupError { try await connection.run(statements) }
            #expect(error?.location == QuickupCore.SourceLocation(file: "V6__audit.sql", line: 17), "\(String(describing: error))")
            #expect(error?.description.contains("error 1062") == true)
            #expect(try await connection.query("SELECT order_id, note FROM audit ORDER BY order_id")
                    == [["1", "created; checked"], ["2", "created; checked"]])
        }
    }

    @Test func rollbackLeavesNoRowsAndCommitKeepsThem() async throws {
        try await withScratchDatabase { connection, _ in
            #expect(connection.supportsTransactions)
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
            try await connection.begin()
            try await connection.exec("INSERT INTO t VALUES (1), (2), (3)")
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "3", "visible inside the transaction")
            try await connection.rollback()
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "0")

            try await connection.begin()
            try await connection.exec("INSERT INTO t VALUES (4)")
            try await connection.commit()
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "1")
        }
    }

    @Test func aSilentServerHitsTheReadTimeout() async throws {
        try await withScratchDatabase { _, config in
            var impatient = config
            impatient.readTimeout = .seconds(1)
            let connection = try await MariaDBConnection.connect(impatient, secrets: SecretResolver())
            let error = await quickupError { try await connection.exec("SELECT SLEEP(5)", file: "slow.sql", line: 2) }
            #expect(error?.code == .datasourceTimeout, "\(String(describing: error))")
            #expect(error?.description.contains("sent nothing for 1s") == true, "\(String(describing: error))")
            #expect(error?.location?.line == 2)
            await connection.close()
        }
    }

    @Test func serverVersion() async throws {
        try await withScratchDatabase { connection, _ in
            let version = try await connection.serverVersion()
            #expect(version.first?.isNumber == true && version.contains("MariaDB"), "\(version)")
        }
    }

    @Test func aStatementTextHoldingTwoRunsBothAsTheClientDoes() async throws {
        try await withScratchDatabase { connection, _ in
            // `DELIMITER //` … `INSERT …; INSERT … //` hands the server two statements in one text;
            // the `mariadb` client runs both, and so does quickup, a failure naming the text's line.
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            try await connection.exec("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)")
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "2")
            let error = await quickupError { try await connection.exec("INSERT INTO t VALUES (3); INSERT INTO t VALUES (2)", line: 7) }
            #expect(error?.description.contains("error 1062") == true, "\(String(describing: error))")
            #expect(error?.location?.line == 7)
        }
    }

    @Test func concurrentCallsOnOneConnectionAreSerialised() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<50 {
                    group.addTask { try await connection.exec("INSERT INTO t VALUES (\(i))") }
                }
                try await group.waitForAll()
            }
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "50")
        }
    }

    @Test func tableSizes() async throws {
        try await withScratchDatabase { connection, config in
            let database = try #require(config.database)
            try await connection.exec("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200), KEY (pad))")
            try await connection.exec("CREATE TABLE small (id INT PRIMARY KEY)")
            try await connection.exec("INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_1_to_5000")
            try await connection.exec("ANALYZE TABLE big, small")  // returns a result set, drained
            let sizes = try await connection.tableSizes(["big", "small", "missing", "\(database).big"])
            let big = try #require(sizes["big"])
            #expect(big > 1_000_000, "5000 rows of 200 bytes plus an index: \(big)")
            #expect(sizes["\(database).big"] == big)
            #expect(sizes["small"].map { $0 > 0 } == true)
            #expect(sizes["missing"] == nil)
            #expect(try await connection.tableSizes([]).isEmpty)
        }
    }
}
