import CHiredis
import Foundation
import QuickupCore

/// One hiredis context and the blocking calls on it. Only `RedisConnection`'s own thread touches
/// it (every method runs inside `NIOThreadPool.runIfActive` on a one-thread pool), which is what
/// makes the `@unchecked Sendable` true: hiredis contexts must not be shared between threads.
///
/// Written against the hiredis 0.14 API (Debian 12), which later versions still provide:
/// `redisConnectWithTimeout`, `redisSetTimeout`, `redisCommandArgv`.
final class RedisSocket: @unchecked Sendable {
    private var context: UnsafeMutablePointer<redisContext>?
    let host: String
    let port: Int
    let connectTimeout: TimeSpan
    let readTimeout: TimeSpan

    /// What a failed call means for the caller.
    enum Failure: Error, Sendable {
        /// The connection could not be made (retry may help).
        case unreachable(String)
        /// The connection broke or timed out during a command; the context is gone.
        case io(String, timedOut: Bool)
    }

    init(host: String, port: Int, connectTimeout: TimeSpan, readTimeout: TimeSpan) {
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    deinit { disconnect() }

    var isConnected: Bool { context != nil }

    func connect() throws(Failure) {
        disconnect()
        guard let context = redisConnectWithTimeout(host, Int32(port), Self.timeval(connectTimeout)) else {
            throw .unreachable("hiredis could not allocate a connection")
        }
        if context.pointee.err != 0 {
            let reason = Self.errorText(context)
            redisFree(context)
            throw .unreachable(reason)
        }
        // SO_RCVTIMEO/SO_SNDTIMEO: a command that gets no answer fails instead of blocking the thread.
        if redisSetTimeout(context, Self.timeval(readTimeout)) != REDIS_OK {
            let reason = Self.errorText(context)
            redisFree(context)
            throw .unreachable("cannot set the read timeout: \(reason)")
        }
        self.context = context
    }

    func disconnect() {
        if let context { redisFree(context) }
        context = nil
    }

    /// Sends one command and waits for its reply. An error reply is returned as `.error`, not thrown.
    func command(_ arguments: [[UInt8]]) throws(Failure) -> RedisReply {
        guard let context else { throw .io("not connected", timedOut: false) }
        // hiredis wants C arrays of pointers and lengths; the bytes may contain NULs, hence Argv.
        let buffers = arguments.map { bytes -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: bytes.count) }
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var argv: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        let lengths: [Int] = arguments.map(\.count)
        let raw = argv.withUnsafeMutableBufferPointer { argvBuffer in
            lengths.withUnsafeBufferPointer { lengthBuffer in
                redisCommandArgv(context, Int32(arguments.count), argvBuffer.baseAddress, lengthBuffer.baseAddress)
            }
        }
        guard let raw else {
            // hiredis: after an I/O error the context cannot be used again.
            let reason = Self.errorText(context)
            // A receive timeout (SO_RCVTIMEO) surfaces as an I/O error with EAGAIN.
            let timedOut = context.pointee.err == REDIS_ERR_IO
                && (errno == EAGAIN || errno == EWOULDBLOCK || reason.contains("temporarily unavailable") || reason.contains("timed out"))
            disconnect()
            throw .io(reason, timedOut: timedOut)
        }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        func bytes() -> [UInt8] {
            guard let str = value.str else { return [] }
            return Array(UnsafeRawBufferPointer(start: str, count: Int(value.len)))
        }
        switch value.type {
        case REDIS_REPLY_STRING: return .string(bytes())
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(Int64(value.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            for index in 0..<Int(value.elements) {
                if let element = value.element?[index] { items.append(convert(element)) } else { items.append(.null) }
            }
            return .array(items)
        default: return .null
        }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix(while: { $0 != 0 })
            return bytes.isEmpty ? "error \(context.pointee.err)" : String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func timeval(_ span: TimeSpan) -> Foundation.timeval {
        Foundation.timeval(tv_sec: Int(span.milliseconds / 1000), tv_usec: Int((span.milliseconds % 1000) * 1000))
    }
}
