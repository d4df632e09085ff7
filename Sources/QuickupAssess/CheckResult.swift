import Foundation
import QuickupCore

/// The verdict of one check (SPEC §5): PASS, WARN, FAIL, or SKIPPED when it could not apply.
public enum CheckStatus: String, Codable, Sendable, CaseIterable {
    case pass = "PASS"
    case warn = "WARN"
    case fail = "FAIL"
    case skipped = "SKIPPED"

    /// How bad it is: a skipped check neither passes nor fails the assessment.
    var severity: Int {
        switch self {
        case .pass, .skipped: return 0
        case .warn: return 1
        case .fail: return 2
        }
    }

    /// The worst of several statuses (PASS when there are none).
    public static func worst<S: Sequence>(_ statuses: S) -> CheckStatus where S.Element == CheckStatus {
        statuses.reduce(CheckStatus.pass) { $1.severity > $0.severity ? $1 : $0 }
    }
}

/// The four parts of the assessment (A1–A4).
public enum CheckCategory: String, Codable, Sendable, CaseIterable {
    case resources, quality, compatibility, duration

    public var title: String {
        switch self {
        case .resources: return "Resources"
        case .quality: return "Data quality"
        case .compatibility: return "Compatibility"
        case .duration: return "Duration"
        }
    }
}

/// One line of the report: what was checked, the verdict, the numbers and what to do.
public struct CheckResult: Codable, Sendable, Hashable {
    public var category: CheckCategory
    /// Stable identity, e.g. `resources.memory`, `quality.base.orders_no_null_customer`.
    public var id: String
    public var title: String
    public var status: CheckStatus
    /// One line with the figures: "1.2 GiB free, needs ≥ 1.5 GiB".
    public var summary: String
    /// The measured figure and the threshold it was held against, in `unit`.
    public var measured: Double?
    public var threshold: Double?
    /// `percent`, `bytes`, `rows` or `seconds`.
    public var unit: String?
    public var suggestion: String?
    /// The counting SQL of a data-quality rule, as sent.
    public var sql: String?
    public var datasource: String?

    public init(category: CheckCategory, id: String, title: String, status: CheckStatus, summary: String,
                measured: Double? = nil, threshold: Double? = nil, unit: String? = nil, suggestion: String? = nil) {
        self.category = category
        self.id = id
        self.title = title
        self.status = status
        self.summary = summary
        self.measured = measured
        self.threshold = threshold
        self.unit = unit
        self.suggestion = suggestion
    }
}

/// "At least" thresholds of A1: below → FAIL, within `marginPercent` above → WARN, else PASS.
public struct MinimumThreshold: Sendable, Hashable {
    public var minimum: Double
    public var marginPercent: Double

    public init(minimum: Double, marginPercent: Double) {
        self.minimum = minimum
        self.marginPercent = marginPercent
    }

    public func status(of measured: Double) -> CheckStatus {
        if measured < minimum { return .fail }
        if measured < minimum * (1 + marginPercent / 100) { return .warn }
        return .pass
    }
}

extension StringProtocol {
    /// Without leading and trailing white space.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
