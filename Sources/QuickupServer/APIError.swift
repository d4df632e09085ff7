import Foundation
import Hummingbird
import QuickupCore

/// The one error shape of the API (H1): the CLI's error code, what went wrong and what to do.
/// `file` and `line` name the bad input when it is a file (env.yaml, a release file).
public struct APIErrorBody: Codable, Sendable, Equatable {
    public var code: String
    public var message: String
    public var hint: String?
    public var file: String?
    public var line: Int?
    /// Further problems when an input had several (every problem at once, M5).
    public var errors: [APIErrorBody]?
}

/// An error answered as JSON with its HTTP status.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var body: APIErrorBody

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, hint: String? = nil) {
        self.status = status
        body = APIErrorBody(code: code, message: message, hint: hint)
    }

    public init(_ error: QuickupError) {
        status = Self.status(of: error)
        body = Self.body(of: error)
    }

    public init(_ errors: QuickupErrors) {
        let first = errors.errors.first ?? QuickupError(.invalidArgument, "invalid input")
        status = errors.errors.contains { !$0.isInvalidInput } ? Self.status(of: first) : .badRequest
        body = Self.body(of: first)
        if errors.errors.count > 1 { body.errors = errors.errors.map(Self.body(of:)) }
    }

    /// Any error a handler let through: quickup's own keep their code, others say what they are.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as QuickupError: return APIError(error)
        case let error as QuickupErrors: return APIError(error)
        case let error as HTTPError:
            return APIError(error.status, error.status == .contentTooLarge ? "too_large" : "invalid_request",
                            error.body ?? error.status.reasonPhrase)
        case is DecodingError:
            return APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "the request body is not the JSON this operation takes",
                            hint: "see /openapi.json for the request schema")
        default:
            return APIError(.internalServerError, "internal", "the server could not complete the request",
                            hint: "the server log has the cause")
        }
    }

    static func status(of error: QuickupError) -> HTTPResponse.Status {
        switch error.code {
        case .locked: return .conflict
        case .fileNotFound: return .notFound
        case .cancelled: return .conflict
        case .needsConfirmation, .checksumChanged: return .conflict
        default: return error.isInvalidInput ? .badRequest : .unprocessableContent
        }
    }

    static func body(of error: QuickupError) -> APIErrorBody {
        APIErrorBody(code: error.code.rawValue, message: error.message, hint: error.hint, file: error.location?.file,
                     line: error.location?.line)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONBody.response(body, status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"quickup\"" }
        return response
    }
}

/// JSON responses, encoded the way the CLI's `--json` prints them.
enum JSONBody {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        response(encoded: try encode(value), status: status)
    }

    /// The bytes every JSON answer is made of, to keep and send again (RunSummaryView).
    static func encode<T: Encodable>(_ value: T) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: try encoder.encode(value))
    }

    static func response(encoded body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }

    static func raw(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
