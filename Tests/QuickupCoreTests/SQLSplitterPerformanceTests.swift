import QuickupCore
import Testing

/// Splitting must cost nothing next to running the statements: ≥ 50 MB/s and a 10,000-statement
/// script in a few milliseconds, in a release build. Debug builds (the default `swift test`) are
/// many times slower, so they only guard against accidental quadratic behaviour.
@Suite("SQL splitter: speed", .serialized)
struct SQLSplitterPerformanceTests {
    #if DEBUG
    static let tenThousandLimit = Duration.milliseconds(1_500)
    static let minimumMegabytesPerSecond = 2.0
    #else
    static let tenThousandLimit = Duration.milliseconds(20)
    static let minimumMegabytesPerSecond = 50.0
    #endif

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

    @Test("a 10,000-statement script splits in a few milliseconds")
    func tenThousand() throws {
        let splitter = SQLSplitter()
        let statements = try splitter.split(Self.tenThousandStatements, file: "big.sql")
        #expect(statements.count == 10_000)
        #expect(statements.last?.line == Self.tenThousandStatements.utf8.count(where: { $0 == UInt8(ascii: "\n") }) - 1)
        let best = try Self.fastest(of: 5) { _ = try splitter.split(Self.tenThousandStatements, file: "big.sql") }
        print("SQLSplitter: 10,000 statements (\(Self.tenThousandStatements.utf8.count) bytes) in \(best)")
        #expect(best < Self.tenThousandLimit)
    }

    @Test("throughput", arguments: [SQLDialect.mariadb, .clickhouse, .sqlite])
    func throughput(dialect: SQLDialect) throws {
        let script = String(repeating: Self.tenThousandStatements, count: 4)
        let splitter = SQLSplitter(dialect: dialect)
        let best = try Self.fastest(of: 3) { _ = try splitter.split(script, file: "big.sql") }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
        let megabytesPerSecond = Double(script.utf8.count) / 1_000_000 / seconds
        print("SQLSplitter \(dialect): \(Int(megabytesPerSecond)) MB/s on \(script.utf8.count / 1_000_000) MB")
        #expect(megabytesPerSecond >= Self.minimumMegabytesPerSecond)
    }

    private static func fastest(of runs: Int, _ work: () throws -> Void) throws -> Duration {
        let clock = ContinuousClock()
        var best = Duration.seconds(3_600)
        for _ in 0..<runs {
            let start = clock.now
            try work()
            best = min(best, clock.now - start)
        }
        return best
    }
}
