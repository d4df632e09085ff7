import Foundation
import QuickupCore
import QuickupData
import Synchronization

/// The next SQL task's statements, read and split while the datasource runs the current one
/// (issue 20.3). Between two round trips a task's own file used to be opened, read and split on
/// the run's critical path; now that happens in the attempt's `meanwhile`, when quickup would
/// otherwise wait for the server.
///
/// Only what reading the file at its usual moment would give is kept: a script that cannot be
/// read or split is left to be read again when its task comes, so its error is raised at the
/// same point and in the same words as before. A task retried, skipped or never reached simply
/// leaves the slot unused; the slot holds one script, of at most `maxBytes`, so a large data
/// script is never held twice.
final class ScriptPrefetch: Sendable {
    static let maxBytes = 1 << 20
    private let runner: TaskRunner
    private let slot = Mutex<(key: String, statements: [SQLStatement])?>(nil)

    init(runner: TaskRunner) {
        self.runner = runner
    }

    /// Reads `task`'s script into the slot unless it holds it already or it is too large; its
    /// statements when the slot holds them.
    @discardableResult
    func load(_ task: UpgradeTask, type: DatasourceType?) -> [SQLStatement]? {
        guard task.kind == .sql || task.kind == .redis, let file = task.file else { return nil }
        if let held = slot.withLock({ $0 }), held.key == task.key { return held.statements }
        var status = stat()
        guard stat(runner.path(of: task, file: file), &status) == 0, status.st_size <= Self.maxBytes,
              let statements = try? runner.statements(of: task, type: type) else { return nil }
        slot.withLock { $0 = (task.key, statements) }
        return statements
    }

    /// The statements of `task` read ahead, once; nil when they were not.
    func take(_ task: UpgradeTask) -> [SQLStatement]? {
        slot.withLock { held in
            guard let loaded = held, loaded.key == task.key else { return nil }
            held = nil
            return loaded.statements
        }
    }
}
