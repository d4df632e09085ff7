import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupTools

/// CommandProcess: the plain child process behind ssh, sftp and sha256sum (S1, S2).
@Suite struct CommandProcessTests {
    @Test("stdin in, stdout and the stderr tail out, a non-zero exit is a result")
    func roundTrip() async throws {
        let result = try await CommandProcess.run(["sh", "-c", "cat; echo oops >&2; exit 7"], input: Data("hello\n".utf8))
        #expect(result.status == 7)
        #expect(result.stdoutText == "hello\n")
        #expect(result.stderr == "oops\n")
        #expect(!result.truncated)
    }

    @Test("stdout beyond the cap is cut and marked, stderr keeps its last 8 KiB")
    func limits() async throws {
        let result = try await CommandProcess.run(["sh", "-c", "head -c 100000 /dev/zero; head -c 20000 /dev/zero | tr '\\0' e >&2; echo END >&2"],
                                                  stdoutLimit: 1000)
        #expect(result.stdout.count == 1000)
        #expect(result.truncated)
        #expect(result.stderr.hasSuffix("eeeeEND\n"))
        #expect(result.stderr.utf8.count <= 8192)
    }

    @Test("cancelling kills the whole process group, grandchildren included")
    func cancellation() async throws {
        let marker = "quickup-cp-\(UUID().uuidString.prefix(8))"
        let task = Task { try await CommandProcess.run(["sh", "-c", "sh -c 'sleep 30; : \(marker)' & sleep 31; : \(marker)"], grace: .milliseconds(200)) }
        while processesRunning(containing: marker).isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let error = await #expect(throws: QuickupError.self) { _ = try await task.value }
        #expect(error?.code == .cancelled)
        try await Task.sleep(for: .milliseconds(100))
        #expect(processesRunning(containing: marker).isEmpty)
    }
}
