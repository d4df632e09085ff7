import Foundation
import QuickupCore
import Testing

/// M1: the JDK is the reference. Thousands of random and tricky files are read by
/// `java.util.Properties.load(Reader)` and by `PropertiesReader`; the final maps (last duplicate
/// wins) must be identical, and Java's "Malformed \uxxxx encoding." must be our `.propertiesSyntax`.
///
/// Reproduce or widen a run with environment variables:
/// `PROPERTIES_DIFF_SEED=<n>|random` and `PROPERTIES_DIFF_FILES=<count>`.
@Suite("Properties: differential against the JDK")
struct PropertiesDifferentialTests {
    static let defaultSeed: UInt64 = 0x5EED_0001
    static let defaultFileCount = 10_000

    @Test("random and tricky files read the same as java.util.Properties.load(Reader)")
    func matchesJava() throws {
        let seed = Self.seed()
        let fileCount = Int(ProcessInfo.processInfo.environment["PROPERTIES_DIFF_FILES"] ?? "") ?? Self.defaultFileCount
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quickup-properties-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // Missing JDK must fail, not skip: CI installs it and this test is M1's evidence.
        let oracle = try PropertiesJavaOracle(directory: directory)
        print("properties differential: seed \(seed), \(fileCount) files, \(oracle.javaVersion)")

        var files: [(bytes: [UInt8], charset: String)] = []
        for index in 0..<fileCount {
            var generator = PropertiesFileGenerator(seed: seed, index: index)
            let bytes = generator.file()
            // The documented contract of parse(bytes:): UTF-8 when valid, else ISO-8859-1.
            let charset = String(validating: bytes, as: UTF8.self) == nil ? "ISO-8859-1" : "UTF-8"
            files.append((bytes, charset))
        }
        let javaOutcomes = try oracle.load(files)

        var mismatches = 0
        var errorFiles = 0
        var entryCount = 0
        for (index, file) in files.enumerated() {
            let ours = Self.ourOutcome(file.bytes, path: "generated-\(index).properties")
            switch javaOutcomes[index] {
            case .failed: errorFiles += 1
            case .loaded(let map): entryCount += map.count
            }
            guard !Self.agree(ours, javaOutcomes[index]) else { continue }
            mismatches += 1
            if mismatches <= 5 {
                Issue.record("""
                    mismatch with Java (seed \(seed), file #\(index), charset \(file.charset)); \
                    reproduce with PROPERTIES_DIFF_SEED=\(seed)
                    file bytes as a Swift literal: \(Self.literal(file.bytes))
                    java: \(Self.describe(javaOutcomes[index]))
                    ours: \(Self.describe(ours))
                    """)
            }
        }
        let latin1Files = files.filter { $0.charset != "UTF-8" }.count
        print("properties differential: \(entryCount) entries, \(errorFiles) malformed-\\u files, \(latin1Files) ISO-8859-1 files, \(mismatches) mismatches")
        #expect(mismatches == 0, "\(mismatches) of \(fileCount) files differ from Java (seed \(seed))")
        // Guard against a generator that stopped producing either kind of file.
        if fileCount >= 1_000 {
            #expect(errorFiles > fileCount / 50 && errorFiles < fileCount / 4, "\(errorFiles) malformed-escape files")
        }
    }

    enum OurOutcome {
        case loaded([[UInt8]: [UInt8]])
        case failed(QuickupError)
    }

    static func ourOutcome(_ bytes: [UInt8], path: String) -> OurOutcome {
        do {
            var map: [[UInt8]: [UInt8]] = [:]
            // Byte keys: Swift's String == treats "é" and "e\u{301}" as equal, Java does not.
            for entry in try PropertiesReader.parse(bytes: bytes, file: path) {
                map[Array(entry.key.utf8)] = Array(entry.value.utf8)
            }
            return .loaded(map)
        } catch {
            return .failed(error)
        }
    }

    static func agree(_ ours: OurOutcome, _ java: PropertiesJavaOracle.Outcome) -> Bool {
        switch (ours, java) {
        case let (.loaded(ourMap), .loaded(javaMap)):
            return ourMap == javaMap
        case let (.failed(error), .failed(message)):
            return message == "Malformed \\uxxxx encoding." && error.code == .propertiesSyntax
                && error.location?.file != nil && (error.location?.line ?? 0) >= 1
        default:
            return false
        }
    }

    static func seed() -> UInt64 {
        switch ProcessInfo.processInfo.environment["PROPERTIES_DIFF_SEED"] {
        case "random"?: return UInt64.random(in: 0...UInt64.max)
        case let text?: return UInt64(text) ?? defaultSeed
        case nil: return defaultSeed
        }
    }

    static func describe(_ outcome: OurOutcome) -> String {
        switch outcome {
        case .loaded(let map): return describe(map)
        case .failed(let error): return "error \(error)"
        }
    }

    static func describe(_ outcome: PropertiesJavaOracle.Outcome) -> String {
        switch outcome {
        case .loaded(let map): return describe(map)
        case .failed(let message): return "error \(message)"
        }
    }

    static func describe(_ map: [[UInt8]: [UInt8]]) -> String {
        let pairs = map.map { (String(decoding: $0.key, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) }
        return pairs.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0.debugDescription)=\($0.1.debugDescription)" }.joined(separator: ", ")
    }

    /// Bytes as a `[UInt8]` literal, ready to paste into a hand-written case.
    static func literal(_ bytes: [UInt8]) -> String {
        let text = String(validating: bytes, as: UTF8.self).map { "\($0.debugDescription) = " } ?? ""
        return text + "[" + bytes.map { "0x" + String($0, radix: 16) }.joined(separator: ", ") + "]"
    }
}
