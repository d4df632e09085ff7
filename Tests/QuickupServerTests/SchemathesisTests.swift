import Foundation
import QuickupTestSupport
import Testing

/// schemathesis (PyPI, installed into `.build-python` by `scripts/deps.sh`) against the document
/// `quickup serve` serves (H1, issue 17): generated requests to every operation, with and without
/// a token — no server error, every answer's status, content type and body as documented. The
/// example count is bounded so the test ends in minutes on a loaded machine.
@Suite("HTTP API against its OpenAPI document (schemathesis, H1, issue 17)", .serialized)
struct SchemathesisTests {
    static var schemathesis: String {
        ProcessInfo.processInfo.environment["QUICKUP_SCHEMATHESIS"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build-python/bin/st").path
    }

    @Test("schemathesis: no 5xx and no answer that breaks the document, with a token and without")
    func conformance() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.schemathesis),
                     "\(Self.schemathesis) is missing: run `QUICKUP_DEPS_TEST=1 bash scripts/deps.sh` (installs schemathesis)")
        let tree = try TemporaryTree("qu-api-st")
        defer { tree.remove() }
        let (zip, _) = try APIRelease.sqlite(tree)
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        _ = try await APIRelease.upload(server, zip)
        let document = try await server.call(.GET, "/openapi.json")
        let file = "\(tree.path)/openapi.json"
        try document.body.write(to: URL(fileURLWithPath: file))
        for withToken in [true, false] {
            let arguments = ["run", file, "--url", server.base, "--max-examples", "15", "--seed", "17", "--workers", "1",
                             "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                             "--request-timeout", "30"]
                + (withToken ? ["--header", "Authorization: Bearer \(server.token)"] : [])
            let result = try await runProgram(Self.schemathesis, arguments, environment: ["NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""])
            #expect(result.status == 0, "schemathesis \(withToken ? "with" : "without") a token:\n\(result.output.suffix(6000))")
        }
        #expect(!server.logText.contains(server.token), "the token is in the server log")
    }
}
