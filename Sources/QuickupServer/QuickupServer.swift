import Dispatch
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import QuickupCore
import ServiceLifecycle
import UnixSignals

/// `quickup serve` (H1): the API on Hummingbird 2 under swift-service-lifecycle. SIGTERM or
/// SIGINT shut down gracefully: new runs are refused (503), running ones get the grace period
/// to finish and are then cancelled like Ctrl-C (recorded `cancelled`, resumable), then the
/// listener closes. SIGHUP re-reads the tokens file.
public enum QuickupServer {
    public static func run(_ configuration: ServerConfiguration,
                           logger: Logger = Logger(label: "quickup.serve"),
                           onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws {
        let tokens = try TokenStore(file: configuration.tokensFile)
        let api = try QuickupAPI(configuration: configuration, tokens: tokens, logger: logger)
        let app = Application(
            router: api.router(), server: try server(configuration),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "quickup"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        let reload = TokenReload(tokens: tokens, logger: logger)
        // Shut down last-to-first: the runs drain before the listener closes.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: reload), .init(service: api.runs)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// HTTP/1.1, or HTTPS with the PEM files of --tls-cert/--tls-key. A file that cannot be used
    /// is refused before listening, naming the option and the file (never the key's bytes).
    static func server(_ configuration: ServerConfiguration) throws(QuickupError) -> HTTPServerBuilder {
        guard let certificate = configuration.tlsCertificate, let key = configuration.tlsKey else { return .http1() }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw QuickupError(.invalidArgument, "--tls-cert \(certificate): not a readable PEM certificate chain (\(error))",
                               hint: "pass the server's certificate, then any intermediates, in PEM (-----BEGIN CERTIFICATE-----)")
        }
        guard !chain.isEmpty else {
            throw QuickupError(.invalidArgument, "--tls-cert \(certificate): no certificate in the file",
                               hint: "pass the server's certificate in PEM (-----BEGIN CERTIFICATE-----)")
        }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw QuickupError(.invalidArgument, "--tls-key \(key): not a readable, unencrypted PEM private key (\(error))",
                               hint: "pass the certificate's private key in PEM without a passphrase, readable by this user only")
        }
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        do {
            // The context is otherwise made when the listener starts; making it here refuses a
            // key that does not belong to the certificate with the files named.
            _ = try NIOSSLContext(configuration: tls)
            return try .tls(.http1(), tlsConfiguration: tls)
        } catch {
            throw QuickupError(.invalidArgument, "--tls-cert \(certificate) and --tls-key \(key) cannot be used together (\(error))",
                               hint: "check that the key belongs to the certificate (openssl x509 -noout -pubkey -in CERT; openssl pkey -pubout -in KEY)")
        }
    }
}

/// SIGHUP re-reads the tokens file; a file that no longer parses keeps the tokens as they were.
struct TokenReload: Service {
    let tokens: TokenStore
    let logger: Logger

    func run() async throws {
        let signals = AsyncStream<Void> { continuation in
            signal(SIGHUP, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            nonisolated(unsafe) let held = source
            continuation.onTermination = { _ in held.cancel() }
        }
        for try await _ in signals.cancelOnGracefulShutdown() {
            do {
                try tokens.reload()
                logger.notice("SIGHUP: tokens file re-read, \(tokens.count) token(s)")
            } catch {
                logger.error("SIGHUP: tokens file not re-read, the previous tokens stay: \(error)")
            }
        }
    }
}

extension QuickupAPI {
    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: APIMiddleware(api: self))
        addSystemRoutes(to: router)
        addReleaseRoutes(to: router)
        addPlanRoutes(to: router)
        addRunRoutes(to: router)
        addRunOutputRoutes(to: router)
        addUpgradeRoutes(to: router)
        return router
    }
}
