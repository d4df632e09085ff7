import Foundation
import QuickupCore

/// quickup-bench splitter [--blocks N] [--runs R]: SQLSplitter throughput per dialect on a
/// migration-like script (DDL, quoted text, comments, a DELIMITER procedure), best of R runs.
/// Throughput is measured here, in a release build, not in the tests (issue 13 item 10).
enum SplitterBench {
    static func run(_ arguments: [String]) -> Int32 {
        func value(_ name: String, _ fallback: Int) -> Int {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
            return Int(arguments[i + 1]) ?? fallback
        }
        let script = SQLSplitter.benchmarkScript(blocks: value("--blocks", 8_000))
        let runs = max(1, value("--runs", 3))
        for dialect in [SQLDialect.mariadb, .clickhouse, .sqlite] {
            let splitter = SQLSplitter(dialect: dialect)
            var best = Duration.seconds(3_600)
            var count = 0
            for _ in 0..<runs {
                let start = ContinuousClock.now
                do { count = try splitter.split(script, file: "bench.sql").count } catch {
                    FileHandle.standardError.write(Data("splitter benchmark failed: \(error)\n".utf8))
                    return 1
                }
                best = min(best, ContinuousClock.now - start)
            }
            let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
            let rate = Double(script.utf8.count) / 1_000_000 / seconds
            print("SQLSplitter \(dialect): \(count) statements, \(script.utf8.count / 1_000_000) MB in \(best) — \(Int(rate)) MB/s")
        }
        return 0
    }
}

extension SQLSplitter {
    /// Five statements per block, as in a vendor migration.
    static func benchmarkScript(blocks: Int) -> String {
        var script = "-- generated for the splitter benchmark\n"
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
}
