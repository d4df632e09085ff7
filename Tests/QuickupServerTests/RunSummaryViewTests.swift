import Foundation
import Logging
import NIOCore
import QuickupCore
import QuickupRun
import Testing
@testable import QuickupServer

/// `GET /v1/runs/{id}?view=summary` answered from memory for a run this server runs (H1,
/// issue 17): the same JSON as before, and never older than the run's own journal writes.
@Suite("Run summary view (H1, issue 17)")
struct RunSummaryViewTests {
    private static func api(_ state: String) throws -> QuickupAPI {
        try QuickupAPI(configuration: try ServerConfiguration(listen: "127.0.0.1:0", state: state, tokensFile: nil, releaseStore: nil),
                       tokens: try TokenStore(file: nil), logger: Logger(label: "test"))
    }

    private static func run(_ body: ByteBuffer) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return object ?? [:]
    }

    @Test("an active run's summary: the record's JSON without the plan; its end and its message show at the next poll")
    func summaryFollowsTheRunsOwnWrites() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("qu-summary-api-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let api = try Self.api(state)
        var record = RunRecord(id: "20261203-030000-abcd", release: "rel", from: "V1.0.0", to: "V1.0.1", site: "S1", stage: "all",
                               status: .running, startedAt: 1_000, host: "h", pid: 42)
        record.planJSON = "{\"components\": []}"
        try api.journal.insert(record)
        let (hold, holding) = AsyncStream<Void>.makeStream()
        let id = record.id
        let task = try api.runs.start(id, board: LiveBoard()) {
            for await _ in hold {}
            return RunResult(runID: id, status: .succeeded)
        }

        var summary = record
        summary.planJSON = nil
        // Byte for byte what the route answered before it kept snapshots (docs/API.md).
        #expect(try api.summaryBody(record.id) == JSONBody.encode(QuickupAPI.RunView(run: summary, active: true)))
        #expect(try Self.run(api.summaryBody(record.id))["run"].flatMap { ($0 as? [String: Any])?["planJSON"] } == nil)

        // The run's own write — through the run's own journal, another instance than the
        // server's, as RunOperation opens it: the next poll shows it, with no wait for the age.
        try Journal(stateDirectory: state).finishRun(record.id, status: .succeeded, at: 2_000, message: "done")
        let ended = try Self.run(api.summaryBody(record.id))
        let endedRun = ended["run"] as? [String: Any]
        #expect(endedRun?["status"] as? String == "succeeded", "\(ended)")
        #expect(endedRun?["endedAt"] as? Int == 2_000 && endedRun?["message"] as? String == "done", "\(ended)")
        #expect(ended["active"] as? Bool == true)

        holding.finish()
        _ = await task.value
        while api.runs.isActive(record.id) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(try Self.run(api.summaryBody(record.id))["active"] as? Bool == false)
    }

    @Test("an unknown run: 404 with the journal's wording")
    func unknownRun() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("qu-summary-api-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let api = try Self.api(state)
        #expect(throws: APIError.self) { try api.summaryBody("20261203-030000-0000") }
    }
}
