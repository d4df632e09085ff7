import Foundation
import Synchronization
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupTools

/// CommandProcess: the plain child process behind ssh, sftp and sha256sum (S1, S2).
@Suite(.timeLimit(.minutes(10))) struct CommandProcessTests {  // the limit is a hang guard only
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
        try await Self.cancelOnceRunning(task, marker: marker)
    }

    /// Order of events, never a fixed pause: cancel once a process with `marker` runs, expect
    /// quickup's `cancelled`, then every such process gone once the group's teardown has run (a
    /// loaded machine took longer than the 100 ms this once waited; the bound is a hang guard).
    static func cancelOnceRunning(_ task: Task<CommandProcess.Result, any Error>, marker: String) async throws {
        while processesRunning(containing: marker).isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let error = await #expect(throws: QuickupError.self) { _ = try await task.value }
        #expect(error?.code == .cancelled)
        var looks = 0
        while !processesRunning(containing: marker).isEmpty && looks < 1_500 { try await Task.sleep(for: .milliseconds(20)); looks += 1 }
        #expect(processesRunning(containing: marker).isEmpty)
    }

    @Test("F3: a file on stdin, a file on stdout (a dump and its restore), the stderr tail, `started` once it runs; the caller's descriptors stay open")
    func filesInAndOut() async throws {
        let tree = try TemporaryTree("qu-cp-files")
        defer { tree.remove() }
        try tree.write("in.sql", "INSERT 1;\nINSERT 2;\n")
        let input = open("\(tree.path)/in.sql", O_RDONLY | O_CLOEXEC), output = open("\(tree.path)/out.sql", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        defer { close(input); close(output) }
        let started = Mutex(false)
        let result = try await CommandProcess.run(["sh", "-c", "cat; echo warning >&2"], stdin: input, stdout: output, started: { started.withLock { $0 = true } })
        #expect(result.succeeded && result.stderr == "warning\n" && started.withLock { $0 })
        #expect(try String(contentsOfFile: "\(tree.path)/out.sql", encoding: .utf8) == "INSERT 1;\nINSERT 2;\n")
        #expect(fcntl(input, F_GETFD) >= 0 && fcntl(output, F_GETFD) >= 0, "still the caller's to close")
        let none = try await CommandProcess.run(["sh", "-c", "cat; echo done"], stdin: nil, stdout: nil)
        #expect(none.succeeded && none.stdout.isEmpty, "nil is /dev/null both ways")
    }

    @Test("F3: cancelling a file-fed client (a long restore) ends it")
    func fileFedCancellation() async throws {
        let marker = "quickup-cpf-\(UUID().uuidString.prefix(8))"
        let task = Task { try await CommandProcess.run(["sh", "-c", "cat > /dev/null; sleep 30; : \(marker)"], stdin: nil, stdout: nil, grace: .milliseconds(200)) }
        try await Self.cancelOnceRunning(task, marker: marker)
    }
}
