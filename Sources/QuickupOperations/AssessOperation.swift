import Foundation
import QuickupAssess
import QuickupCore
import QuickupRelease
import QuickupRemote
import QuickupRun

/// Shared by `assess`, `demo` and `POST /v1/assessments` (A1–A4, H2): the same report, kept under
/// the state directory for `bundle`.
public enum AssessOperation {
    /// `warn` receives what did not stop the assessment (a report that could not be kept).
    public static func run(workspace: Workspace, environment: Environment, plan: Plan, state: String,
                           html: String?, warn: @Sendable (String) -> Void) async throws(QuickupError) -> AssessmentReport {
        let request = AssessmentRequest(plan: plan, release: workspace.release, releaseRoot: workspace.releaseRoot,
                                        environment: environment, stateDirectory: state)
        let hooks = HookProbe(releaseRoot: workspace.releaseRoot, environment: environment, plugins: workspace.plugins, stateDirectory: state)
        // A1 on every host of env.yaml: one probe script per host over its shared status connection.
        let connections = SSHConnections(context: RemoteContext(stateDirectory: state, keepalive: environment.keepalive))
        let report = await Assessor(hostProbes: SSHResourceProbe.probes(for: environment, connections: connections), hooks: hooks).assess(request)
        await connections.closeAll()
        keep(report, in: state, warn: warn)
        if let html {
            do {
                try Data(HTMLRenderer().render(report).utf8).write(to: URL(fileURLWithPath: html))
            } catch {
                throw QuickupError(.io, "cannot write the HTML report to \(html): \(error.localizedDescription)",
                                   hint: "pass --html with a writable path")
            }
        }
        return report
    }

    /// An assessment is kept as JSON under `<state>/assessments/` when the state directory exists
    /// (assess alone never creates one), so `quickup bundle` can ship the reports behind a
    /// support case (L1). Best effort: a read-only state directory only warns.
    public static func keep(_ report: AssessmentReport, in state: String, warn: (String) -> Void) {
        guard FileManager.default.fileExists(atPath: state) else { return }
        let directory = "\(state)/assessments"
        let stamp = report.assessedAt.filter { $0.isNumber || $0 == "T" }
        let file = "\(directory)/assessment-\(stamp)-\(report.from)-\(report.to).json"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try JSONOutput.encode(report).write(to: URL(fileURLWithPath: file))
        } catch {
            warn("assess: warning: the report was not kept in \(directory): \(error.localizedDescription)")
        }
    }
}

/// The JSON every `--json` and every API response is written in: pretty, keys sorted, slashes plain.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
