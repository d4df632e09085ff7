import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Tells a failure to reach the server (worth another try, SPEC D3) from a failure during a request
/// (never retried: the statement may have run).
enum ConnectFailure {
    /// A short reason ("Connection refused", "connect timeout") when `error` means the server could
    /// not be reached at all; nil otherwise.
    static func describe(_ error: any Error) -> String? {
        if let error = error as? HTTPClientError, error == .connectTimeout { return "connect timeout" }
        if let error = error as? ChannelError, case .connectTimeout(let amount) = error {
            return "connect timeout after \(amount.nanoseconds / 1_000_000) ms"
        }
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first { return describe(failure.error) ?? "\(failure.error)" }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "the host name '\(error.host)' does not resolve" }
            return "no address to connect to for '\(error.host)'"
        }
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, ETIMEDOUT].contains(error.errnoCode) {
            return String(cString: strerror(error.errnoCode))
        }
        if error is SocketAddressError { return "the host name does not resolve (\(error))" }
        return nil
    }
}
