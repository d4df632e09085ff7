import Foundation
import QuickupTestSupport
import Testing

/// D4, issue 13 item 2: a tool prints its datasource's password escaped and encoded every way
/// programs do (JSON, Python repr and ascii, bytes repr, URL quoting, shell quoting, base64 of
/// user:password); no artefact of the run — its stdout/stderr, summary.log, detail.jsonl, the
/// journal, the support bundle — may hold any of those forms. The forms are computed by Python
/// itself, independently of quickup's redaction.
@Suite("secrets in escaped and encoded forms (D4)")
struct SecretEncodingsCLITests {
    /// Prints one form per line; used inside the tool and by the test to know what to look for.
    static let encoder = #"""
        import base64, json, shlex, sys, urllib.parse
        def forms(user, p):
            return [
                p,
                json.dumps(p)[1:-1], json.dumps(p, ensure_ascii=False)[1:-1],
                repr(p)[1:-1], ascii(p)[1:-1], repr(p.encode())[2:-1],
                urllib.parse.quote(p), urllib.parse.quote(p, safe=''), urllib.parse.quote_plus(p),
                shlex.quote(p)[1:-1],
                base64.b64encode(p.encode()).decode(),
                base64.b64encode((user + ':' + p).encode()).decode(),
                base64.b64encode(('x' + user + ':' + p).encode()).decode(),
                base64.b64encode(('xy' + user + ':' + p).encode()).decode(),
            ]
        """#

    static let tool = "#!/usr/bin/env python3\n" + encoder + "\n" + #"""
        context = json.load(sys.stdin)
        source = context["datasources"]["shop_db"]
        user, p = source.get("user") or "shop", source["password"]
        for form in forms(user, p):
            print("form: " + form)
            print("form on stderr: " + form, file=sys.stderr)
        print("Authorization: Basic " + base64.b64encode((user + ':' + p).encode()).decode())
        print("url: mysql://" + urllib.parse.quote(user) + ":" + urllib.parse.quote(p, safe='') + "@db:3306/shop")
        print(json.dumps(context))
        print(json.dumps(context, ensure_ascii=False))
        print(repr(context))
        print(json.dumps({"level": "error", "message": "login failed for " + json.dumps(p)}))
        sys.exit(3)
        """#

    static let release: [String: String] = [
        "release/release.yaml": "name: encodings-test\ncomponents: [shop]\n",
        "release/shop/component.yaml": "plugin_class: business\ndatasources:\n  - name: shop_db\n    type: sqlite\n",
        "release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": """
            tool.leak.id=SHOP-2
            tool.leak.description=A tool that prints its password in every encoding, then fails
            tool.leak.package=tools/leak.py
            tool.leak.stage=post_start
            """,
        "release/shop/upgrade/V1.0.1/tools/leak.py": tool,
        "shop.db": "",
    ]

    /// The forms Python gives for `password`, one per line.
    static func pythonForms(_ password: String, user: String) throws -> [String] {
        let script = encoder + "\nimport sys\nfor f in forms(sys.argv[1], sys.argv[2]): print(json.dumps(f))\n"
        return try ChildProcess.run(["python3", "-c", script, user, password]).stdout.split(separator: "\n").compactMap { line in
            try? JSONDecoder().decode(String.self, from: Data(line.utf8))
        }
    }

    @Test("a canary with quotes, backslash, slash, percent, spaces, $ and CJK leaks in no form into any artefact",
          arguments: [#"Q"u'o\te/50% 中文 $x"#, #"pa ss\\\"wörd/%2F 密码"#])
    func noEncodedFormAnywhere(canary: String) throws {
        let password = canary + "-" + UUID().uuidString.prefix(8)
        let tree = try TemporaryTree("quickup-encodings", files: Self.release)
        defer { tree.remove() }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(tree.path)/release/shop/upgrade/V1.0.1/tools/leak.py")
        let quoted = "'" + password.replacingOccurrences(of: "'", with: "''") + "'"
        try tree.write("env.yaml", "site: SHOP\ndatasources:\n  shop_db: {type: sqlite, path: shop.db, user: shop, password: \(quoted)}\n")
        let state = "\(tree.path)/state"
        let common = ["--release", "\(tree.path)/release", "--env", "\(tree.path)/env.yaml", "--from", "V1.0.0", "--to", "V1.0.1", "--state", state]
        let run = try CLI.run(["run"] + common)
        #expect(run.stdout.contains("[FAILED] shop V1.0.1 tool.leak"), "the tool ran and failed (its stderr is in the error): \(run.stdout)")
        let runID = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(state)/runs").first)
        let zip = "\(tree.path)/support.zip"
        let bundle = try CLI.run(["bundle", "latest", "-o", zip, "--state", state, "--env", "\(tree.path)/env.yaml"])
        #expect(bundle.status == 0, "\(bundle.stderr)")

        var artefacts: [String: String] = ["run stdout": run.stdout, "run stderr": run.stderr, "bundle stdout": bundle.stdout + bundle.stderr]
        for file in ["summary.log", "detail.jsonl"] {
            artefacts[file] = try String(contentsOfFile: "\(state)/runs/\(runID)/\(file)", encoding: .utf8)
        }
        let journal = try #require(FileManager.default.contents(atPath: "\(state)/journal.sqlite"))
        artefacts["journal.sqlite"] = String(decoding: journal, as: UTF8.self)
        for (name, text) in try BundleCommandTests.unzip(zip) { artefacts["bundle \(name)"] = text }

        // The tool really ran and printed; the log shows that something was hidden.
        let detail = try #require(artefacts["detail.jsonl"])
        #expect(detail.contains("form on stderr: ") && detail.contains("<redacted>"), "\(detail)")
        let forms = try Self.pythonForms(password, user: "shop")
        #expect(forms.count == 14 && forms[0] == password, "\(forms)")
        for (name, text) in artefacts.sorted(by: { $0.key < $1.key }) {
            for form in forms where text.contains(form) {
                Issue.record("\(name) holds the password as \(form)")
            }
        }
    }
}
