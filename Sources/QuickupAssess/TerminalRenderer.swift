import QuickupCore

/// The assessment as an operator reads it in a terminal: the outage first, then each check with
/// its numbers and suggestion. Colours only when asked (the CLI asks when stdout is a TTY).
public struct TerminalRenderer: Sendable {
    public var colour: Bool

    public init(colour: Bool) { self.colour = colour }

    public func render(_ report: AssessmentReport) -> String {
        var out: [String] = []
        let site = report.site.map { ", site \($0)" } ?? ""
        out.append(bold("Assessment: \(report.release), \(report.from) → \(report.to)\(site)"))
        out.append(bold("Estimated outage: \(report.duration.outageText(Self.span))") + " (in_stop)"
                   + " · whole upgrade \(Self.span(report.totalSeconds)) · \(report.compatibility.verdict)")
        let counts = CheckStatus.allCases.map { "\(report.count($0)) \($0.rawValue.lowercased())" }.joined(separator: ", ")
        out.append("Result: \(paint(report.status)) — \(counts) (assessed in \(TimeSpan(milliseconds: report.elapsedMilliseconds)))")
        for category in CheckCategory.allCases {
            let checks = report.checks(category)
            out.append("")
            out.append(bold(category.title))
            if category == .quality && checks.isEmpty { out.append("  no rule applies to \(report.from) → \(report.to)") }
            for check in checks {
                out.append("  \(paint(check.status))\(pad(check.status)) \(check.title): \(check.summary)")
                if let suggestion = check.suggestion { out.append("         → \(suggestion)") }
                if let sql = check.sql, check.status == .fail || check.status == .warn { out.append(dim("         sql: \(sql)")) }
            }
            if category == .compatibility {
                for task in report.compatibility.tasks {
                    let why = task.compatibility == .needsConfirmation
                        ? "no compatible_version: needs manual confirmation" : "needs \(task.compatibleVersion ?? "?") or later"
                    out.append("         \(task.component) \(task.version) \(task.uid) (\(task.stage)) — \(task.description) (\(why))")
                }
            }
            if category == .duration { out += durationTable(report.duration) }
        }
        if !report.log.isEmpty {
            out.append("")
            out.append(bold("Log"))
            out += report.log.map { "  \($0)" }
        }
        return out.joined(separator: "\n")
    }

    func durationTable(_ duration: DurationSummary) -> [String] {
        guard !duration.stages.isEmpty else { return ["  no task to run"] }
        var table = TextTable(headers: ["STAGE", "TASK", "ESTIMATE", "FROM", "BASIS"])
        for stage in duration.stages {
            for task in stage.tasks {
                table.add([stage.stage.rawValue, "\(task.component) \(task.uid)",
                           (task.seconds.map(Self.span) ?? "-") + (task.flagged ? " !" : ""),
                           task.source ?? "-", task.basis])
            }
            let rule = stage.combine == .max ? "side by side → longest" : "one after another → sum"
            // Tasks without an estimate are unknown, not 0 (issue 14 item 4).
            let unknown = stage.unestimated > 0 ? (stage.seconds > 0 ? " + " : "") + "unknown for \(stage.unestimated)" : ""
            table.add(["", "= \(stage.stage) total (\(rule))", (stage.seconds > 0 || unknown.isEmpty ? Self.span(stage.seconds) : "") + unknown, "", ""])
        }
        if let backup = duration.backup {
            table.add(["backup", backup.inOutageSeconds > 0 ? "before the first change (in the outage)" : "before the stop (not in the outage)",
                       backup.seconds.map(Self.span) ?? "-", backup.bytesPerSecond == nil ? "-" : "journal", backup.basis])
        }
        return [""] + table.render().split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }
    }

    static func span(_ seconds: Double) -> String { HumanDuration.compact(seconds) }

    private func pad(_ status: CheckStatus) -> String {
        String(repeating: " ", count: max(0, 7 - status.rawValue.count))
    }

    func paint(_ status: CheckStatus) -> String {
        guard colour else { return status.rawValue }
        let code: String
        switch status {
        case .pass: code = "32"
        case .warn: code = "33"
        case .fail: code = "31;1"
        case .skipped: code = "90"
        }
        return "\u{1B}[\(code)m\(status.rawValue)\u{1B}[0m"
    }

    private func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    private func dim(_ text: String) -> String { colour ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}
