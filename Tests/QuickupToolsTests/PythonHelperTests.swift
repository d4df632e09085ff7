import Foundation
import QuickupCore
import Testing
@testable import QuickupTools

/// T2: the Python helper shipped inside quickup, exercised by real Python tools.
@Suite("Python helper quickup_tool (T2)")
struct PythonHelperTests {
    func invocation(_ fixture: ToolFixture, entry: (String, String), context: String) throws -> ToolInvocation {
        let helper = try PythonHelper.install(in: "\(fixture.directory)/helper")
        var invocation = fixture.invocation("unused", context: context)
        invocation.arguments = PythonHelper.arguments(module: entry.0, function: entry.1, searchPath: "tools")
        invocation.environment["PYTHONPATH"] = helper
        return invocation
    }

    @Test("the context survives the round trip: unicode, escapes, numbers, nesting, null and booleans")
    func roundTrip() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        try fixture.script("tools/echo.py", "def back(ctx):\n    return ctx.raw\n")
        let context = #"{"run_id":"R-1","text":"é中 \"q\" \\ \n\t\u0001","n":[1,-2,3.5,1.5e3,12345678901234567890],"none":null,"yes":true,"no":false,"nested":{"a":[{"b":{}}],"e":[]}}"#
        let (outcome, _) = try await fixture.run(try invocation(fixture, entry: ("echo", "back"), context: context))
        #expect(outcome.succeeded, "\(outcome.stderrTail)")
        let sent = try JSONSerialization.jsonObject(with: Data(context.utf8)) as? NSDictionary
        let got = try JSONSerialization.jsonObject(with: Data(try #require(outcome.result).utf8)) as? NSDictionary
        #expect(sent == got, "\(outcome.result ?? "")")
    }

    @Test("a context's non-ASCII text reaches the tool intact under the C locale, on every interpreter (T2)", arguments: interpreters)
    func nonASCIIUnderCLocale(python: String) async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        try fixture.script("tools/echo.py", "def back(ctx):\n    return {\"name\": ctx.params[\"name\"]}\n")
        var tool = try invocation(fixture, entry: ("echo", "back"), context: #"{"run_id":"R-1","task":{"parameters":{"name":"é中 ü"}}}"#)
        tool.arguments[0] = python
        tool.environment["LANG"] = "C"
        tool.environment["LC_ALL"] = "C"
        let (outcome, _) = try await fixture.run(tool)
        #expect(outcome.succeeded, "\(outcome.stderrTail)")
        let got = try JSONSerialization.jsonObject(with: Data(try #require(outcome.result).utf8)) as? [String: String]
        #expect(got?["name"] == "é中 ü", "\(outcome.result ?? "")")
    }

    @Test("datasource parameters, progress, log and an exception with its traceback")
    func reportingAndFailure() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        try fixture.script("tools/reporting.py", """
            import quickup_tool as q

            def run(ctx):
                db = ctx.datasource("orders_db")
                q.progress(done=1, total=4, message="one of four")
                q.log("connecting to %s:%s as %s" % (db.host, db.port, db.user), level="warning")
                raise ValueError("table orders has no column owner_id")
            """)
        let context = #"{"datasources":{"orders_db":{"type":"mariadb","host":"127.0.0.1","port":3306,"user":"upgrader","password":"pw"}}}"#
        let (outcome, events) = try await fixture.run(try invocation(fixture, entry: ("reporting", "run"), context: context))
        #expect(outcome.ending == .exited(1))
        #expect(outcome.stderrTail.contains("ValueError: table orders has no column owner_id"))
        #expect(outcome.stderrTail.contains("Traceback"))
        #expect(events.contains(.message(.progress(fraction: 0.25, message: "one of four"))))
        #expect(events.contains(.message(.log(level: "warn", message: "connecting to 127.0.0.1:3306 as upgrader"))))
    }

    @Test("a module of a package runs, and the helper loads no module the bare interpreter does not (start-up, issue 20.2)")
    func loadsNothingExtra() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        try fixture.script("tools/pkg/__init__.py", "")
        try fixture.script("tools/pkg/mod.py", "import sys\n\ndef modules(ctx):\n    return {\"modules\": sorted(sys.modules)}\n")
        // Debian's interpreter where there is one: pyenv's loads importlib by itself, which would hide it.
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        var tool = try invocation(fixture, entry: ("pkg.mod", "modules"), context: "{}")
        tool.arguments[0] = python
        let (outcome, _) = try await fixture.run(tool)
        #expect(outcome.succeeded, "\(outcome.stderrTail)")
        let result = try JSONSerialization.jsonObject(with: Data(try #require(outcome.result).utf8)) as? [String: [String]]
        let loaded = Set(try #require(result?["modules"]))

        // The same interpreter, bare: what it loads by itself (site, .pth files) is not the helper's.
        var bare = fixture.invocation("unused")
        bare.arguments = [python, "-c", "import sys; print(' '.join(sorted(sys.modules)))"]
        let (bareOutcome, events) = try await fixture.run(bare)
        #expect(bareOutcome.succeeded, "\(bareOutcome.stderrTail)")
        let baseline = Set(events.compactMap { event -> [String]? in
            if case .message(.text(let line)) = event { return line.split(separator: " ").map(String.init) }
            return nil
        }.flatMap { $0 })
        try #require(baseline.contains("sys"), "the bare interpreter's module list: \(events)")
        // The helper and the tool's package and module — nothing else: a context without escapes
        // is read without CPython's C JSON scanner, a shared library loaded at ~0.12 ms.
        let extra = loaded.subtracting(baseline).subtracting(["quickup_tool", "pkg", "pkg.mod"])
        #expect(extra.isEmpty, "modules the helper loaded for every tool: \(extra.sorted())")
    }

    /// `python3`, and the oldest Python 3 that pyenv holds on this machine, if any: a tool runs on
    /// the site's own interpreter, often an old one (the helper needs nothing newer than 3.6).
    static let interpreters: [String] = {
        let root = "\(NSHomeDirectory())/.pyenv/versions"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { name -> (Int, String)? in
            let parts = name.split(separator: ".").compactMap { Int($0) }
            guard parts.count >= 2, parts[0] == 3, FileManager.default.isExecutableFile(atPath: "\(root)/\(name)/bin/python3") else { return nil }
            return (parts[1], "\(root)/\(name)/bin/python3")
        }
        return ["python3"] + (versions.min { $0.0 < $1.0 }.map { [$0.1] } ?? [])
    }()

    @Test("the helper reads and writes JSON as Python's json module does: 4,000 seeded documents, escapes, numbers, nesting, bad input (issue 20.2)",
          arguments: interpreters)
    func readsAndWritesAsJSON(python: String) async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let helper = try PythonHelper.install(in: "\(fixture.directory)/helper")
        // Each document is read by the helper (its own reader or the C scanner it falls back to) and
        // by json; a document json refuses must be refused; what the helper writes, json reads back.
        let check = #"""
            import json, random, sys
            import quickup_tool as q
            random.seed(20)
            letters = 'ab é中/"\\\n\t\x01:,{}[]'
            def text():
                return ''.join(random.choice(letters) for _ in range(random.randint(0, 6)))
            def document(depth=0):
                r = random.random()
                if depth > 3 or r < 0.5:
                    return random.choice([lambda: random.randint(-10**20, 10**20), lambda: random.uniform(-1e6, 1e6),
                                          lambda: random.choice([True, False, None, -0.0, 1e300, 1.5e-7, 0, -1]), text])()
                if r < 0.75:
                    return [document(depth + 1) for _ in range(random.randint(0, 4))]
                return {text(): document(depth + 1) for _ in range(random.randint(0, 4))}
            fast = 0
            for _ in range(4000):
                value = document()
                layout = random.choice([{}, {"indent": 1}, {"separators": (",", ":")}, {"separators": (" , ", " : "), "indent": "\t"}])
                for ascii in (True, False):
                    encoded = json.dumps(value, ensure_ascii=ascii, **layout)
                    assert repr(q._loads(encoded)) == repr(json.loads(encoded)), encoded
                    try:
                        if repr(q._parse(encoded)) == repr(json.loads(encoded)):
                            fast += 1
                    except (ValueError, IndexError):
                        pass
                    assert json.loads(q._dumps(value)) == json.loads(encoded), value
            for bad in ['{"a":1,}', '[1,]', '{"a" 1}', '[1 2]', '{', '"abc', 'tru', '{"a":-}', '[01]', '[-01]', '[1.]', '[.5]', '[+1]', '{"a":1}x', '[1e]', '["a\tb"]', '["a\nb"]']:
                try:
                    q._parse(bad)
                except (ValueError, IndexError):
                    continue
                raise AssertionError("the helper's reader accepted %r" % bad)
            assert fast > 1000, fast
            print("ok", fast)
            """#
        var tool = fixture.invocation("unused")
        tool.arguments = [python, "-c", check]
        tool.environment["PYTHONPATH"] = helper
        let (outcome, events) = try await fixture.run(tool)
        #expect(outcome.succeeded, "\(outcome.stderrTail)")
        #expect(events.contains { if case .message(.text(let line)) = $0 { line.hasPrefix("ok ") } else { false } }, "\(events)")
    }

    @Test("a missing function is a clear error naming the module file")
    func missingFunction() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        try fixture.script("tools/empty.py", "x = 1\n")
        let (outcome, _) = try await fixture.run(try invocation(fixture, entry: ("empty", "nothing"), context: "{}"))
        #expect(outcome.ending == .exited(2))
        #expect(outcome.stderrTail.contains("empty.py has no function 'nothing'"))
    }
}
