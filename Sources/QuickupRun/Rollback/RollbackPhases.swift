import QuickupCore

/// The phases of `quickup rollback` (F4, robustness doc §4.3.1–4.3.2), in the order of the
/// decision tree: stop the new services → restore configuration → restore the database (undo
/// scripts, then restore tables) → restore program files → start the old services → verify.
/// An upgrade that changed nothing (it stopped in precheck, backup or transfer) gets only the
/// light clean-up. The host phases are values other parts plug in (`HostRollbackPhase`); a slot
/// without one is listed as not provided, so `--dry-run` shows the whole tree.
public enum RollbackSlot: String, Sendable, CaseIterable, Codable {
    case lightCleanup = "light-cleanup"
    case stopNewServices = "stop-new-services"
    case restoreConfiguration = "restore-configuration"
    case undoScripts = "undo-scripts"
    case restoreTables = "restore-tables"
    case restoreProgramFiles = "restore-program-files"
    case startOldServices = "start-old-services"
    case verify

    /// Slots filled by the hosts part of quickup (the upgrade flow, configuration tasks).
    public var isHostSlot: Bool { [.stopNewServices, .restoreConfiguration, .restoreProgramFiles, .startOldServices].contains(self) }
}

/// What a plugged phase is given when it runs: where to write, which rollback runs it, and the
/// id of the first rollback of the series it resumes (stable across kills, so steps that must
/// happen once — a service start — can be remote steps keyed by it), and its crash points.
public struct HostRollbackStep: Sendable {
    public var output: RunOutput
    /// This rollback's run id.
    public var rollbackID: String
    /// The first rollback of this upgrade not yet finished (this one when it is the first).
    public var series: String
    /// `QUICKUP_CRASH_AT=<phase>@<item>`: called after each item (host) is done.
    public var checkpoint: @Sendable (_ item: String) -> Void

    public init(output: RunOutput, rollbackID: String, series: String, checkpoint: @escaping @Sendable (_ item: String) -> Void = { _ in }) {
        self.output = output
        self.rollbackID = rollbackID
        self.series = series
        self.checkpoint = checkpoint
    }
}

/// A phase on the hosts or a check, given by the part of quickup that changed them (the upgrade
/// flow's services and program files) or knows how to check them (the quality rules, A2). It
/// must be resumable: `run` is called again after a kill during it, and must finish what is left.
public struct HostRollbackPhase: Sendable {
    public var slot: RollbackSlot
    public var title: String
    /// Whether the upgrade changed anything this phase undoes (decides full vs light rollback).
    public var hasWork: @Sendable () async throws(QuickupError) -> Bool
    /// Every action it would take, for `--dry-run`.
    public var actions: @Sendable () async throws(QuickupError) -> [String]
    public var run: @Sendable (_ step: HostRollbackStep) async throws(QuickupError) -> Void

    public init(slot: RollbackSlot, title: String, hasWork: @escaping @Sendable () async throws(QuickupError) -> Bool,
                actions: @escaping @Sendable () async throws(QuickupError) -> [String],
                run: @escaping @Sendable (_ step: HostRollbackStep) async throws(QuickupError) -> Void) {
        self.slot = slot
        self.title = title
        self.hasWork = hasWork
        self.actions = actions
        self.run = run
    }
}

public enum RollbackPhases {
    /// The decision tree of §4.3.2: nothing changed → light clean-up; otherwise every slot in order.
    public static func decide(dataChanged: Bool, hostsChanged: Bool) -> [RollbackSlot] {
        guard dataChanged || hostsChanged else { return [.lightCleanup] }
        return [.stopNewServices, .restoreConfiguration, .undoScripts, .restoreTables, .restoreProgramFiles, .startOldServices, .verify]
    }

    public static func title(_ slot: RollbackSlot) -> String {
        switch slot {
        case .lightCleanup: return "light clean-up (nothing was changed: no data or host phase is needed)"
        case .stopNewServices: return "stop the new services"
        case .restoreConfiguration: return "restore configuration (kept files put back, Nacos republished)"
        case .undoScripts: return "undo scripts in reverse (.rollback of each applied SQL task)"
        case .restoreTables: return "restore backed-up tables and keys"
        case .restoreProgramFiles: return "restore program files (switch back to the old release)"
        case .startOldServices: return "start the old services"
        case .verify: return "verify (restored data against the backups' checksums, services' health and version, data-quality rules)"
        }
    }
}
