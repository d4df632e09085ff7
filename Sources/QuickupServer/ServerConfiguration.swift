import Foundation
import QuickupCore

/// `quickup serve`'s settings (H1), checked before anything listens.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var state: String
    public var tokensFile: String?
    public var releaseStore: String
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Largest JSON request body.
    public var maxJSONBytes = 1 << 20
    /// Largest release upload.
    public var maxUploadBytes: Int64 = 2 << 30
    /// SIGTERM: how long running work may take to finish before it is cancelled like Ctrl-C.
    public var shutdownGrace: Duration = .seconds(30)

    public static let defaultListen = "127.0.0.1:8770"

    public init(listen: String = ServerConfiguration.defaultListen, state: String, tokensFile: String?, releaseStore: String?,
                tlsCertificate: String? = nil, tlsKey: String? = nil) throws(QuickupError) {
        (host, port) = try Self.parse(listen: listen)
        self.state = state
        self.tokensFile = tokensFile
        self.releaseStore = releaseStore ?? "\(state)/release-store"
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw QuickupError(.invalidArgument, "--tls-cert and --tls-key go together", hint: "pass both, or neither")
        }
        if !isLoopback, tokensFile == nil {
            throw QuickupError(.invalidArgument, "--listen \(listen) is not a loopback address and no --tokens file is given",
                               hint: "anyone who reaches \(host) could run upgrades: pass --tokens FILE (lines from `quickup serve --hash-token`), or listen on 127.0.0.1")
        }
    }

    /// A warning for the operator when the API is reachable from elsewhere in clear text.
    public var warnings: [String] {
        !isLoopback && tlsCertificate == nil
            ? ["warning: --listen \(host):\(port) without --tls-cert/--tls-key: tokens and data cross the network in clear text"]
            : []
    }

    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `HOST:PORT` or `[V6]:PORT`; port 0 picks a free port (tests).
    static func parse(listen: String) throws(QuickupError) -> (String, Int) {
        let bad = QuickupError(.invalidArgument, "invalid --listen '\(listen)'", hint: "expected HOST:PORT, e.g. \(defaultListen) or [::1]:8770")
        var host: Substring, portText: Substring
        if listen.hasPrefix("["), let close = listen.firstIndex(of: "]") {
            host = listen[listen.index(after: listen.startIndex)..<close]
            let rest = listen[listen.index(after: close)...]
            guard rest.hasPrefix(":") else { throw bad }
            portText = rest.dropFirst()
        } else {
            guard let colon = listen.lastIndex(of: ":") else { throw bad }
            host = listen[..<colon]
            portText = listen[listen.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { throw bad }
        return (String(host), port)
    }
}
