import ArgumentParser
import Foundation
import QuickupCore

/// Exit codes of SPEC §13, mapped in one place.
enum ExitStatus: Int32 {
    case success = 0
    case failed = 1
    case invalidInput = 2
    case warnings = 3
    case locked = 4
    /// `quickup upgrade` paused at the manual verification gate (F1): `--resume RUN --verified` continues.
    case awaitingVerification = 5

    var code: ExitCode { ExitCode(rawValue) }

    /// Ends the process with this status now, standard output and error flushed, without
    /// returning — so without freeing what the caller still holds. Only for a command whose
    /// output is complete and that has nothing left to close or record.
    func endProcess() -> Never {
        fflush(nil)
        Foundation.exit(rawValue)
    }

    static func of(_ error: QuickupError) -> ExitStatus {
        error.code == .locked ? .locked : error.isInvalidInput ? .invalidInput : .failed
    }
}

/// Runs a command body, printing quickup's errors the way an operator reads them and turning
/// them into the right exit status instead of ArgumentParser's generic one.
func runReporting(_ body: () async throws -> ExitStatus) async throws {
    let status: ExitStatus
    do {
        status = try await body()
    } catch let errors as QuickupErrors {
        Console.error(errors.errors.map { "error: \($0)" }.joined(separator: "\n"))
        Console.error("\(errors.errors.count) error\(errors.errors.count == 1 ? "" : "s") found; nothing was run.")
        status = errors.errors.contains { !$0.isInvalidInput } ? .failed : .invalidInput
    } catch let error as QuickupError {
        Console.error("error: \(error)")
        status = ExitStatus.of(error)
    }
    if status != .success { throw status.code }
}
