import Testing
@testable import QuickupCore

@Suite("Versions (V1–V4)")
struct VersionTests {
    @Test("V1: the grammar's examples parse", arguments: [
        ("V2.16.7", Version(2, 16, 7)), ("2.16.7", Version(2, 16, 7)), ("v2.16.7", Version(2, 16, 7)),
        ("V2.16.7-P1", Version(2, 16, 7, p: 1)), ("V2.16.7-P1-T1", Version(2, 16, 7, p: 1, t: 1)),
        ("V2.16.7-T3", Version(2, 16, 7, t: 3)), ("V0.0.0", Version(0, 0, 0)), ("V10.200.3000-P40-T5", Version(10, 200, 3000, p: 40, t: 5)),
    ])
    func parses(text: String, expected: Version) throws {
        let version = try Version(parsing: text)
        #expect(version == expected)
        #expect(version.major == expected.major && version.minor == expected.minor && version.patch == expected.patch)
        #expect(version.p == expected.p && version.t == expected.t)
    }

    @Test("V1: canonical text keeps P and T and adds V")
    func description() throws {
        #expect(try Version(parsing: "2.16.7-P1-T1").description == "V2.16.7-P1-T1")
        #expect(try Version(parsing: "v3.0.1").description == "V3.0.1")
    }

    @Test("V2: the spec's chain is strictly increasing")
    func order() throws {
        let chain = try ["V2.16.7", "V2.16.7-P1", "V2.16.7-P1-T1", "V2.16.7-P2", "V2.16.8"].map { try Version(parsing: $0) }
        for (a, b) in zip(chain, chain.dropFirst()) {
            #expect(a < b, "\(a) < \(b)")
            #expect(!(b < a))
        }
        #expect(try Version(parsing: "V2.16.10") > Version(parsing: "V2.16.9"))
        #expect(try Version(parsing: "V2.9.0") < Version(parsing: "V2.10.0"))
        #expect(try Version(parsing: "V10.0.0") > Version(parsing: "V9.99.99"))
        #expect(try Version(parsing: "V2.16.7-T1") < Version(parsing: "V2.16.7-P1"))
        #expect(try Version(parsing: "V2.16.7-P1-T9") < Version(parsing: "V2.16.7-P2"))
        #expect(try Version(parsing: "V2.16.7-P10") > Version(parsing: "V2.16.7-P9"))
    }

    @Test("V2: absent P/T count as zero, with equal hashes")
    func absentIsZero() throws {
        let plain = try Version(parsing: "V2.16.7"), zero = try Version(parsing: "V2.16.7-P0-T0")
        #expect(plain == zero)
        #expect(Set([plain, zero]).count == 1)
        #expect(!(plain < zero) && !(zero < plain))
    }

    @Test("V2: sorting a shuffled list gives numeric order")
    func sorting() throws {
        let texts = ["V2.16.10", "V2.16.7-P1", "V2.16.9", "V2.16.7", "V2.16.7-P1-T1", "V1.99.99", "V2.16.7-P2"]
        let sorted = try texts.map { try Version(parsing: $0) }.sorted().map(\.description)
        #expect(sorted == ["V1.99.99", "V2.16.7", "V2.16.7-P1", "V2.16.7-P1-T1", "V2.16.7-P2", "V2.16.9", "V2.16.10"])
    }

    @Test("V3: everything else is rejected, naming the text and origin", arguments: [
        "", "V", "2", "2.16", "V2.16", "2.16.7.1", "V2.16.7-", "V2.16.7-P", "V2.16.7-P1-", "V2.16.7-T1-P1",
        "V2.16.7-p1", "V2.16.7-P1-t1", "V2.16.7-X1", "+2.16.7", "-2.16.7", "V-2.16.7", "V2.-16.7", " V2.16.7",
        "V2.16.7 ", "VV2.16.7", "V2..7", "V2.16.7-P1-T1-T2", "V2.16.7-P-1", "２.16.7", "V2.16.7a", "V1e3.0.0",
        "V2.16.7_P1", "V9999999999.0.0", "V2.16.0x1",
    ])
    func rejects(text: String) {
        let origin = SourceLocation(file: "upgrade_tasks_V2.16.7.properties", line: 12, key: "sql.a.compatible_version")
        #expect(Version.parse(text) == nil)
        do {
            _ = try Version(parsing: text, origin: origin)
            Issue.record("accepted '\(text)'")
        } catch {
            #expect(error.code == .invalidVersion)
            #expect(error.description.contains("invalid version format: '\(text)'"))
            #expect(error.description.hasPrefix("upgrade_tasks_V2.16.7.properties:12: sql.a.compatible_version: "))
        }
    }

    @Test("V4: ranges are inclusive and may be open")
    func ranges() throws {
        let range = try VersionRange(parsing: "V2.15.0~V2.16.7")
        #expect(range.contains(try Version(parsing: "V2.15.0")))
        #expect(range.contains(try Version(parsing: "V2.16.7")))
        #expect(range.contains(try Version(parsing: "V2.16.0-P3")))
        #expect(!range.contains(try Version(parsing: "V2.16.7-P1")))
        #expect(!range.contains(try Version(parsing: "V2.14.99")))
        let upTo = try VersionRange(parsing: "~2.16.9")
        #expect(upTo.contains(try Version(parsing: "V0.0.1")))
        #expect(upTo.contains(try Version(parsing: "V2.16.9")))
        #expect(!upTo.contains(try Version(parsing: "V2.16.10")))
        let from = try VersionRange(parsing: "V2.16.0~")
        #expect(from.contains(try Version(parsing: "V99.0.0")))
        #expect(!from.contains(try Version(parsing: "V2.15.9")))
        let any = try VersionRange(parsing: "~")
        #expect(any.contains(try Version(parsing: "V1.0.0")))
    }

    @Test("V4: malformed ranges are rejected", arguments: ["V2.16.7", "V2.16.7~V2.16.8~V2.17.0", "V2.17.0~V2.16.0", "V2.x~", "~bad"])
    func badRanges(text: String) {
        #expect(throws: QuickupError.self) { try VersionRange(parsing: text) }
    }
}
