import Foundation
import QuickupCore

/// One of a run's log files (summary.log, detail.jsonl; E9, E10), appended to under RunOutput's
/// lock. A write that fails — a full disk, an I/O error — is reported once and the file is not
/// written again: the run goes on and the journal keeps its record. Foundation's
/// `FileHandle.write(_:)` traps on any error, so a full disk used to stop quickup in the middle of
/// a task, between its statements and its SUCCESS row.
final class LogFile {
    let path: String
    private var handle: FileHandle?
    /// Lines (writes) dropped since the first failure.
    private(set) var lost = 0

    /// Opens `path` for appending, creating it; nil when it cannot be opened (the run goes on
    /// without that file, as before).
    init?(path: String) {
        self.path = path
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) { return nil }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        do { _ = try handle.seekToEnd() } catch { return nil }
        self.handle = handle
    }

    /// Appends `data`; the first failure returns the message that says so, later ones nothing.
    func append(_ data: Data) -> String? {
        guard let handle else {
            lost += 1
            return nil
        }
        do {
            try handle.write(contentsOf: data)
            return nil
        } catch {
            self.handle = nil
            lost = 1
            try? handle.close() // already failing; the message below is what matters
            return "cannot write \(path): \(Self.reason(error)); this run's log stops here, the journal still records every task (`quickup status`)"
        }
    }

    /// Closes the file; a message when it failed or lines were lost.
    func close() -> String? {
        if let handle {
            self.handle = nil
            do { try handle.close() } catch { return "cannot close \(path): \(Self.reason(error))" }
        }
        return lost > 1 ? "\(lost) writes to \(path) were lost" : nil
    }

    private static func reason(_ error: Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain,
           let text = strerror(Int32(posix.code)) {
            return String(cString: text)
        }
        return error.localizedDescription
    }
}
