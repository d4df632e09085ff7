import Foundation

/// A child process whose stdout is streamed line by line (never buffered whole) and which is
/// terminated when the calling task is cancelled.
enum ChildProcess {
    struct Result: Sendable {
        var status: Int32
        var stderrTail: String
    }

    static func run(_ arguments: [String], directory: String, onLine: @escaping @Sendable (String) -> Void) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let tail = StderrTail()
        out.fileHandleForReading.readabilityHandler = LineSplitter(onLine).handler
        err.fileHandleForReading.readabilityHandler = { handle in tail.append(handle.availableData) }
        try process.run()
        return try await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    process.waitUntilExit()
                    continuation.resume()
                }
            }
            out.fileHandleForReading.readabilityHandler = nil
            err.fileHandleForReading.readabilityHandler = nil
            try Task.checkCancellation()
            return Result(status: process.terminationStatus, stderrTail: tail.text)
        } onCancel: {
            process.terminate()
        }
    }

    /// Keeps the last 4 KiB of stderr for the error message.
    final class StderrTail: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ chunk: Data) {
            lock.withLock {
                data.append(chunk)
                if data.count > 4096 { data = data.suffix(4096) }
            }
        }
        var text: String {
            lock.withLock { String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        }
    }

    final class LineSplitter: @unchecked Sendable {
        private var pending = Data()
        private let onLine: @Sendable (String) -> Void
        init(_ onLine: @escaping @Sendable (String) -> Void) { self.onLine = onLine }
        var handler: @Sendable (FileHandle) -> Void {
            { [self] handle in
                pending.append(handle.availableData)
                while let newline = pending.firstIndex(of: 0x0A) {
                    onLine(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
                if pending.count > 65_536 { pending.removeAll() }
            }
        }
    }
}
