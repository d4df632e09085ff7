import Foundation
import QuickupCore
import QuickupTestSupport
import Testing

/// K1 + M1: random edit programs over random `.properties` files (the M1 generator's files,
/// dense in Java's corner cases). The JDK judges: `java.util.Properties` loads the original and
/// the edited file; the edited map must be the original map with the program applied, and every
/// line the program does not touch must be byte-identical, in order.
///
/// Reproduce with `CONFIG_EDIT_SEED=<n>`; widen with `CONFIG_EDIT_PROGRAMS=<count>`.
@Suite("Config: properties editor judged by the JDK")
struct PropertiesEditorDifferentialTests {
    static let defaultSeed: UInt64 = 0xC0F1_6E01

    @Test("1,000 random edit programs: Java reads exactly the intended map, untouched lines stay byte for byte")
    func editsMatchJava() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["CONFIG_EDIT_SEED"].flatMap { UInt64($0) } ?? Self.defaultSeed
        let count = environment["CONFIG_EDIT_PROGRAMS"].flatMap { Int($0) } ?? 1_000
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-config-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let oracle = try PropertiesJavaOracle(directory: directory)

        var cases: [Case] = []
        var index = 0
        var refusedDuplicates = 0
        while cases.count < count {
            defer { index += 1 }
            var files = PropertiesFileGenerator(seed: seed, index: index)
            let original = files.file()
            // Files Java cannot load (malformed \u) are not edit targets.
            guard let entries = try? PropertiesReader.parse(bytes: original, file: "t.properties") else { continue }
            var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
            let program = Program.random(existing: entries.map(\.key), rng: &rng)
            let changes = try ConfigChangeParser.parse(program.text, format: .properties, file: "change.txt")
            #expect(changes.count == program.operations.count, "change file: \(program.text)")
            let duplicated = Set(program.operations.map(\.key)).contains { key in
                entries.filter { $0.key.utf8.elementsEqual(key.utf8) }.count > 1
            }
            do {
                let edited = try PropertiesEditor.apply(changes, to: original, file: "t.properties")
                #expect(!duplicated, "a program touching a duplicated key was not refused (#\(index))")
                cases.append(Case(index: index, original: original, edited: edited, program: program, entries: entries))
            } catch {
                #expect(duplicated && error.code == .configChange && error.location?.line != nil, "#\(index): \(error)")
                refusedDuplicates += 1
            }
        }

        // A file's reader has one charset: the edited file is read with the original's, even when
        // an edit removed the only bytes that made it invalid UTF-8.
        let loads = try oracle.load(cases.flatMap { [($0.original, Self.charset($0.original)), ($0.edited, Self.charset($0.original))] })
        var mismatches = 0
        var touchedLines = 0
        for (position, testCase) in cases.enumerated() {
            guard case .loaded(let before) = loads[2 * position], case .loaded(let after) = loads[2 * position + 1] else {
                mismatches += 1
                Issue.record("#\(testCase.index): Java failed to load: \(testCase.describe)")
                continue
            }
            var expected = before
            for operation in testCase.program.operations {
                expected[Array(operation.key.utf8)] = operation.value.map { Array($0.utf8) }
            }
            if after != expected {
                mismatches += 1
                if mismatches <= 5 { Issue.record("#\(testCase.index): Java's map differs from the intended one: \(testCase.describe)") }
            }
            let (preserved, changed) = testCase.untouchedLinesPreserved()
            touchedLines += changed
            if !preserved {
                mismatches += 1
                if mismatches <= 5 { Issue.record("#\(testCase.index): an untouched line changed: \(testCase.describe)") }
            }
        }
        print("properties editor differential: seed \(seed), \(cases.count) programs, \(refusedDuplicates) refused (duplicate key), \(touchedLines) lines changed, \(mismatches) mismatches")
        #expect(mismatches == 0)
    }

    static func charset(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) == nil ? "ISO-8859-1" : "UTF-8"
    }

    struct Operation {
        var key: String
        /// nil: remove.
        var value: String?
    }

    struct Program {
        var operations: [Operation]
        var text: String

        static func random(existing: [String], rng: inout SplitMix64) -> Program {
            var operations: [Operation] = []
            var text = "# generated program\n"
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let key = !existing.isEmpty && Bool.random(using: &rng)
                    ? existing[Int.random(in: 0..<existing.count, using: &rng)] : randomText(&rng, key: true)
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    operations.append(Operation(key: key, value: nil))
                    text += "remove \(quoted(key))\n"
                } else {
                    let value = randomText(&rng, key: false)
                    operations.append(Operation(key: key, value: value))
                    text += "set \(quoted(key)) = \(quoted(value))\n"
                }
            }
            return Program(operations: operations, text: text)
        }

        static func randomText(_ rng: inout SplitMix64, key: Bool) -> String {
            let pieces = ["a", "b", "server.port", "x_1", " ", "  ", "=", ":", "#", "!", "\\", "\t", "\n", "\r", "\u{0C}",
                          "中文", "é", "e\u{301}", "😀", "\u{0}", "\u{7F}", "\u{85}", "\u{2028}", "\u{FEFF}", "\\u0041", "ÿ"]
            var text = ""
            for _ in 0..<Int.random(in: (key ? 1 : 0)...5, using: &rng) {
                text += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
            }
            return text
        }

        /// Plain when the grammar allows it, else a quoted string with escapes.
        static func quoted(_ text: String) -> String {
            let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
            if plain { return text }
            var out = "\""
            for unit in text.utf16 {
                switch unit {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(unit)!)
                default: out += "\\u" + String(format: "%04X", unit)
                }
            }
            return out + "\""
        }
    }

    struct Case {
        var index: Int
        var original: [UInt8]
        var edited: [UInt8]
        var program: Program
        var entries: [PropertiesEntry]

        var describe: String {
            "\nchange file:\n\(program.text)original: \(String(decoding: original, as: UTF8.self).debugDescription)\nedited:   \(String(decoding: edited, as: UTF8.self).debugDescription)"
        }

        /// Lines of entries the program names (from their first line to the next entry's) may
        /// change; every other original line must appear in the edited file, in order, as bytes.
        func untouchedLinesPreserved() -> (Bool, Int) {
            let keys = program.operations.map { Array($0.key.utf8) }
            let starts = entries.map(\.line)
            var touched = Set<Int>()
            let lines = naturalLines(original)
            for (position, entry) in entries.enumerated() where keys.contains(Array(entry.key.utf8)) {
                let next = starts.dropFirst(position + 1).first { $0 > entry.line } ?? Int.max
                var line = entry.line
                // A line holding only a continuation backslash belongs to the entry it continues into.
                while line > 1 && Self.isBareContinuation(lines[line - 2]) { line -= 1 }
                while line < next && line <= naturalLines(original).count { touched.insert(line); line += 1 }
            }
            let before = naturalLines(original)
            let after = naturalLines(edited)
            var cursor = 0
            for (number, line) in before.enumerated() where !touched.contains(number + 1) {
                let isLast = number == before.count - 1
                guard let found = after[cursor...].firstIndex(where: { $0 == line || (isLast && $0.starts(with: line)) }) else {
                    return (false, touched.count)
                }
                cursor = found + 1
            }
            return (true, touched.count)
        }

        /// Blanks then an odd run of backslashes, then the line break.
        static func isBareContinuation(_ line: [UInt8]) -> Bool {
            let content = line.filter { $0 != 0x0A && $0 != 0x0D }.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0C }
            return !content.isEmpty && content.allSatisfy { $0 == 0x5C } && content.count % 2 == 1
        }

        /// Natural lines with their breaks (CR, LF, CRLF), as bytes.
        func naturalLines(_ bytes: [UInt8]) -> [[UInt8]] {
            var lines: [[UInt8]] = []
            var current: [UInt8] = []
            var index = 0
            while index < bytes.count {
                current.append(bytes[index])
                if bytes[index] == 0x0A || (bytes[index] == 0x0D && (index + 1 >= bytes.count || bytes[index + 1] != 0x0A)) {
                    lines.append(current)
                    current = []
                }
                index += 1
            }
            if !current.isEmpty { lines.append(current) }
            return lines
        }
    }
}
