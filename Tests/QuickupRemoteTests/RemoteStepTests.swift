import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRemote

/// S1: remote step markers — a step interrupted by a drop runs exactly once.
@Suite(.serialized) struct RemoteStepTests {
    @Test("S1: a step runs detached, its output and exit status are collected; run again, its result is taken, not rerun")
    func runsOnceAndRemembers() async throws {
        try await RemoteFixture.with { fixture in
            let counter = "\(fixture.state.path)/count"
            let steps = RemoteSteps(connection: fixture.connection(.plugin), poll: TimeSpan(milliseconds: 50))
            let step = RemoteStep(runID: "run-1", stepID: "install/gps", command: "echo x >> \(ShellQuoting.quote(counter)); echo out; echo err >&2; exit 4")
            let first = try await steps.run(step)
            #expect(first == RemoteStepOutcome(exitCode: 4, stdout: "out\n", stderr: "err\n", startedByThisCall: true))
            let second = try await steps.run(step)
            #expect(second.exitCode == 4)
            #expect(second.startedByThisCall == false)
            #expect(try String(contentsOfFile: counter, encoding: .utf8) == "x\n")
            // Another run id is another step.
            _ = try await steps.run(RemoteStep(runID: "run-2", stepID: "install/gps", command: step.command))
            #expect(try String(contentsOfFile: counter, encoding: .utf8) == "x\nx\n")
        }
    }

    @Test("S1/issue 15: launch, end and a follow-up in one round trip — the follow-up reads the step's marker, runs only after exit 0, and again (not the step) on a second call")
    func followUpInOneTrip() async throws {
        try await RemoteFixture.with { fixture in
            let counter = "\(fixture.state.path)/count"
            let steps = RemoteSteps(connection: fixture.connection(.control), poll: TimeSpan(milliseconds: 50))
            let followUp = "echo \"after: $(cat \"$d/stdout\")\"\n"
            let step = RemoteStep(runID: "run-1", stepID: "start.h1.app", command: "echo x >> \(ShellQuoting.quote(counter)); echo started 42 1000; echo note >&2")
            let first = try await steps.run(step, then: followUp)
            #expect(first.outcome == RemoteStepOutcome(exitCode: 0, stdout: "started 42 1000\n", stderr: "note\n", startedByThisCall: true))
            #expect(first.followUp == "after: started 42 1000\n")
            let second = try await steps.run(step, then: followUp)
            #expect(!second.outcome.startedByThisCall && second.followUp == "after: started 42 1000\n")
            #expect(try String(contentsOfFile: counter, encoding: .utf8) == "x\n", "the step ran once")
            let failing = try await steps.run(RemoteStep(runID: "run-1", stepID: "fails", command: "echo no; exit 3"), then: "echo must-not-run\n")
            #expect(failing.outcome.exitCode == 3 && failing.outcome.stdout == "no\n" && failing.followUp == nil)
        }
    }

    @Test("S1: a step whose process vanished without an exit status is reported, not rerun")
    func lostStep() async throws {
        try await RemoteFixture.with { fixture in
            let step = RemoteStep(runID: "run-1", stepID: "lost", command: "true")
            let directory = step.markerDirectory(on: fixture.host)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "999999\n".write(toFile: "\(directory)/pid", atomically: true, encoding: .utf8) // no such process
            let error = await #expect(throws: QuickupError.self) { _ = try await RemoteSteps(connection: fixture.connection(.plugin)).run(step) }
            #expect(error?.code == .remoteStepLost)
            #expect(error?.hint?.contains(directory) == true)
        }
    }

    @Test("S1: a step interrupted by a dropped link runs exactly once; quickup reconnects and takes its result")
    func exactlyOnceAcrossDrop() async throws {
        try await RemoteFixture.with(isolated: true) { fixture in
            let counter = "\(fixture.state.path)/count"
            let connection = fixture.connection(.plugin)
            let steps = RemoteSteps(connection: connection, poll: TimeSpan(milliseconds: 50))
            let step = RemoteStep(runID: "run-7", stepID: "migrate", command: "echo started >> \(ShellQuoting.quote(counter)); sleep 4; echo finished")
            fixture.onSleep.value = { count in if count == 2 { try? fixture.server.restoreLink() } }
            let outcome = try await withThrowingTaskGroup(of: RemoteStepOutcome?.self) { group in
                group.addTask { try await steps.run(step) }
                group.addTask {
                    // Cut the link while the step runs on the host.
                    while !FileManager.default.fileExists(atPath: counter) { try await Task.sleep(for: .milliseconds(20)) }
                    try fixture.server.cutLink()
                    return nil
                }
                var result: RemoteStepOutcome?
                for try await value in group { if let value { result = value } }
                return result
            }
            #expect(outcome?.exitCode == 0)
            #expect(outcome?.stdout == "finished\n")
            #expect(connection.reconnects == 1, "the drop happened and was recovered from")
            #expect(try String(contentsOfFile: counter, encoding: .utf8) == "started\n", "the step's side effect happened once")
        }
    }

    @Test("S1: a step whose launch was cut off by a drop is started after the reconnect — once")
    func startedAfterDrop() async throws {
        try await RemoteFixture.with(isolated: true) { fixture in
            let counter = "\(fixture.state.path)/count"
            let connection = fixture.connection(.plugin)
            try await connection.connect()
            try fixture.server.cutLink()
            fixture.onSleep.value = { count in if count == 2 { try? fixture.server.restoreLink() } }
            let step = RemoteStep(runID: "run-8", stepID: "late", command: "echo once >> \(ShellQuoting.quote(counter))")
            let outcome = try await RemoteSteps(connection: connection, poll: TimeSpan(milliseconds: 50)).run(step)
            #expect(outcome.succeeded)
            #expect(outcome.startedByThisCall, "the marker was missing, so this call started it")
            #expect(connection.reconnects == 1)
            #expect(try String(contentsOfFile: counter, encoding: .utf8) == "once\n")
        }
    }
}
