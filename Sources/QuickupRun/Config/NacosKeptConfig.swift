import Foundation
import QuickupCore
import QuickupRemote

/// The Nacos content a config task replaced (K3), kept in the state directory's backup area:
/// `<state>/backups/config/nacos/<task>/` with `previous` (the content) and `saved` (`present`
/// or `absent`, written last: a crash while keeping leaves nothing half-kept). Kept once per
/// task, so a task run again never keeps its own result; the rollback marks it `restored`.
struct NacosKeptConfig: Sendable {
    let directory: String

    init(stateDirectory: String, taskKey: String) {
        directory = "\(stateDirectory)/backups/config/nacos/\(RemoteStep.safe(taskKey))"
    }

    struct Saved: Sendable, Equatable {
        /// nil: the configuration did not exist.
        var content: String?
    }

    func load() throws(QuickupError) -> Saved? {
        guard let marker = FileManager.default.contents(atPath: "\(directory)/saved") else { return nil }
        guard String(decoding: marker, as: UTF8.self) == "present" else { return Saved(content: nil) }
        guard let data = FileManager.default.contents(atPath: "\(directory)/previous") else {
            throw QuickupError(.io, "the kept Nacos content \(directory)/previous is missing although \(directory)/saved says it was kept",
                               hint: "restore it from the Nacos console's history, or remove \(directory) to keep the current content afresh")
        }
        return Saved(content: String(decoding: data, as: UTF8.self))
    }

    func save(_ content: String?) throws(QuickupError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if let content { try Data(content.utf8).write(to: URL(fileURLWithPath: "\(directory)/previous"), options: .atomic) }
            try Data((content == nil ? "absent" : "present").utf8).write(to: URL(fileURLWithPath: "\(directory)/saved"), options: .atomic)
        } catch {
            throw QuickupError(.io, "cannot keep the current Nacos content in \(directory): \(error)", hint: "check that the state directory is writable")
        }
    }

    /// After the rollback put it back: the next upgrade keeps the content afresh.
    func markRestored() throws(QuickupError) {
        let saved = "\(directory)/saved", restored = "\(directory)/restored"
        do {
            try? FileManager.default.removeItem(atPath: restored)
            try FileManager.default.moveItem(atPath: saved, toPath: restored)
        } catch {
            throw QuickupError(.io, "cannot mark \(saved) restored: \(error)", hint: "check that the state directory is writable")
        }
    }
}
