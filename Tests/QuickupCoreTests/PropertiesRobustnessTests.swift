import QuickupTestSupport
import QuickupCore
import Testing

/// M1: whatever bytes a release contains, the reader returns entries or a `.propertiesSyntax`
/// error — it never crashes, hangs, or reports a line that is not in the file.
@Suite("Properties: robustness on random input")
struct PropertiesRobustnessTests {
    /// Bytes that steer the parser into its corners, plus UTF-8 pieces and invalid bytes.
    static let significantBytes: [[UInt8]] = [
        [0x5C], [0x5C], [0x5C], [0x0D], [0x0A], [0x0D, 0x0A], [0x20], [0x09], [0x0C], [0x3D], [0x3A],
        [0x23], [0x21], [0x75], [0x30], [0x41], [0x66], [0x44, 0x38], [0x44, 0x43],
        [0xE4, 0xB8, 0xAD], [0xF0, 0x9F, 0x98, 0x80], [0xEF, 0xBB, 0xBF], [0xFF], [0xC3], [0x80], [0x00],
    ]

    @Test("random bytes and random grammar soup: entries or a located error, never a crash",
          .timeLimit(.minutes(10)))
    func randomInput() {
        var rng = SplitMix64(seed: 0xF022_0001)
        for round in 0..<20_000 {
            var bytes: [UInt8] = []
            let length = Int.random(in: 0...400, using: &rng)
            if round.isMultiple(of: 2) {
                for _ in 0..<length { bytes.append(UInt8.random(in: 0...255, using: &rng)) }
            } else {
                for _ in 0..<length {
                    bytes += Self.significantBytes[Int.random(in: 0..<Self.significantBytes.count, using: &rng)]
                }
            }
            checkInvariants(bytes, round: round)
        }
    }

    @Test("pathological shapes stay linear: long backslash runs, endless continuations, one huge line",
          .timeLimit(.minutes(10)))
    func pathologicalInput() throws {
        let size = 1 << 20
        // Linear means a sixteenth of the input takes about a sixteenth of the time: each shape is
        // compared with itself at 1/16 size by the thread's own CPU time, so other processes'
        // load does not enter (a wall-clock limit fails on a loaded machine, issue 13 item 10).
        // Linear work takes 16 times as long, quadratic 256 times; 64 sits between.
        func shapes(_ size: Int) -> [(String, [UInt8])] {
            [
                ("backslashes", Array(repeating: 0x5C, count: size)),
                ("odd backslash + LF", Array(repeating: [0x5C, 0x0A] as [UInt8], count: size / 2).flatMap { $0 }),
                ("continuations of text", Array(repeating: Array("k\\\n   ".utf8), count: size / 6).flatMap { $0 }),
                ("one long value", Array("k=".utf8) + Array(repeating: 0x61, count: size)),
                ("escaped unicode", Array("k=".utf8) + Array(repeating: Array("\\u4E2D".utf8), count: size / 6).flatMap { $0 }),
                ("comment lines", Array(repeating: Array("#\\\n".utf8), count: size / 3).flatMap { $0 }),
                ("blank CRs", Array(repeating: 0x0D, count: size)),
            ]
        }
        for ((name, bytes), (_, part)) in zip(shapes(size), shapes(size / 16)) {
            var full = Duration.seconds(3_600), small = Duration.seconds(3_600)
            for _ in 0..<2 {
                small = min(small, ThreadCPUTime.fastest(of: 2) { checkInvariants(part, round: -1) })
                full = min(full, ThreadCPUTime.fastest { checkInvariants(bytes, round: -1) })
            }
            #expect(full < small * 64, "\(name): \(small) for 1/16, \(full) for all")
        }
        // A value built from 174,762 continued lines is one entry on line 1.
        let joined = try PropertiesReader.parse(bytes: Array(repeating: Array("k\\\n   ".utf8), count: size / 6).flatMap { $0 }, file: "f")
        #expect(joined.count == 1)
        #expect(joined.first?.line == 1)
        #expect(joined.first?.key.utf8.count == size / 6)
    }

    /// Entries come in file order with lines inside the file; errors are located syntax errors;
    /// and the text API agrees with the bytes API on UTF-8.
    private func checkInvariants(_ bytes: [UInt8], round: Int) {
        let lineCount = Self.physicalLineCount(bytes)
        do {
            let entries = try PropertiesReader.parse(bytes: bytes, file: "fuzz.properties")
            var previousLine = 1
            for entry in entries {
                #expect(entry.line >= previousLine && entry.line <= lineCount, "round \(round): \(entry)")
                previousLine = entry.line
            }
            if let text = String(validating: bytes, as: UTF8.self) {
                #expect(try PropertiesReader.parse(text, file: "fuzz.properties") == entries, "round \(round)")
            }
        } catch {
            #expect(error.code == .propertiesSyntax, "round \(round): \(error)")
            #expect(error.location?.file == "fuzz.properties")
            let line = error.location?.line ?? 0
            #expect(line >= 1 && line <= lineCount, "round \(round): \(error)")
        }
    }

    /// Lines as an editor counts them: CR, LF and CRLF each end one.
    static func physicalLineCount(_ bytes: [UInt8]) -> Int {
        var count = 1
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0D || (byte == 0x0A && (index == 0 || bytes[index - 1] != 0x0D)) { count += 1 }
        }
        return count
    }
}
