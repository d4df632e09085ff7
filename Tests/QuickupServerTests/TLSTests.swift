import Foundation
import QuickupTestSupport
import Testing

/// H1 security: `quickup serve --tls-cert --tls-key` serves real HTTPS. The client is curl (an
/// independent TLS stack), the certificate a fresh self-signed one from openssl.
@Suite("API over TLS (H1)", .timeLimit(.minutes(10)))
struct TLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, made by openssl in `tree`.
    static func certificate(_ tree: TemporaryTree, name: String = "server") throws -> (cert: String, key: String) {
        let cert = "\(tree.path)/\(name).crt", key = "\(tree.path)/\(name).key"
        let made = try ChildProcess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                         "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                                         "-addext", "subjectAltName=IP:127.0.0.1"])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        return (cert, key)
    }

    /// curl's exit status and the HTTP status line it printed (`-w`), with the token read from a
    /// header file so it is not in curl's arguments.
    static func curl(_ url: String, token: String?, tree: TemporaryTree, extra: [String] = []) throws -> (status: Int32, http: String) {
        var arguments = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-m", "30"] + extra
        if let token {
            let headers = "\(tree.path)/auth-\(UUID().uuidString.prefix(8))"
            try "Authorization: Bearer \(token)\n".write(toFile: headers, atomically: true, encoding: .utf8)
            arguments += ["-H", "@\(headers)"]
        }
        let result = try ChildProcess.run(arguments + [url])
        return (result.status, result.stdout)
    }

    @Test("HTTPS with the certificate trusted: health and an authenticated call answer; untrusted, plain HTTP and no token do not")
    func servesHTTPS() throws {
        let tree = try TemporaryTree("qu-api-tls")
        defer { tree.remove() }
        let (cert, key) = try Self.certificate(tree)
        let server = try ServeProcess(in: tree, extra: ["--tls-cert", cert, "--tls-key", key])
        defer { server.stop() }
        #expect(server.scheme == "https", "\(server.logText)")
        let url = "https://127.0.0.1:\(server.port)"

        let health = try Self.curl(url + "/v1/healthz", token: nil, tree: tree, extra: ["--cacert", cert])
        #expect(health.status == 0 && health.http == "200", "\(health)")
        let runs = try Self.curl(url + "/v1/runs", token: server.token, tree: tree, extra: ["--cacert", cert])
        #expect(runs.status == 0 && runs.http == "200", "\(runs)")
        let anonymous = try Self.curl(url + "/v1/runs", token: nil, tree: tree, extra: ["--cacert", cert])
        #expect(anonymous.status == 0 && anonymous.http == "401", "\(anonymous)")

        // Without trusting the certificate, curl refuses it (60: peer certificate cannot be authenticated).
        let untrusted = try Self.curl(url + "/v1/healthz", token: nil, tree: tree)
        #expect(untrusted.status == 60, "\(untrusted)")
        // Plain HTTP to the TLS port gets no HTTP answer.
        let plain = try Self.curl("http://127.0.0.1:\(server.port)/v1/healthz", token: nil, tree: tree)
        #expect(plain.status != 0 && plain.http != "200", "\(plain)")
        #expect(!server.logText.contains(server.token))
    }

    @Test("unusable TLS files: exit 2 before listening, naming the option and the file, never the key's content")
    func refusesBadFiles() throws {
        let tree = try TemporaryTree("qu-api-tls-bad")
        defer { tree.remove() }
        let (cert, key) = try Self.certificate(tree)
        let (_, otherKey) = try Self.certificate(tree, name: "other")
        try tree.write("garbage.crt", "not a certificate\n")
        let state = "\(tree.path)/state"
        /// Exit and stderr; a server that starts listening instead is stopped (status -1).
        func serve(_ tls: [String]) throws -> (status: Int32, stderr: String) {
            let child = try ChildProcess.start([ServeProcess.executable.path, "serve", "--listen", "127.0.0.1:0", "--state", state] + tls)
            while child.isRunning {
                if child.stderr.contains("listening on") { child.stop(); return (-1, child.stderr) }
                usleep(20_000)
            }
            return (child.wait().status, child.stderr)
        }

        let garbage = try serve(["--tls-cert", "\(tree.path)/garbage.crt", "--tls-key", key])
        #expect(garbage.status == 2 && garbage.stderr.contains("--tls-cert \(tree.path)/garbage.crt"), "\(garbage.stderr)")
        let missing = try serve(["--tls-cert", cert, "--tls-key", "\(tree.path)/no-such.key"])
        #expect(missing.status == 2 && missing.stderr.contains("--tls-key \(tree.path)/no-such.key"), "\(missing.stderr)")
        let mismatched = try serve(["--tls-cert", cert, "--tls-key", otherKey])
        #expect(mismatched.status == 2 && mismatched.stderr.contains(otherKey) && !mismatched.stderr.contains("listening"), "\(mismatched.stderr)")
        let keyText = try String(contentsOfFile: otherKey, encoding: .utf8)
        let body = keyText.split(separator: "\n").dropFirst().first.map(String.init) ?? "-"
        #expect(!mismatched.stderr.contains(body), "the key's bytes are in the error")
        let alone = try serve(["--tls-cert", cert])
        #expect(alone.status == 2 && alone.stderr.contains("--tls-cert and --tls-key go together"), "\(alone.stderr)")
    }
}
