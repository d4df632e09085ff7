import CMariaDB
import Dispatch
import QuickupCore

/// One open MYSQL* and the serial queue every call on it runs on.
///
/// Connector/C blocks and a handle must not be used by two threads at once. Each session owns a
/// serial DispatchQueue; `perform` runs a closure there and resumes the awaiting task through a
/// continuation, so blocking calls never occupy a thread of Swift's cooperative pool and calls
/// on one connection are serialised. That confinement is what makes the `@unchecked Sendable`
/// sound: `handle` and `closed` are touched only on `queue` (and in `deinit`, when nothing else
/// can reach the session).
final class MariaDBSession: @unchecked Sendable {
    let endpoint: MariaDBEndpoint
    /// The server's id of this session (`CONNECTION_ID()`), for KILL QUERY and PROCESSLIST.
    let threadID: UInt
    /// The socket under the handle: shutting it down is the last resort to stop a statement when
    /// the server cannot be reached to kill it (see MariaDBStatementGate.stop).
    let socket: Int32
    private let queue: DispatchQueue
    private let handle: MariaDBHandle
    private var closed = false

    private init(endpoint: MariaDBEndpoint, queue: DispatchQueue, handle: MariaDBHandle) {
        self.endpoint = endpoint
        self.queue = queue
        self.handle = handle
        self.threadID = mysql_thread_id(handle.pointer)
        self.socket = mysql_get_socket(handle.pointer)
    }

    /// Connects (one try) on a new queue, without blocking the caller's thread.
    static func open(_ endpoint: MariaDBEndpoint, label: String) async throws(QuickupError) -> MariaDBSession {
        let queue = DispatchQueue(label: "quickup.mariadb.\(label)")
        let result: Result<MariaDBSession, QuickupError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(QuickupError) -> MariaDBSession in
                    let handle = try MariaDBClient.connect(endpoint)
                    return MariaDBSession(endpoint: endpoint, queue: queue, handle: handle)
                })
            }
        }
        return try result.get()
    }

    /// Runs `body` with the handle on the session's queue — on a thread where blocking is allowed
    /// (a component's `DedicatedThread`), right there, still serialised with the queue's blocks:
    /// `sync` runs the block on the calling thread, so no thread hands the task over (issue 20.3).
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (UnsafeMutablePointer<MYSQL>) throws(QuickupError) -> T
    ) async throws(QuickupError) -> T {
        if DedicatedThread.isCurrent {
            return try queue.sync { run(body) }.get()
        }
        let result: Result<T, QuickupError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.run(body)) }
        }
        return try result.get()
    }

    /// On the queue.
    private func run<T>(_ body: (UnsafeMutablePointer<MYSQL>) throws(QuickupError) -> T) -> Result<T, QuickupError> {
        guard !closed else {
            return .failure(QuickupError(.datasourceUnreachable, "the connection to MariaDB datasource '\(endpoint.config.name)' is closed",
                                         hint: "open a new connection"))
        }
        return Result { () throws(QuickupError) -> T in try body(handle.pointer) }
    }

    /// Says goodbye to the server (COM_QUIT) and frees the handle; later calls fail.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                if !self.closed {
                    self.closed = true
                    mysql_close(self.handle.pointer)
                }
                continuation.resume()
            }
        }
    }

    deinit {
        // Every queued block holds the session, so none is pending here. mysql_close writes one
        // small packet; the kernel's socket buffer takes it without waiting.
        if !closed { mysql_close(handle.pointer) }
    }
}
