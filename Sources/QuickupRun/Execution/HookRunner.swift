import Foundation
import QuickupCore
import QuickupTools

/// Runs the components' hooks of one moment of a stage (T5) through the tool protocol, with each
/// component's class limits and failure policy (T3, T4). Hooks are not in upgrade_log: they run
/// every time their stage runs, so they must be idempotent (docs/TOOLS.md); the journal's events
/// and the run's logs record them.
struct HookRunner<C: Clock>: Sendable where C.Duration == Duration {
    let runID: String
    let request: RunRequest
    let journal: Journal
    let context: RunContext<C>
    let timeout: TimeSpan

    /// Runs every hook due; returns how many failed past their policy, or throws the stopping error.
    func run(_ stage: Stage, _ moment: HookSchedule.Moment, components: [String]) async throws(QuickupError) -> Int {
        var continued = 0
        for point in HookSchedule.points(stage, moment) {
            for component in components {
                let profile = request.plugin(component)
                guard let text = profile.hooks[point] else { continue }
                guard let entry = ToolEntry(text) else {
                    throw QuickupError(.manifestInvalid, "\(component): hook \(point.rawValue) '\(text)' is not a valid entry")
                }
                if request.dryRun {
                    context.output.line("[DRY-RUN] hook \(component)/\(point.rawValue): \(text)")
                    continue
                }
                do {
                    try await runWithPolicy(point, component: component, entry: entry, stage: stage, policy: profile.failurePolicy)
                } catch {
                    guard error.code != .cancelled, error.code != .toolNotStarted, profile.failurePolicy.action != .stop else {
                        var stopped = error
                        stopped.hint = [error.hint, "the \(profile.pluginClass.rawValue) failure policy stopped the run at hook \(point.rawValue); fix the cause and `\(request.resumeCommand(runID))`, or roll back"]
                            .compactMap { $0 }.joined(separator: "; ")
                        throw stopped
                    }
                    continued += 1
                    context.output.line("[\(profile.failurePolicy.action == .skip ? "SKIPPED" : "IGNORED")] hook \(component)/\(point.rawValue) failed; its \(profile.pluginClass.rawValue) failure policy lets the run continue")
                }
            }
        }
        return continued
    }

    private func runWithPolicy(_ point: HookPoint, component: String, entry: ToolEntry, stage: Stage,
                               policy: FailurePolicy) async throws(QuickupError) {
        let name = "\(component)/hook.\(point.rawValue)"
        let plugins = PluginRunner(runID: runID, request: request, context: context, stage: stage, journal: journal)
        var tries = 0
        while true {
            tries += 1
            let start = context.clock.now
            event(name, level: "info", kind: "hook_started", "\(name) try \(tries) of \(policy.tries)")
            do throws(QuickupError) {
                let deadline = Deadline(limit: .milliseconds(timeout.milliseconds), clock: context.clock)
                let attempt = tries
                let outcome = try await runWithin(deadline, name: name) { () async throws(QuickupError) -> ToolOutcome in
                    try await plugins.run(.hook(point, component: component), entry: entry, attempt: attempt, progress: ToolProgress())
                }
                let elapsed = start.duration(to: context.clock.now)
                context.output.line("[SUCCESS] hook \(name) (\(elapsed.short))")
                event(name, level: "info", kind: "hook_succeeded", outcome.result.map { "result: \($0)" } ?? "succeeded")
                return
            } catch {
                let elapsed = start.duration(to: context.clock.now)
                context.output.line("[FAILED] hook \(name) (\(elapsed.short)): \(error.message)")
                event(name, level: "error", kind: "hook_failed", error.description)
                guard !RetryPolicy.neverRetried.contains(error.code), tries < policy.tries else { throw error }
                let interval = Duration.milliseconds(policy.interval.milliseconds)
                context.output.line("[RETRY] hook \(name) in \(interval.short) (try \(tries + 1) of \(policy.tries))")
                do { try await context.clock.sleep(for: interval) } catch {
                    throw QuickupError(.cancelled, "the run was cancelled while waiting to retry \(name)")
                }
            }
        }
    }

    private func runWithin(_ deadline: Deadline<C>, name: String,
                           _ work: @escaping @Sendable () async throws(QuickupError) -> ToolOutcome) async throws(QuickupError) -> ToolOutcome {
        do {
            return try await deadline.run(warn: { [context] fraction, elapsed in
                context.output.line("[WARN] \(name) has used \(Int(fraction * 100)) % of its \(timeout) timeout (\(elapsed.short) elapsed)")
            }) { try await work() }
        } catch let error as QuickupError {
            throw error
        } catch is Deadline<C>.TimedOut {
            throw QuickupError(.timeout, "\(name): plugin timeout — configured \(timeout); its process group was killed. At that moment: \(ResourceSnapshot.take())",
                               hint: "make the hook faster or idempotent and quick; hooks share the tool timeout")
        } catch {
            throw QuickupError(.cancelled, "\(name) was cancelled")
        }
    }

    private func event(_ name: String, level: String, kind: String, _ message: String) {
        context.recordWrites.attempt("the \(kind) event of \(name) in the journal") { () throws(QuickupError) in
            try journal.append(EventRecord(runID: runID, at: context.now(), level: level, kind: kind, taskKey: name, message: message))
        }
        context.output.record(["run": runID, "level": level, "event": kind, "hook": name, "message": message])
    }
}
