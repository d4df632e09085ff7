import Foundation
import QuickupTestSupport

/// The JDK as the reference for `.properties` (SPEC M1): a small Java program, compiled on the fly,
/// loads many files with `Properties.load(Reader)` in one JVM and reports each file's result.
struct PropertiesJavaOracle {
    /// What Java made of one file.
    enum Outcome: Equatable {
        /// Final map, keys and values as UTF-8 bytes so no Swift normalisation blurs a difference.
        case loaded([[UInt8]: [UInt8]])
        /// `load` threw IllegalArgumentException (malformed `\uxxxx`); the message.
        case failed(String)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let directory: URL
    let javaVersion: String
    private let java: URL

    /// Compiles the oracle into `directory`; throws if no JDK is found or `javac` fails.
    init(directory: URL) throws {
        guard let javac = Self.jdkTool("javac"), let java = Self.jdkTool("java") else {
            throw Failure(description: """
                javac/java not found (looked in $JAVA_HOME/bin and $PATH). The differential test of \
                SPEC M1 needs JDK 17: install it (e.g. apt-get install openjdk-17-jdk-headless).
                """)
        }
        self.directory = directory
        self.java = java
        let source = directory.appendingPathComponent("PropertiesOracle.java")
        try Self.javaSource.write(to: source, atomically: true, encoding: .utf8)
        try Self.run(javac, ["-d", directory.path, source.path])
        javaVersion = try Self.run(java, ["-version"]).split(separator: "\n").first.map(String.init) ?? "?"
    }

    /// Loads every file, decoding it as Java's reader would: `charset` is "UTF-8" or "ISO-8859-1".
    /// The files travel as one blob plus offsets: creating thousands of small files costs far
    /// more than the parsing, and Java's reader sees the same bytes either way.
    func load(_ files: [(bytes: [UInt8], charset: String)]) throws -> [Outcome] {
        let blob = directory.appendingPathComponent("files.bin")
        let jobs = directory.appendingPathComponent("jobs.txt")
        let results = directory.appendingPathComponent("results.txt")
        var offset = 0
        var jobLines = ""
        for file in files {
            jobLines += "\(file.charset)\t\(offset)\t\(file.bytes.count)\n"
            offset += file.bytes.count
        }
        try Data(files.flatMap(\.bytes)).write(to: blob)
        try jobLines.write(to: jobs, atomically: true, encoding: .utf8)
        try Self.run(java, ["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", directory.path,
                            "PropertiesOracle", blob.path, jobs.path, results.path])
        let outcomes = try Self.parseResults(String(contentsOf: results, encoding: .utf8))
        guard outcomes.count == files.count else {
            throw Failure(description: "oracle returned \(outcomes.count) results for \(files.count) files")
        }
        return outcomes
    }

    /// Output format: `OK <n>` then n lines `E <key> <value>` (UTF-16 units, 4 hex digits each),
    /// or `ERROR <message>`.
    private static func parseResults(_ text: String) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        var current: [[UInt8]: [UInt8]]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("E ") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: false)
                guard fields.count == 3, current != nil, let key = utf8(hex: fields[1]),
                      let value = utf8(hex: fields[2]) else {
                    throw Failure(description: "bad oracle line: \(line)")
                }
                current?[key] = value
                continue
            }
            if let map = current { outcomes.append(.loaded(map)) }
            current = nil
            if line.hasPrefix("OK ") {
                current = [:]
            } else if line.hasPrefix("ERROR ") {
                outcomes.append(.failed(String(line.dropFirst(6))))
            } else {
                throw Failure(description: "bad oracle line: \(line)")
            }
        }
        if let map = current { outcomes.append(.loaded(map)) }
        return outcomes
    }

    /// UTF-16 hex to UTF-8; an unpaired surrogate becomes U+FFFD, as PropertiesReader documents.
    private static func utf8(hex: Substring) -> [UInt8]? {
        guard hex.utf8.count % 4 == 0 else { return nil }
        var units: [UInt16] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 4)
            guard let unit = UInt16(hex[index..<next], radix: 16) else { return nil }
            units.append(unit)
            index = next
        }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    private static func jdkTool(_ name: String) -> URL? {
        var directories: [String] = []
        if let home = ProcessInfo.processInfo.environment["JAVA_HOME"], !home.isEmpty {
            directories.append(home + "/bin")
        }
        directories += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return directories.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs a tool to completion; its combined output, or a Failure carrying it.
    @discardableResult
    private static func run(_ tool: URL, _ arguments: [String]) throws -> String {
        let process = try ChildProcess.start([tool.path] + arguments, combined: true)
        let status = process.wait().status
        let output = process.stdout
        guard status == 0 else {
            throw Failure(description: "\(tool.path) \(arguments.joined(separator: " ")) failed:\n\(output)")
        }
        return output
    }

    static let javaSource = """
        import java.io.*;
        import java.nio.charset.Charset;
        import java.nio.charset.StandardCharsets;
        import java.nio.file.*;
        import java.util.*;

        /**
         * Loads each file of args[0] (a blob) listed in args[1] as "charset<TAB>offset<TAB>length"
         * with Properties.load(Reader), and writes one result per file to args[2].
         */
        public class PropertiesOracle {
            public static void main(String[] args) throws IOException {
                byte[] blob = Files.readAllBytes(Paths.get(args[0]));
                List<String> jobs = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
                try (Writer out = Files.newBufferedWriter(Paths.get(args[2]), StandardCharsets.UTF_8)) {
                    for (String job : jobs) {
                        String[] fields = job.split("\\t");
                        Charset charset = Charset.forName(fields[0]);
                        InputStream bytes = new ByteArrayInputStream(
                            blob, Integer.parseInt(fields[1]), Integer.parseInt(fields[2]));
                        Properties properties = new Properties();
                        try (Reader reader = new InputStreamReader(bytes, charset)) {
                            properties.load(reader);
                        } catch (IllegalArgumentException e) {
                            out.write("ERROR " + e.getMessage() + "\\n");
                            continue;
                        }
                        out.write("OK " + properties.size() + "\\n");
                        for (String key : properties.stringPropertyNames()) {
                            out.write("E " + hex(key) + " " + hex(properties.getProperty(key)) + "\\n");
                        }
                    }
                }
            }

        /** UTF-16 code units, four hex digits each: unambiguous, and keeps lone surrogates. */
            static String hex(String text) {
                final char[] digits = "0123456789abcdef".toCharArray();
                StringBuilder builder = new StringBuilder(text.length() * 4);
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    builder.append(digits[c >> 12]).append(digits[(c >> 8) & 15])
                           .append(digits[(c >> 4) & 15]).append(digits[c & 15]);
                }
                return builder.toString();
            }
        }
        """
}
