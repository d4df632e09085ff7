import Foundation
import QuickupCore
import QuickupAssess
import QuickupRun

/// What to upgrade and how (F1): the front ends (CLI, HTTP API) build it from their input.
public struct UpgradeRequest: Sendable {
    public var release: Release
    public var releaseRoot: String
    public var environment: Environment
    public var plan: Plan
    public var plugins: [PluginProfile]
    public var mode: UpgradeStrategy
    /// Skip the manual verification gate and accept assessment warnings (`--yes`).
    public var yes: Bool
    /// The operator verified the upgraded services (`--resume RUN --verified`, or the API's call).
    public var verified: Bool
    /// The run to continue (`--resume RUN`); nil starts a new upgrade.
    public var resume: String?
    /// A new upgrade's id when the front end must know it before it starts (the HTTP API
    /// answers 202 with it, H1); nil makes a new one.
    public var runID: String?
    /// Accept assessment warnings without skipping the gate (the API's `acceptWarnings`).
    public var acceptWarnings = false
    /// The command that resumes this upgrade, as the operator types it (L2).
    public var resumeCommand: @Sendable (_ runID: String) -> String = { "quickup upgrade --resume \($0)" }
    /// The command that rolls it back, as the operator types it (L2).
    public var rollbackCommand: @Sendable (_ runID: String) -> String = { "quickup rollback \($0)" }
    /// How to go on from another upgrade of the site paused at the verification gate, which
    /// refuses this one (E6, F1).
    public var pausedWays = PausedUpgradeWays.plain

    public init(release: Release, releaseRoot: String, environment: Environment, plan: Plan, plugins: [PluginProfile],
                mode: UpgradeStrategy = .auto, yes: Bool = false, verified: Bool = false, resume: String? = nil) {
        self.release = release
        self.releaseRoot = releaseRoot
        self.environment = environment
        self.plan = plan
        self.plugins = plugins
        self.mode = mode
        self.yes = yes
        self.verified = verified
        self.resume = resume
    }
}

/// Everything from outside an upgrade needs: state directory, output, clock, the gate's prompt.
public struct UpgradeContext: Sendable {
    public var stateDirectory: String
    public var output: RunOutput
    /// Output of the task runs inside the upgrade (their own logs under runs/<child id>/).
    public var taskOutput: @Sendable () -> RunOutput
    public var now: @Sendable () -> Int64
    /// Asks the operator at the verification gate on a terminal; nil when there is none.
    public var confirm: (@Sendable (String) async -> Bool)?
    public var crashPoints: CrashPoints
    /// Host probes (A1 over SSH) given to the precheck's assessment; the SSH probe plugs in here.
    public var hostProbes: @Sendable (Environment) -> [any ResourceProbe] = { _ in [] }

    public init(stateDirectory: String, output: RunOutput, taskOutput: @escaping @Sendable () -> RunOutput,
                confirm: (@Sendable (String) async -> Bool)? = nil, crashPoints: CrashPoints = CrashPoints(nil),
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.stateDirectory = RunContext<ContinuousClock>.absolute(stateDirectory)
        self.output = output
        self.taskOutput = taskOutput
        self.confirm = confirm
        self.crashPoints = crashPoints
        self.now = now
    }
}

/// How an upgrade ended, with what a person needs to act on it (L2).
public struct UpgradeResult: Sendable {
    public var runID: String
    public var status: RunStatus
    public var error: QuickupError?
    /// What failed, why, and the two ways on, as printed.
    public var message: String?
    public var outages: [ServiceOutage] = []
    public var stepsDone = 0
    public var stepsSkipped = 0
    /// False when it ended before it began: bad input, or the site locked by another run (E6);
    /// nothing was recorded or printed, so the front end shows `message`.
    public var started = true

    public init(runID: String, status: RunStatus, error: QuickupError? = nil, message: String? = nil, started: Bool = true) {
        self.runID = runID
        self.status = status
        self.error = error
        self.message = message
        self.started = started
    }
}
