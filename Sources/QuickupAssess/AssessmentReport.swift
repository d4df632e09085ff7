import QuickupCore

/// The result of `quickup assess` (A1–A4): every check, the figures behind them, and the verdict.
/// Encoded as is for `--json` (schema in docs/ASSESSMENT.md); the renderers read it too.
public struct AssessmentReport: Codable, Sendable {
    public var schema = "quickup-assessment/1"
    public var release: String
    public var from: String
    public var to: String
    public var site: String?
    /// The worst check: FAIL, WARN or PASS.
    public var status: CheckStatus
    /// ISO 8601 UTC.
    public var assessedAt: String
    public var elapsedMilliseconds: Int64
    public var outageSeconds: Double
    public var totalSeconds: Double
    public var checks: [CheckResult]
    public var hosts: [HostResources]
    public var datasources: [DatasourceFootprint]
    public var needs: ResourceNeeds
    public var compatibility: CompatibilitySummary
    public var duration: DurationSummary
    /// What was skipped or noticed on the way, for the operator and the record.
    public var log: [String]

    public func checks(_ category: CheckCategory) -> [CheckResult] { checks.filter { $0.category == category } }

    public func count(_ status: CheckStatus) -> Int { checks.filter { $0.status == status }.count }

    /// SPEC §5/§13: 0 all pass, 3 warnings only, 1 any failure.
    public var exitCode: Int32 {
        switch status {
        case .fail: return 1
        case .warn: return 3
        case .pass, .skipped: return 0
        }
    }
}
