import QuickupTestSupport
import Foundation
import QuickupCore
import Testing

/// The splitter against the real `mariadb` client: each script of `Tests/Fixtures/sql/` is run
/// by `mariadb db < script` with the server's general log going to `mysql.general_log`, and the
/// statements the server received must be the statements quickup yields for that script.
///
/// Only what is not the client's doing is normalised:
/// - the server trims each query before logging it (`alloc_query()`: leading blanks, trailing
///   blanks and `;`), so quickup's statements are trimmed the same way before comparing;
/// - the log keeps text in utf8mb3 and writes 4-byte characters as `\xF0\x9F\x98\x80`, so
///   quickup's statements are written that way too;
/// - the client's `use db` sends `SELECT DATABASE()` and then COM_INIT_DB (logged as `Init DB`),
///   for which quickup yields "USE `db`": that pair counts as that one statement.
///
/// The same run checks that the server accepts every statement: the client must exit 0 and print
/// no error (it stops at the first statement the server rejects).
///
/// The corpus never fires triggers: the log would also show statements the triggers run.
@Suite(
    "SQL splitter against the real mariadb client", .serialized,
    .enabled(if: TestServers.mariaDBEnabled, TestServers.mariaDBSkipComment))
struct SQLSplitterDifferentialTests {
    static let fixtureDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/sql")

    static var fixtures: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".sql") }.sorted()
    }

    /// The databases the fixtures run in (07_client_commands.sql switches between them).
    static let scratchDatabases = ["quickup_sqlsplit_a", "quickup_sqlsplit_b"]

    @Test("the corpus is there") func corpus() {
        #expect(Self.fixtures.count >= 10, "fixtures in \(Self.fixtureDirectory.path)")
    }

    @Test("statements equal what mariadb sends, and the server accepts them all", arguments: fixtures)
    func matchesClient(fixture: String) throws {
        let client = MariaDBCommandLineClient(server: try TestServers.requireMariaDB())
        let script = try Data(contentsOf: Self.fixtureDirectory.appendingPathComponent(fixture))
        let expected = try SQLSplitter().split(String(decoding: script, as: UTF8.self), file: fixture)
            .map { Self.asLogged($0.text) }

        try client.query(Self.scratchDatabases.map { "DROP DATABASE IF EXISTS \($0); CREATE DATABASE \($0);" }.joined())
        defer { _ = try? client.query(Self.scratchDatabases.map { "DROP DATABASE IF EXISTS \($0);" }.joined()) }
        let received = try GeneralLogTable.capture(using: client) { marker in
            let run = try client.run(
                ["--default-character-set=utf8mb4", "--init-command=\(marker)", Self.scratchDatabases[0]], input: script)
            #expect(run.status == 0 && run.errors.isEmpty, "mariadb rejected a statement of \(fixture): \(run.errors)")
        }
        #expect(!expected.isEmpty)
        #expect(expected == Self.asStatements(received), "\(fixture)")
    }

    /// A statement as the general log shows it: trimmed by the server's `alloc_query()`, and
    /// 4-byte characters written as `\xHH` escapes (the log's text is utf8mb3).
    static func asLogged(_ text: String) -> String {
        let blanks: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, blanks.contains(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, blanks.contains(last) || last == UInt8(ascii: ";") { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.map { scalar in
            guard scalar.value > 0xFFFF else { return String(scalar) }
            return String(scalar).utf8.map { "\\x" + String($0, radix: 16, uppercase: true) }.joined()
        }.joined()
    }

    /// Logged commands as quickup statements: `SELECT DATABASE()` + `Init DB x` is "USE `x`".
    static func asStatements(_ logged: [GeneralLogTable.Entry]) -> [String] {
        var statements: [String] = []
        for (index, entry) in logged.enumerated() {
            switch entry.command {
            case "Init DB":
                statements.append("USE `\(entry.argument.replacingOccurrences(of: "`", with: "``"))`")
            case "Query" where entry.argument == "SELECT DATABASE()" && index + 1 < logged.count
                && logged[index + 1].command == "Init DB":
                continue
            default:
                statements.append(entry.argument)
            }
        }
        return statements
    }
}

/// The server's general log, written to the `mysql.general_log` table for the time it takes.
enum GeneralLogTable {
    private static let sharedLog = NSLock()

    struct Entry: Equatable {
        var command: String
        var argument: String
    }

    /// Runs `body` with the general log on, handing it an SQL statement to run first on its
    /// connection (`--init-command`) that marks the connection; returns what that connection
    /// sent after the mark. The log settings are put back as they were.
    static func capture(using client: MariaDBCommandLineClient, _ body: (String) throws -> Void) throws -> [Entry] {
        // The log is the server's, shared by every test that captures: one at a time, or one test
        // turning it off at its end would cut another's capture short (seen as missing statements).
        sharedLog.lock()
        defer { sharedLog.unlock() }
        guard let settings = try client.query("SELECT @@global.general_log, @@global.log_output").first,
              settings.count == 2 else { throw MariaDBCommandLineClient.Failure(description: "cannot read log settings") }
        let (wasLogging, output) = (settings[0], settings[1])
        if !output.uppercased().contains("TABLE") {
            try client.query("SET GLOBAL log_output = '\(output.uppercased() == "NONE" ? "TABLE" : output + ",TABLE")'")
        }
        if wasLogging != "1" { try client.query("SET GLOBAL general_log = 1") }
        defer {
            if wasLogging != "1" { _ = try? client.query("SET GLOBAL general_log = 0") }
            if !output.uppercased().contains("TABLE") { _ = try? client.query("SET GLOBAL log_output = '\(output)'") }
        }

        let marker = "SET @quickup_sqlsplit_marker = '\(UUID().uuidString)'"
        try body(marker)
        let quotedMarker = "'\(marker.replacingOccurrences(of: "'", with: "''"))'"
        guard let mark = try client.query(
            "SELECT thread_id, event_time FROM mysql.general_log WHERE argument = \(quotedMarker) LIMIT 1").first,
            mark.count == 2 else {
            throw MariaDBCommandLineClient.Failure(description: "the marked connection is not in mysql.general_log")
        }
        // No ORDER BY: rows of the CSV table come back in the order they were written, while
        // event_time could tie. Query and Init DB are the commands that carry statements.
        let rows = try client.query("""
            SELECT command_type, HEX(argument) FROM mysql.general_log
            WHERE thread_id = \(mark[0]) AND event_time >= '\(mark[1])'
              AND command_type IN ('Query', 'Init DB') AND argument <> \(quotedMarker)
            """)
        return try rows.map { row in
            guard row.count == 2, let argument = Data(hexadecimal: row[1]) else {
                throw MariaDBCommandLineClient.Failure(description: "unexpected general_log row \(row)")
            }
            return Entry(command: row[0], argument: String(decoding: argument, as: UTF8.self))
        }
    }
}
