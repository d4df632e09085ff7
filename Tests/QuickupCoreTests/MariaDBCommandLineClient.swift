import QuickupTestSupport
import Foundation

/// Runs the real `mariadb` command-line client against a test server. Its options come from the
/// server's option file (`--defaults-extra-file`), so no password is ever in the arguments.
struct MariaDBCommandLineClient {
    let server: TestServers.MariaDB

    struct Run {
        var status: Int32
        var output: Data
        var errors: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `mariadb` with `arguments` and `input` on its standard input. Output goes through
    /// files, not pipes, so a chatty client can never block on a full pipe.
    func run(_ arguments: [String], input: Data = Data()) throws -> Run {
        guard let defaultsFile = server.defaultsFile else {
            throw Failure(description: "QUICKUP_TEST_MARIADB_DEFAULTS is not set: the client needs the server's option file")
        }
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent("quickup-mariadb-\(UUID().uuidString)")
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? files.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("stdin")
        try input.write(to: inputFile)
        // --defaults-extra-file must come first.
        let process = try ChildProcess.run(["/usr/bin/env", "mariadb", "--defaults-extra-file=\(defaultsFile)"] + arguments,
                                           input: .file(inputFile.path))
        if process.status == 127 && process.stderr.contains("mariadb") {
            throw Failure(description: "the mariadb client is not installed (apt-get install mariadb-client)")
        }
        return Run(status: process.status, output: process.stdoutData, errors: process.stderr)
    }

    /// The rows of `sql`, columns split at tabs. Select `HEX(…)` for values that may hold tabs,
    /// newlines or backslashes: batch mode escapes those.
    @discardableResult
    func query(_ sql: String, database: String? = nil) throws -> [[String]] {
        let run = try run(["--batch", "--skip-column-names", "--execute=\(sql)"] + (database.map { [$0] } ?? []))
        guard run.status == 0 else {
            throw Failure(description: "mariadb failed (\(run.status)) on \(sql): \(run.errors)")
        }
        return String(decoding: run.output, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }
}

extension Data {
    /// Bytes from the hexadecimal text MariaDB's `HEX()` returns.
    init?(hexadecimal text: String) {
        var bytes = [UInt8]()
        var characters = text.utf8.makeIterator()
        while let high = characters.next() {
            guard let low = characters.next(), let byte = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        self.init(bytes)
    }
}
