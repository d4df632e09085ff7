import Foundation
import Hummingbird
import QuickupCore

/// `POST /v1/releases` (upload a zip from `quickup pack`), `GET /v1/releases`, and
/// `POST /v1/releases/{id}/plugins` (a plugin's components into a kept release; H1, R1).
extension QuickupAPI {
    struct ReleaseList: Codable {
        var releases: [ReleaseStore.Entry]
    }

    func addReleaseRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/releases") { _, _ in
            try JSONBody.response(ReleaseList(releases: self.store.list()))
        }
        router.post("/v1/releases") { request, _ in
            let upload = try await self.receive(request)
            let entry = try Self.namingTheUpload(upload) { try self.store.accept(upload: upload, now: Int64(Date().timeIntervalSince1970 * 1000)) }
            self.logger.info("release uploaded", metadata: ["release": "\(entry.name)", "id": "\(entry.id)"])
            return try JSONBody.response(entry, status: .created)
        }
        router.post("/v1/releases/:id/plugins") { request, context in
            let base = try context.parameters.require("id")
            _ = try self.store.zip(base)  // an unknown base is refused before the body is read
            let upload = try await self.receive(request)
            let result = try Self.namingTheUpload(upload) {
                try self.store.acceptPlugin(upload: upload, base: base, now: Int64(Date().timeIntervalSince1970 * 1000))
            }
            self.logger.info("plugin uploaded", metadata: ["base": "\(base)", "release": "\(result.release.id)",
                                                           "components": "\(result.components.joined(separator: ","))"])
            return try JSONBody.response(result, status: .created)
        }
    }

    /// Errors about the uploaded zip name "the uploaded zip", not the store's private file it was
    /// streamed into (a path on the server that means nothing to the client).
    static func namingTheUpload<T>(_ upload: String, _ body: () throws -> T) throws -> T {
        func renamed(_ error: QuickupError) -> QuickupError {
            guard error.location?.file == upload else { return error }
            var error = error
            error.location?.file = "the uploaded zip"
            error.message = error.message.replacingOccurrences(of: upload, with: "the uploaded zip")
            if error.hint == "check the path; the file may be truncated or not a zip" {
                error.hint = "send the zip `quickup pack` wrote, whole (Content-Type: application/zip); it may have been truncated"
            }
            return error
        }
        do {
            return try body()
        } catch let error as QuickupError {
            throw renamed(error)
        } catch let errors as QuickupErrors {
            throw QuickupErrors(errors.errors.map(renamed))
        }
    }

    /// Streams the body into a private file in the store, stopping at the size limit.
    func receive(_ request: Request) async throws -> String {
        let limit = configuration.maxUploadBytes
        let tooLarge = APIError(.contentTooLarge, "too_large", "the release is larger than the limit of \(limit) bytes",
                                hint: "a release zip from `quickup pack` fits; the limit is the server's")
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > limit { throw tooLarge }
        let path = try store.temporaryUpload()
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw QuickupError(.io, "cannot write the upload into the release store", hint: "check the store's permissions and free space")
        }
        var total: Int64 = 0
        do {
            for try await buffer in request.body {
                total += Int64(buffer.readableBytes)
                if total > limit { throw tooLarge }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        guard total > 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw APIError(.badRequest, QuickupError.Code.releaseArchive.rawValue, "the request body is empty",
                           hint: "send the zip written by `quickup pack` as the body (Content-Type: application/zip)")
        }
        return path
    }
}
