import Foundation

/// Run ids sort by time and are unique: `20261125-154312-3f9a`.
public enum RunIdentifier {
    public static func make(now: Date = Date()) -> String {
        // By hand, in UTC: a DateFormatter with a time zone loaded ICU's data, ~10 ms of a run's
        // start (issue 20.3).
        var seconds = time_t(now.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))-\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))"
            + "-\(String(repeating: "0", count: 4 - suffix.count))\(suffix)"
    }
}

extension Duration {
    /// `2m30s`, `850ms`: the summary log's form.
    var short: String {
        let ms = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        if ms < 1000 { return "\(ms)ms" }
        let s = ms / 1000
        if s < 60 { return String(format: "%.1fs", Double(ms) / 1000) }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
    }

    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
