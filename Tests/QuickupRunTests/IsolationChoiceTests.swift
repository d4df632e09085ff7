import Foundation
import QuickupTools
import Synchronization
import Testing
@testable import QuickupRun

/// Issue 20.3: a run finds how to contain tools (T3) when its first tool starts — trying bwrap and
/// setpriv starts two processes — and a run without tools never does; the sweep of a dead run's
/// tools before the first task uses the cgroup mechanism alone.
@Suite("Tool isolation is found when a tool needs it")
struct IsolationChoiceTests {
    /// Counts how often each part is looked up.
    final class Lookups: Sendable {
        let mechanism = Atomic<Int>(0)
        let support = Atomic<Int>(0)

        var choice: IsolationChoice {
            IsolationChoice(mechanism: { [self] in
                mechanism.add(1, ordering: .relaxed)
                return IsolationSupport.machineMechanism
            }, support: { [self] in
                support.add(1, ordering: .relaxed)
                return IsolationSupport.current
            })
        }
    }

    @Test("a run of SQL tasks sweeps with the mechanism and never tries the helper programs")
    func sqlOnly() async throws {
        let fixture = try RunFixture(tasks: [("create", "pre_stop", "CREATE TABLE items(id INTEGER);", ""),
                                             ("fill", "pre_stop", "INSERT INTO items VALUES (1);", "")])
        defer { fixture.remove() }
        let lookups = Lookups()
        let lines = RunFixture.Lines()
        let result = try await fixture.run(clock: ContinuousClock(), lines: lines, isolation: lookups.choice)
        #expect(result.status == .succeeded, "\(lines.all)")
        #expect(lookups.mechanism.load(ordering: .relaxed) >= 1, "the leftover sweep looks at the cgroups' parents")
        #expect(lookups.support.load(ordering: .relaxed) == 0)
    }

    @Test("a run with tools looks the helper programs up once, however many tools start")
    func withTools() async throws {
        let fixture = try RunFixture(
            tasks: [("create", "pre_stop", "CREATE TABLE items(id INTEGER);", "sql.create.order=1")],
            tools: [("first", "pre_stop", "tools/ok.sh", "tool.first.order=2"), ("second", "pre_stop", "tools/ok.sh", "tool.second.order=3")],
            files: ["upgrade/V1.0.1/tools/ok.sh": "#!/bin/sh\necho ok\n"])
        defer { fixture.remove() }
        let lookups = Lookups()
        let lines = RunFixture.Lines()
        let result = try await fixture.run(clock: ContinuousClock(), lines: lines, isolation: lookups.choice)
        #expect(result.status == .succeeded, "\(lines.all)")
        #expect(result.succeeded == 3, "\(lines.all)")
        #expect(lookups.support.load(ordering: .relaxed) == 1)
    }
}
