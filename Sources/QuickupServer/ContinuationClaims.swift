import Foundation
import QuickupCore
import QuickupRun
import Synchronization

/// One continuation of an upgrade at a time in this server (F1, E6; issue 15). The site lock
/// cannot tell two continuations apart here: both resume the same run id in the same process,
/// which the lock takes for one holder. So the first `continue` (or resume) claims the run until
/// its work ends; a second one meanwhile is answered 409 naming the first — never a 202 that
/// hides a refusal.
final class ContinuationClaims: Sendable {
    private let claims = Mutex<[String: Int64]>([:])

    /// A claim on run `id`, given back with `release()` (or when the work it started ends).
    final class Claim: Sendable {
        private let id: String
        private let owner: ContinuationClaims
        private let released = Atomic<Bool>(false)

        fileprivate init(id: String, owner: ContinuationClaims) {
            self.id = id
            self.owner = owner
        }

        func release() {
            guard !released.exchange(true, ordering: .relaxed) else { return }
            _ = owner.claims.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// Claims `id`, or answers 409 naming who continues it (the site lock's holder when known).
    func claim(_ id: String, journal: Journal) throws -> Claim {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let since = claims.withLock { claims -> Int64? in
            if let since = claims[id] { return since }
            claims[id] = now
            return nil
        }
        guard let since else { return Claim(id: id, owner: self) }
        let holder = try journal.lockHolders().first { $0.runID == id }
        let who = holder.map { "run \($0.runID) on host \($0.host), pid \($0.pid), holds the site lock since \(Timestamps.text($0.startedAt))" }
            ?? "its continuation is starting"
        throw APIError(.conflict, QuickupError.Code.locked.rawValue,
                       "upgrade \(id) is already being continued by another request to this server (accepted \(Timestamps.text(since))): \(who)",
                       hint: "only one continuation runs; `GET /v1/runs/\(id)` shows where it is and `GET /v1/runs/\(id)/events` follows it")
    }
}
