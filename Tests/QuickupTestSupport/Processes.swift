import Foundation

/// Whether any process whose command line contains `marker` still runs.
public func processesRunning(containing marker: String) -> [pid_t] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { entry in
        guard let pid = pid_t(entry), pid != getpid(),
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
        let text = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        guard text.contains(marker), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              !stat.contains(") Z ") else { return nil }
        return pid
    }
}
