import GRDB
import QuickupCore

/// How the operator goes on from a whole upgrade paused at the manual verification gate (F1), as
/// the front end spells it: the CLI prints complete command lines, the HTTP API its endpoints.
public struct PausedUpgradeWays: Sendable {
    /// Continues the paused upgrade past the gate (`quickup upgrade --resume RUN --verified`).
    public var resume: @Sendable (_ runID: String) -> String
    /// Undoes it (`quickup rollback RUN`).
    public var rollback: @Sendable (_ runID: String) -> String

    public init(resume: @escaping @Sendable (String) -> String, rollback: @escaping @Sendable (String) -> String) {
        self.resume = resume
        self.rollback = rollback
    }

    /// Without the front end's flags (a library caller that sets none).
    public static let plain = PausedUpgradeWays(resume: { "quickup upgrade --resume \($0) --verified" }, rollback: { "quickup rollback \($0)" })
}

/// E6 across the gate's pause (F1, issue 15): an upgrade paused at the manual verification gate
/// holds no lock (its process has exited, and verification may take hours), but the site is
/// half-upgraded: new services run, `post_upgrade` has not. A new upgrade or stage run of the
/// site would change it under the paused one, so it is refused like a lock refusal (exit 4,
/// HTTP 409), naming the paused run and its two ways on. The paused run's own resume, and any
/// rollback, are not refused. A paused upgrade stops counting once a rollback of it succeeded or
/// the gate's "no" recorded it cancelled.
extension SiteLock {
    func refuseIfPaused(runID: String, ways: PausedUpgradeWays) throws(QuickupError) {
        guard let paused = try journal.pausedUpgrade(site: site, other: runID) else { return }
        throw QuickupError(.locked, "site \(site) has upgrade \(paused.id) paused at the manual verification gate (awaiting_verification; started \(Timestamps.text(paused.startedAt))); a new run would change the site under it",
                           hint: "verify its services, then continue it with `\(ways.resume(paused.id))`, or undo it with `\(ways.rollback(paused.id))`")
    }
}

extension Journal {
    /// The latest upgrade of `site` (other than `other`) paused at the verification gate and not
    /// rolled back since.
    func pausedUpgrade(site: String, other: String) throws(QuickupError) -> RunRecord? {
        try read("find an upgrade paused at the verification gate") { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM run AS paused
                WHERE paused.status = ? AND paused.stage LIKE 'upgrade%' AND paused.site = ? AND paused.id <> ?
                  AND NOT EXISTS (SELECT 1 FROM run AS undo WHERE undo.stage = 'rollback' AND undo.parent = paused.id AND undo.status = ?)
                ORDER BY paused.started_at DESC LIMIT 1
                """, arguments: [RunStatus.awaitingVerification.rawValue, site, other, RunStatus.succeeded.rawValue]).map(Self.run)
        }
    }
}
