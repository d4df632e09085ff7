import Foundation
import Hummingbird
import Logging
import QuickupCore
import QuickupOperations
import QuickupRelease
import QuickupRun
import Synchronization

/// Everything the handlers share (H1): settings, tokens, the release store, the journal, the
/// runs this server started, metrics and where its upgrades come from. The handlers are thin:
/// each calls one QuickupOperations operation, as the CLI commands do (H2).
public final class QuickupAPI: Sendable {
    public let configuration: ServerConfiguration
    public let tokens: TokenStore
    public let store: ReleaseStore
    public let journal: Journal
    public let runs: ActiveRuns
    public let metrics: ServerMetrics
    /// Release and env.yaml of the upgrades this server started, by run id: what the
    /// verification gate resumes them with when the request does not name them.
    let upgradeSources = Mutex<[String: UpgradeSource]>([:])
    /// The upgrades being continued by this server: one continuation each at a time.
    let continuations = ContinuationClaims()
    let logger: Logger
    let started = Date()

    public init(configuration: ServerConfiguration, tokens: TokenStore, logger: Logger) throws(QuickupError) {
        self.configuration = configuration
        self.tokens = tokens
        self.logger = logger
        store = ReleaseStore(root: RunContext<ContinuousClock>.absolute(configuration.releaseStore))
        journal = try Journal(stateDirectory: configuration.state)
        metrics = ServerMetrics()
        runs = ActiveRuns(grace: configuration.shutdownGrace, metrics: metrics, logger: logger)
    }

    var state: String { configuration.state }

    /// Reads the request's JSON body (at most `maxJSONBytes`).
    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: configuration.maxJSONBytes)
        } catch {
            throw APIError(.contentTooLarge, "too_large", "the request body is larger than \(configuration.maxJSONBytes) bytes",
                           hint: "JSON requests are small; a release goes to POST /v1/releases")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue,
                           "the request body is not the JSON this operation takes: \(Self.describe(error))",
                           hint: "see /openapi.json for the request schema")
        }
    }

    /// A run id from the path, checked before it names a file or a journal row.
    func runID(_ context: some RequestContext) throws -> String {
        let id = context.parameters.get("id") ?? ""
        guard RunIDFormat.isValid(id) else {
            throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "invalid run id '\(id.prefix(40))'",
                           hint: "expected an id like 20261125-154312-3f9a, as `GET /v1/runs` lists them")
        }
        return id
    }

    /// The run's record, or 404.
    func record(_ id: String) throws -> RunRecord {
        guard let record = try journal.run(id) else { throw Self.noRun(id) }
        return record
    }

    /// The release and env.yaml of a request, loaded and checked as the CLI's `--release`/`--env`.
    func workspace(release: String, env: String?) throws -> Workspace {
        // The CLI's hint names `--env`; a pipeline sends the field `env`, read on the server.
        if let env, !FileManager.default.fileExists(atPath: env) {
            throw QuickupErrors([QuickupError(.fileNotFound, "environment file not found", at: SourceLocation(file: env),
                                              hint: "the request's `env` is the path of the site's env.yaml as this server sees it (an absolute path on its host)")])
        }
        return try Workspace.open(release: try store.zip(release), environment: env, cache: store.cache)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted: return "not valid JSON"
        default: return "not valid JSON"
        }
    }
}

/// Run ids as RunIdentifier makes them: `yyyyMMdd-HHmmss-xxxx`.
enum RunIDFormat {
    static func isValid(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].count == 8 && parts[1].count == 6 && parts[2].count == 4
            && parts[0].allSatisfy(\.isASCIIDigit) && parts[1].allSatisfy(\.isASCIIDigit)
            && parts[2].allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
