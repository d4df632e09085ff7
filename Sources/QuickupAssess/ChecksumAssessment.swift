import Foundation
import QuickupCore
import QuickupData
import QuickupRun

/// M7 in `assess` (issue 13 item 5): an applied task whose file changed since is reported before
/// the upgrade, where `run` would refuse to start. Reads upgrade_log (never creates it) and the
/// journal of the state directory.
enum ChecksumAssessment {
    static func check(_ request: AssessmentRequest, connector: @escaping DatasourceConnector) async -> CheckResult {
        var journalState: [String: AttemptRecord] = [:]
        if FileManager.default.fileExists(atPath: "\(request.stateDirectory)/journal.sqlite"),
           let journal = try? Journal(stateDirectory: request.stateDirectory) {
            journalState = (try? journal.latestAttempts()) ?? [:]
        }
        let environment = request.environment
        let latest: ChecksumDrift.LatestLog = { (name: String, _: String) async throws(QuickupError) -> [String: UpgradeLogEntry]? in
            guard let config = environment.datasource(named: name) else { return nil }
            let connection = try await connector(config)
            guard let store = connection as? any UpgradeLogStore else {
                await connection.close()
                return nil
            }
            // No upgrade_log yet (nothing was applied there): nothing to compare.
            let entries = (try? await store.latestEntries()) ?? [:]
            await connection.close()
            return entries
        }
        let title = "Applied tasks unchanged since they ran (M7)"
        do throws(QuickupError) {
            let changes = try await ChecksumDrift.changes(in: request.plan, journalState: journalState, latest: latest)
            guard !changes.isEmpty else {
                return CheckResult(category: .compatibility, id: "compatibility.checksums", title: title, status: .pass,
                                   summary: "no applied task of the plan has a changed file")
            }
            let error = ChecksumDrift.error(changes)
            return CheckResult(category: .compatibility, id: "compatibility.checksums", title: title, status: .fail,
                               summary: error.message.replacingOccurrences(of: "; nothing was run", with: ": quickup run will refuse to start"),
                               measured: Double(changes.count), suggestion: error.hint)
        } catch {
            return CheckResult(category: .compatibility, id: "compatibility.checksums", title: title, status: .skipped,
                               summary: "cannot read what was applied: \(error.message)", suggestion: error.hint)
        }
    }
}
