import ArgumentParser
import Foundation
import QuickupCore
import QuickupServer

/// `quickup serve` (H1): the HTTP API for CI/CD pipelines, over the same operations as the CLI (H2).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (JSON under /v1, OpenAPI at /openapi.json) that CI/CD pipelines call.",
        discussion: "Listens on loopback unless told otherwise; a non-loopback address needs --tokens. SIGTERM lets running work finish within --grace, then cancels it (resumable); SIGHUP re-reads --tokens. `--hash-token` reads a token on stdin and prints its line for the tokens file.")

    @Option(name: .long, help: "HOST:PORT to listen on.")
    var listen = ServerConfiguration.defaultListen
    @OptionGroup var stateOption: StateOption
    @Option(name: .long, help: "Bearer tokens: one `sha256:<hex> [name]` per line (from --hash-token).")
    var tokens: String?
    @Option(name: .customLong("release-store"), help: "Where uploaded release zips are kept (default: <state>/release-store).")
    var releaseStore: String?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain for HTTPS.")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for HTTPS.")
    var tlsKey: String?
    @Option(name: .long, help: "Seconds running work may take to finish on SIGTERM before it is cancelled.")
    var grace = 30
    @Option(name: .customLong("max-upload-bytes"), help: "Largest release zip accepted by POST /v1/releases.")
    var maxUploadBytes: Int64 = 2 << 30
    @Flag(name: .customLong("hash-token"), help: "Read a token on stdin and print its line for the --tokens file; serve nothing.")
    var hashToken = false
    @Option(name: .customLong("token-name"), help: "With --hash-token: the name the audit log shows for this token.")
    var tokenName: String?

    func run() async throws {
        try await runReporting {
            if hashToken {
                let token = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
                guard !token.isEmpty else {
                    throw QuickupError(.invalidArgument, "no token on stdin", hint: "e.g. `openssl rand -hex 32 | tee token.txt | quickup serve --hash-token`")
                }
                Console.out(TokenStore.line(for: token, name: tokenName))
                return .success
            }
            var configuration = try ServerConfiguration(listen: listen, state: stateOption.state, tokensFile: tokens, releaseStore: releaseStore,
                                                        tlsCertificate: tlsCert, tlsKey: tlsKey)
            configuration.shutdownGrace = .seconds(max(0, grace))
            configuration.maxUploadBytes = max(1, maxUploadBytes)
            for warning in configuration.warnings { Console.error(warning) }
            if tokens == nil { Console.error("note: no --tokens: every request on \(configuration.host) is let through") }
            let scheme = tlsCert == nil ? "http" : "https", host = configuration.host
            do {
                try await QuickupServer.run(configuration) { port in
                    Console.error("quickup serve: listening on \(scheme)://\(host):\(port) (OpenAPI at /openapi.json)")
                }
            } catch let error as QuickupError {
                throw error
            } catch {
                throw QuickupError(.io, "the server stopped: \(error)", hint: "check --listen (address in use?) and the TLS files")
            }
            return .success
        }
    }
}
