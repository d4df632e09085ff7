import Foundation
import QuickupCore
import QuickupData
import QuickupTools

/// Runs one hook point of every component that declares it, outside a run, through the same
/// protocol and sandbox as during a run (T5): the assessment asks `resource_check` what each
/// component needs (A1). One try each: an assessment reports, it does not retry.
public struct HookProbe: Sendable {
    public var releaseRoot: String
    public var environment: Environment
    public var plugins: [PluginProfile]
    public var stateDirectory: String
    public var secrets: SecretResolver
    public var timeout: Duration

    public init(releaseRoot: String, environment: Environment, plugins: [PluginProfile], stateDirectory: String,
                secrets: SecretResolver = SecretResolver(), timeout: Duration = .seconds(60)) {
        self.releaseRoot = releaseRoot
        self.environment = environment
        self.plugins = plugins
        self.stateDirectory = stateDirectory
        self.secrets = secrets
        self.timeout = timeout
    }

    /// Each declaring component's `result` JSON (nil when it printed none), or the error; concurrently.
    public func run(_ point: HookPoint, plan: Plan) async -> [String: Result<String?, QuickupError>] {
        let request = RunRequest(plan: plan, releaseRoot: releaseRoot, environment: environment, stages: [], plugins: plugins)
        // Tool helper files go to a temporary directory: assessing never creates the state directory.
        let scratch = NSTemporaryDirectory() + "quickup-hooks-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let context = RunContext(stateDirectory: scratch, clock: ContinuousClock(), output: RunOutput(console: nil), secrets: secrets)
        let runner = PluginRunner(runID: "assess", request: request, context: context, stage: HookSchedule.of(point).stage)
        let timeout = self.timeout
        let results = await withTaskGroup(of: (String, Result<String?, QuickupError>).self) { group in
            for profile in plugins {
                guard let text = profile.hooks[point] else { continue }
                group.addTask {
                    guard let entry = ToolEntry(text) else {
                        return (profile.component, .failure(QuickupError(.manifestInvalid, "\(profile.component): hook \(point.rawValue) '\(text)' is not a valid entry")))
                    }
                    do {
                        let outcome = try await Deadline(limit: timeout, clock: ContinuousClock()).run(warn: { _, _ in }) {
                            try await runner.run(.hook(point, component: profile.component), entry: entry, attempt: 1, progress: ToolProgress())
                        }
                        return (profile.component, .success(outcome.result))
                    } catch let error as QuickupError {
                        return (profile.component, .failure(error))
                    } catch {
                        return (profile.component, .failure(QuickupError(.timeout, "\(profile.component)/hook.\(point.rawValue) did not answer within \(timeout.short); it was stopped")))
                    }
                }
            }
            var all: [String: Result<String?, QuickupError>] = [:]
            for await (name, result) in group { all[name] = result }
            return all
        }
        await context.launchers.close()
        return results
    }
}
