import Foundation
import QuickupCore
import Testing

/// K1: the change-file grammar, each format's editor on hand-written files, refusals with
/// file:line, idempotent re-runs, and the unified diff shown by dry runs.
@Suite("Config: change files and editors")
struct ConfigEditorTests {
    func edit(_ format: ConfigFormat, _ change: String, _ original: String) throws -> String {
        let editor = ConfigEditor(format: format, changeText: change, changeFile: "base/upgrade/V2/config/change.txt")
        return String(decoding: try editor.apply(to: Array(original.utf8), targetName: "app.conf"), as: UTF8.self)
    }

    func errors(_ format: ConfigFormat, _ change: String, _ original: String = "") -> [QuickupError] {
        do {
            _ = try edit(format, change, original)
            return []
        } catch let errors as QuickupErrors {
            return errors.errors
        } catch {
            return []
        }
    }

    @Test("change file grammar: every bad line is reported with file:line and what was expected")
    func grammarErrors() {
        let found = errors(.properties, "# ok\nset a = 1\nput b = 2\nset c 3\nremove\nset \"x\\q\" = 1\nremove a b\n")
        #expect(found.map { $0.location?.line } == [3, 4, 5, 6, 7])
        #expect(found.allSatisfy { $0.code == .configChange && $0.location?.file == "base/upgrade/V2/config/change.txt" })
        #expect(found[0].message.contains("unknown operation 'put'"))
        #expect(errors(.yaml, "set a..b = 1\nset a[x] = 2\n").map { $0.location?.line } == [1, 2])
        #expect(errors(.flink, "set a = has # hash\n", "a: 1\n").first?.location?.line == 1)
    }

    @Test("properties: untouched comments, blank lines, escapes, continuations and CRLF stay byte for byte")
    func propertiesPreserve() throws {
        let original = "# header\r\n\r\nserver.port = 8080\r\nmulti = a,\\\r\n    b\r\n! bang\r\nkeep\\ me : x\\u00e9\r\nflag\r\n"
        let result = try edit(.properties, "set server.port = 9090\nset multi = one\nremove gone\nset flag = on\nset new.key = \" lead\"\n", original)
        #expect(result == "# header\r\n\r\nserver.port = 9090\r\nmulti = one\r\n! bang\r\nkeep\\ me : x\\u00e9\r\nflag=on\r\nnew.key=\\ lead\r\n")
        #expect(try edit(.properties, "remove multi\n", original) == "# header\r\n\r\nserver.port = 8080\r\n! bang\r\nkeep\\ me : x\\u00e9\r\nflag\r\n")
    }

    @Test("properties: values are escaped as java.util.Properties reads them; ASCII-only files stay ASCII")
    func propertiesEscapes() throws {
        let result = try edit(.properties, "set k = \"a=b:c#d!e\\\\f\\tg\\n中\"\n", "k=1\n")
        #expect(result == "k=a\\=b\\:c\\#d\\!e\\\\f\\tg\\n\\u4E2D\n")
        #expect(try edit(.properties, "set k = 中文\n", "other=值\nk=1\n") == "other=值\nk=中文\n")
    }

    @Test("properties: a key written twice is refused with both lines; a continuation at end of file is not joined")
    func propertiesAmbiguous() throws {
        let found = errors(.properties, "set a = 3\n", "a=1\nb=2\na=2\n")
        #expect(found.first?.message.contains("lines 1, 3") == true)
        #expect(try edit(.properties, "set n = v\n", "x=1\na=b\\\n") == "x=1\nn=v\na=b\\\n")
    }

    @Test("re-running a change file on its own result changes nothing (crash-safe re-runs)")
    func idempotent() throws {
        let cases: [(ConfigFormat, String, String)] = [
            (.properties, "set a = 2\nremove b\nset c = 3\n", "a=1\nb=2\n"),
            (.yaml, "set server.port = 9090\nremove spring.redis\nset spring.new.x = 1\nset list[2] = c\n",
             "server:\n  port: 8080 # web\nspring:\n  redis:\n    host: h\nlist:\n- a\n- b\n"),
            (.flink, "set taskmanager.numberOfTaskSlots = 4\nremove parallelism.default\n", "taskmanager.numberOfTaskSlots: 2\nparallelism.default: 1\n"),
            (.file, "server { listen 8080; }\n", "old\n"),
        ]
        for (format, change, original) in cases {
            let once = try edit(format, change, original)
            #expect(once != original)
            if format == .yaml {
                // Appending to a list is the one non-idempotent operation by nature; without it:
                let stable = change.replacingOccurrences(of: "set list[2] = c\n", with: "")
                let first = try edit(format, stable, original)
                #expect(try edit(format, stable, first) == first)
            } else {
                #expect(try edit(format, change, once) == once, "\(format)")
            }
        }
    }

    @Test("yaml: values, new keys, list items and removals keep comments, quoting and anchors elsewhere")
    func yamlEdits() throws {
        let original = """
            # service config
            server:
              port: 8080   # http port
              name: 'web'
            spring:
              redis:
                host: &h "10.0.0.1"
                timeout: 5s
            servers:
              - host: a
                port: 1
              - host: b
            """ + "\n"
        let change = "set server.port = 9090\nremove spring.redis.timeout\nset servers[1].port = 2\nset logging.level.root = INFO\nremove servers[0].host\n"
        #expect(try edit(.yaml, change, original) == """
            # service config
            server:
              port: 9090   # http port
              name: 'web'
            spring:
              redis:
                host: &h "10.0.0.1"
            servers:
              - port: 1
              - host: b
                port: 2
            logging:
              level:
                root: INFO
            """ + "\n")
    }

    @Test("yaml: duplicate keys, flow mappings, anchored values with aliases and scalars in the way are refused with file:line")
    func yamlRefusals() {
        let duplicate = errors(.yaml, "set a.b = 1\n", "x: 1\na:\n  b: 1\na:\n  c: 2\n")
        #expect(duplicate.first?.message.contains("app.conf:4") == true)
        #expect(duplicate.first?.location?.line == 1)
        #expect(errors(.yaml, "set a.b = 2\n", "a: {b: 1}\n").first?.message.contains("flow collection") == true)
        #expect(errors(.yaml, "set a = 2\n", "a: &x 1\nb: *x\n").first?.message.contains("aliased") == true)
        #expect(errors(.yaml, "set a.b = 2\n", "a: text\n").first?.message.contains("app.conf:1") == true)
        #expect(errors(.yaml, "set a = 1\n", "a: 1\n---\nb: 2\n").first?.message.contains("several YAML documents") == true)
    }

    @Test("flink: flat key: value lines, trailing comments kept, new keys appended")
    func flink() throws {
        let original = "# Flink\njobmanager.rpc.address: localhost  # master\ntaskmanager.numberOfTaskSlots: 1\n"
        let result = try edit(.flink, "set jobmanager.rpc.address = jm.internal\nset state.backend = rocksdb\nremove taskmanager.numberOfTaskSlots\n", original)
        #expect(result == "# Flink\njobmanager.rpc.address: jm.internal  # master\nstate.backend: rocksdb\n")
        #expect(FlinkConfEditor.read(result) == ["jobmanager.rpc.address": "jm.internal", "state.backend": "rocksdb"])
    }

    @Test("unified diff: hunks with context, counts, and the missing-newline marker")
    func diff() {
        let old = (1...10).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n") + "tail"
        #expect(UnifiedDiff.render(old: old, new: new, oldName: "a/app.conf", newName: "b/app.conf") == """
            --- a/app.conf
            +++ b/app.conf
            @@ -2,9 +2,10 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8
             line 9
             line 10
            +tail
            \\ No newline at end of file

            """)
        #expect(UnifiedDiff.render(old: old, new: old, oldName: "a", newName: "b") == "")
    }
}
