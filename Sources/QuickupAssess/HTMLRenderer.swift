import QuickupCore

/// The assessment as one self-contained HTML page (inline CSS, no scripts, no external assets)
/// for a customer's manager: the verdict and the outage first, what needs attention next, the
/// details after. Everything taken from the report is escaped.
public struct HTMLRenderer: Sendable {
    public init() {}

    public func render(_ report: AssessmentReport) -> String {
        var body: [String] = []
        let site = report.site.map { " · site \(escape($0))" } ?? ""
        body.append("<header><p class=\"eyebrow\">Upgrade assessment</p>")
        body.append("<h1>\(escape(report.release))</h1>")
        body.append("<p class=\"sub\">\(escape(report.from)) → \(escape(report.to))\(site) · assessed \(escape(report.assessedAt))</p></header>")
        body.append(verdict(report))
        body.append(figures(report))
        body.append(attention(report))
        body.append(durationSection(report.duration, checks: checksTable(report.checks(.duration))))
        for category in [CheckCategory.quality, .resources, .compatibility] {
            body.append(section(category, report: report))
        }
        if !report.log.isEmpty {
            body.append("<section><h2>Notes</h2><ul class=\"log\">" + report.log.map { "<li>\(escape($0))</li>" }.joined() + "</ul></section>")
        }
        body.append("<footer>Produced by quickup assess in \(escape(HumanDuration.text(Double(report.elapsedMilliseconds) / 1000))). "
                    + "Outage = the in_stop tasks one after another; estimates come from declared volumes and rates, volumes measured now, or past runs.</footer>")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Upgrade assessment — \(escape(report.release)) \(escape(report.from)) → \(escape(report.to))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <main>
            \(body.joined(separator: "\n"))
            </main>
            </body>
            </html>
            """
    }

    private func verdict(_ report: AssessmentReport) -> String {
        let fails = report.count(.fail), warns = report.count(.warn)
        let (title, text): (String, String)
        switch report.status {
        case .fail:
            title = "Not ready to upgrade"
            text = "\(fails) check\(fails == 1 ? "" : "s") failed and must be fixed before the upgrade"
                + (warns > 0 ? "; \(warns) more need\(warns == 1 ? "s" : "") a look." : ".")
        case .warn:
            title = "Ready, after review"
            text = "Nothing blocks the upgrade, but \(warns) point\(warns == 1 ? " needs" : "s need") a person to confirm."
        case .pass, .skipped:
            title = "Ready to upgrade"
            text = "Every check passed."
        }
        return "<section class=\"verdict \(report.status.rawValue.lowercased())\" id=\"verdict\"><span class=\"badge\">\(report.status.rawValue)</span>"
            + "<div><h2>\(title)</h2><p>\(escape(text))</p></div></section>"
    }

    private func figures(_ report: AssessmentReport) -> String {
        let mode: String
        switch report.compatibility.mode {
        case .rolling: mode = "Rolling (no outage needed)"
        case .stopTheWorld: mode = "Stop-the-world"
        case .nothingToDo: mode = "Nothing to do"
        }
        let counts = "\(report.count(.pass)) passed · \(report.count(.warn)) warnings · \(report.count(.fail)) failed"
            + (report.count(.skipped) > 0 ? " · \(report.count(.skipped)) skipped" : "")
        return """
            <section class="figures">
            <div class="figure outage" id="outage"><p class="label">Expected outage</p><p class="value">\(escape(report.duration.outageText(HumanDuration.text)))</p><p class="note">services stopped while the in_stop tasks run</p></div>
            <div class="figure"><p class="label">Whole upgrade</p><p class="value small">\(escape(HumanDuration.text(report.totalSeconds)))</p><p class="note">all four stages</p></div>
            <div class="figure"><p class="label">Upgrade mode</p><p class="value small">\(escape(mode))</p><p class="note">\(escape(modeNote(report.compatibility)))</p></div>
            <div class="figure"><p class="label">Checks</p><p class="value small">\(report.checks.count)</p><p class="note">\(escape(counts))</p></div>
            </section>
            """
    }

    private func modeNote(_ compatibility: CompatibilitySummary) -> String {
        let n = compatibility.tasks.count
        switch compatibility.mode {
        case .rolling: return "every task is compatible with the running version"
        case .nothingToDo: return "no task applies"
        case .stopTheWorld: return "\(n) task\(n == 1 ? " needs" : "s need") the services stopped (see Compatibility)"
        }
    }

    private func attention(_ report: AssessmentReport) -> String {
        let items = report.checks.filter { $0.status == .fail } + report.checks.filter { $0.status == .warn }
        guard !items.isEmpty else { return "" }
        let rows = items.map { check in
            "<li class=\"\(check.status.rawValue.lowercased())\"><span class=\"pill \(check.status.rawValue.lowercased())\">\(check.status.rawValue)</span> "
                + "<strong>\(escape(check.title))</strong> — \(escape(check.summary))"
                + (check.suggestion.map { "<br><span class=\"todo\">What to do: \(escape($0))</span>" } ?? "") + "</li>"
        }
        return "<section id=\"attention\"><h2>Needs attention</h2><ul class=\"attention\">\(rows.joined())</ul></section>"
    }

    private func durationSection(_ duration: DurationSummary, checks: String) -> String {
        var rows: [String] = []
        for stage in duration.stages {
            let rule = stage.combine == .max ? "tasks run side by side: the longest counts" : "tasks run one after another: they add up"
            rows.append("<tr class=\"stage\"><th colspan=\"3\">\(escape(stage.stage.rawValue))\(stage.stage == .inStop ? " (outage)" : "") "
                        + "<span class=\"muted\">— \(rule)</span></th><th class=\"num\">\(escape(HumanDuration.text(stage.seconds)))</th></tr>")
            for task in stage.tasks {
                let estimate = task.seconds.map { HumanDuration.text($0) } ?? "—"
                rows.append("<tr\(task.flagged ? " class=\"flagged\"" : "")><td>\(escape(task.component))</td><td>\(escape(task.description))"
                            + "<br><span class=\"muted\">\(escape(task.uid))</span></td><td class=\"muted\">\(escape(task.basis))</td>"
                            + "<td class=\"num\">\(escape(estimate))\(task.flagged ? " ⚠" : "")</td></tr>")
            }
        }
        if let backup = duration.backup {
            // F3/A4: the backups before the first change, in the whole upgrade's time.
            let when = backup.inOutageSeconds > 0 ? "before the first change (in the outage)" : "before the stop (not in the outage)"
            rows.append("<tr class=\"stage\"><th colspan=\"3\">backup <span class=\"muted\">— \(escape(when)); \(escape(backup.basis))</span></th>"
                        + "<th class=\"num\">\(escape(backup.seconds.map { HumanDuration.text($0) } ?? "unknown"))</th></tr>")
        }
        rows.append("<tr class=\"total\"><th colspan=\"3\">Whole upgrade</th><th class=\"num\">\(escape(HumanDuration.text(duration.totalSeconds)))</th></tr>")
        return "<section id=\"duration\"><h2>How long it takes</h2><table><thead><tr><th>Component</th><th>Task</th><th>Estimate based on</th>"
            + "<th class=\"num\">Time</th></tr></thead><tbody>\(rows.joined())</tbody></table>\(checks)</section>"
    }

    private func section(_ category: CheckCategory, report: AssessmentReport) -> String {
        let checks = report.checks(category)
        var html = "<section id=\"\(category.rawValue)\"><h2>\(escape(category.title))</h2>"
        html += checks.isEmpty ? "<p class=\"muted\">No check of this kind applies to this upgrade.</p>" : checksTable(checks)
        if category == .compatibility, !report.compatibility.tasks.isEmpty {
            html += "<h3>Tasks that need the services stopped</h3><table><thead><tr><th>Component</th><th>Task</th><th>Why</th></tr></thead><tbody>"
            for task in report.compatibility.tasks {
                let why = task.compatibility == .needsConfirmation ? "not annotated: needs manual confirmation"
                    : "needs \(task.compatibleVersion ?? "?") or later running"
                html += "<tr><td>\(escape(task.component)) \(escape(task.version))</td><td>\(escape(task.description))<br><span class=\"muted\">\(escape(task.uid))</span></td><td>\(escape(why))</td></tr>"
            }
            html += "</tbody></table>"
        }
        return html + "</section>"
    }

    private func checksTable(_ checks: [CheckResult]) -> String {
        guard !checks.isEmpty else { return "" }
        var html = "<table class=\"checks\"><thead><tr><th>Result</th><th>Check</th><th>Finding</th></tr></thead><tbody>"
        for check in checks {
            let status = check.status.rawValue
            html += "<tr><td><span class=\"pill \(status.lowercased())\">\(status)</span></td><td>\(escape(check.title))</td><td>\(escape(check.summary))"
                + (check.suggestion.map { "<br><span class=\"todo\">What to do: \(escape($0))</span>" } ?? "") + "</td></tr>"
        }
        return html + "</tbody></table>"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    private func escape(_ text: String) -> String { Self.escape(text) }

    static let style = """
        :root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--pass:#1f7a3d;--warn:#a35f00;--fail:#b42318;--skip:#7b8794}
        *{box-sizing:border-box}body{margin:0;background:#f5f7fa;color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
        main{max-width:1040px;margin:0 auto;padding:32px 24px 48px}
        header h1{margin:0;font-size:28px}.eyebrow{margin:0;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);font-size:12px}
        .sub{margin:4px 0 20px;color:var(--muted)}
        .verdict{display:flex;gap:16px;align-items:center;padding:18px 22px;border-radius:10px;color:#fff;margin-bottom:18px}
        .verdict h2{margin:0;font-size:22px}.verdict p{margin:2px 0 0}
        .verdict.pass{background:var(--pass)}.verdict.warn{background:var(--warn)}.verdict.fail{background:var(--fail)}.verdict.skipped{background:var(--skip)}
        .badge{font-weight:700;border:2px solid #fff;border-radius:6px;padding:4px 10px;letter-spacing:.05em}
        .figures{display:grid;grid-template-columns:2fr 1fr 1fr 1fr;gap:12px;margin-bottom:18px}
        .figure{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px}
        .figure .label{margin:0;color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.05em}
        .figure .value{margin:4px 0;font-size:40px;font-weight:700;line-height:1.1}.figure .value.small{font-size:20px}
        .figure .note{margin:0;color:var(--muted);font-size:13px}.figure.outage{border:2px solid var(--ink)}
        section{margin-bottom:22px}section h2{font-size:19px;margin:0 0 8px}table.checks{margin-top:10px}h3{font-size:16px;margin:14px 0 6px}
        table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:8px;overflow:hidden}
        th,td{text-align:left;vertical-align:top;padding:8px 10px;border-bottom:1px solid var(--line)}
        thead th{background:#eef1f5;font-size:13px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        .num{text-align:right;white-space:nowrap}.muted{color:var(--muted);font-size:13px;font-weight:400}
        tr.stage th{background:#f8fafc}tr.total th{background:#eef1f5;font-size:16px}tr.flagged td{background:#fff8eb}
        .pill{display:inline-block;min-width:64px;text-align:center;border-radius:999px;padding:1px 8px;font-size:12px;font-weight:700;color:#fff}
        .pill.pass{background:var(--pass)}.pill.warn{background:var(--warn)}.pill.fail{background:var(--fail)}.pill.skipped{background:var(--skip)}
        .attention{list-style:none;margin:0;padding:0}.attention li{background:#fff;border:1px solid var(--line);border-left:4px solid var(--warn);border-radius:6px;padding:10px 12px;margin-bottom:8px}
        .attention li.fail{border-left-color:var(--fail)}.todo{color:var(--muted);font-size:13px}
        .log{color:var(--muted);font-size:13px}footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:12px}
        @media (max-width:720px){.figures{grid-template-columns:1fr 1fr}}
        @media print{body{background:#fff}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
        """
}

/// Durations in words for people: "8 min 32 s", "1 h 5 min", "under 1 s".
public enum HumanDuration {
    /// `8m32s`, `450ms`, and `0s` rather than `0ms` for nothing at all: for terminals.
    public static func compact(_ seconds: Double) -> String {
        seconds == 0 ? "0s" : TimeSpan(seconds: seconds).description
    }

    public static func text(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0.5 else { return seconds > 0 ? "under 1 s" : "0 s" }
        let total = Int64(seconds.rounded())
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        if h > 0 { return m > 0 ? "\(h) h \(m) min" : "\(h) h" }
        if m > 0 { return s > 0 ? "\(m) min \(s) s" : "\(m) min" }
        return "\(s) s"
    }
}
