import QuickupCore
import QuickupTestSupport
import Testing

/// Splitting must grow linearly with the script. Throughput is the benchmark's business
/// (`quickup-bench splitter`, docs/PERFORMANCE.md): a wall-clock limit fails on a loaded machine.
/// Here the thread's own CPU time of a script is compared with that of a sixteenth of it, so
/// other processes' load does not enter (issue 13 item 10): sixteen times the script may not
/// take 64 times the CPU (linear takes sixteen, a quadratic splitter 256).
@Suite("SQL splitter: linear time", .serialized)
struct SQLSplitterPerformanceTests {
    /// A migration-like script: DDL, inserts with quoted text, comments, a procedure.
    static func script(blocks: Int) -> String {
        var script = "-- generated for the speed test\n"
        for block in 0..<blocks {
            script += """
                CREATE TABLE IF NOT EXISTS t\(block) (id INT PRIMARY KEY, name VARCHAR(40) COMMENT 'the name; shown');
                INSERT INTO t\(block) VALUES (1, 'O\\'Brien; -- not a comment'), (2, "a \\"quoted\\" name");
                /* a comment; between statements */ UPDATE t\(block) SET name = 'x' WHERE id = 1; # why
                SELECT `id`, name FROM t\(block) WHERE name <> 'é😀' -- trailing comment
                  AND id > 0;
                DELIMITER $$
                CREATE PROCEDURE p\(block)() BEGIN SELECT 1; SELECT 'two;'; END$$
                DELIMITER ;

                """
        }
        return script
    }

    /// Five statements per block.
    static let tenThousandStatements = script(blocks: 2_000)

    @Test("a 10,000-statement script splits into 10,000 statements with their lines")
    func tenThousand() throws {
        let splitter = SQLSplitter()
        let statements = try splitter.split(Self.tenThousandStatements, file: "big.sql")
        #expect(statements.count == 10_000)
        #expect(statements.last?.line == Self.tenThousandStatements.utf8.count(where: { $0 == UInt8(ascii: "\n") }) - 1)
    }

    @Test("sixteen times the script takes about sixteen times the CPU, not 256", arguments: [SQLDialect.mariadb, .clickhouse, .sqlite])
    func linear(dialect: SQLDialect) throws {
        let small = Self.script(blocks: 125)
        let large = String(repeating: small, count: 16)
        let splitter = SQLSplitter(dialect: dialect)
        var bestSmall = Duration.seconds(3_600), bestLarge = Duration.seconds(3_600)
        for _ in 0..<3 {
            bestSmall = min(bestSmall, try ThreadCPUTime.fastest(of: 2) { _ = try splitter.split(small, file: "small.sql") })
            bestLarge = min(bestLarge, try ThreadCPUTime.fastest { _ = try splitter.split(large, file: "large.sql") })
        }
        print("SQLSplitter \(dialect): \(small.utf8.count) bytes in \(bestSmall) CPU, 16× in \(bestLarge)")
        #expect(bestLarge < bestSmall * 64, "\(bestSmall) CPU for 1×, \(bestLarge) for 16×")
    }
}
