/// A lint report as SARIF 2.1.0 (OASIS), the format CI systems read to show findings inline on
/// the changed lines (N1). Only the parts quickup fills are modelled; encode with a JSONEncoder.
public struct SARIFLog: Encodable, Sendable {
    enum CodingKeys: String, CodingKey {
        case schema = "$schema", version, runs
    }

    let schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    let version = "2.1.0"
    let runs: [Run]

    public init(_ report: LintReport, toolVersion: String = QuickupInfo.version) {
        let rules = LintRule.allCases
        let descriptors = rules.map { rule in
            Rule(id: rule.rawValue, name: Self.camelName(rule.rawValue), shortDescription: Message(text: rule.summary),
                 help: Message(text: "See \(rule.documentationAnchor) for a bad and a good example."),
                 defaultConfiguration: Configuration(level: Self.level(rule.severity)))
        }
        let results = report.findings.map { finding in
            Result(ruleId: finding.rule.rawValue, ruleIndex: rules.firstIndex(of: finding.rule) ?? 0,
                   level: Self.level(finding.severity),
                   message: Message(text: "\(finding.what) — \(finding.why) — \(finding.fix)"),
                   locations: [Location(physicalLocation: PhysicalLocation(
                       artifactLocation: ArtifactLocation(uri: Self.uri(finding.file)),
                       region: Region(startLine: max(finding.line, 1), startColumn: max(finding.column, 1))))])
        }
        runs = [Run(tool: Tool(driver: Driver(name: "quickup", version: toolVersion, rules: descriptors)), results: results)]
    }

    static func level(_ severity: LintSeverity) -> String { severity == .error ? "error" : "warning" }

    /// `delimiter-in-statement` → `DelimiterInStatement` (SARIF's rule `name` is an identifier).
    static func camelName(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A URI reference for a path: relative paths stay relative (to where quickup ran, which is
    /// what CI systems expect), absolute ones become `file://`; bytes outside the unreserved set
    /// and `/` are percent-encoded.
    static func uri(_ path: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/".utf8)
        var encoded = ""
        for byte in path.utf8 {
            if unreserved.contains(byte) {
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }

    struct Run: Encodable, Sendable {
        let tool: Tool
        let columnKind = "unicodeCodePoints"
        let results: [Result]
        enum CodingKeys: String, CodingKey { case tool, columnKind, results }
    }

    struct Tool: Encodable, Sendable { let driver: Driver }

    struct Driver: Encodable, Sendable {
        let name: String
        let version: String
        let rules: [Rule]
    }

    struct Rule: Encodable, Sendable {
        let id: String
        let name: String
        let shortDescription: Message
        let help: Message
        let defaultConfiguration: Configuration
    }

    struct Configuration: Encodable, Sendable { let level: String }
    struct Message: Encodable, Sendable { let text: String }

    struct Result: Encodable, Sendable {
        let ruleId: String
        let ruleIndex: Int
        let level: String
        let message: Message
        let locations: [Location]
    }

    struct Location: Encodable, Sendable { let physicalLocation: PhysicalLocation }

    struct PhysicalLocation: Encodable, Sendable {
        let artifactLocation: ArtifactLocation
        let region: Region
    }

    struct ArtifactLocation: Encodable, Sendable { let uri: String }

    struct Region: Encodable, Sendable {
        let startLine: Int
        let startColumn: Int
    }
}
