import Foundation
import QuickupCore
import QuickupTestSupport
import Testing

/// K1: random edit programs over random YAML documents, judged by PyYAML: the edited document
/// loads to the original's data with the program applied (in Python, on loaded data), and every
/// line outside the edited paths is byte-identical, in order. Refusals must name file:line and
/// stay a minority (they are for duplicate keys on the path, flow collections, scalars in the way).
///
/// Reproduce with `CONFIG_EDIT_SEED=<n>`; widen with `CONFIG_EDIT_PROGRAMS=<count>`.
@Suite("Config: YAML editor judged by PyYAML")
struct YAMLEditorDifferentialTests {
    static let defaultSeed: UInt64 = 0xC0F1_6E02

    struct Case {
        var index: Int
        var document: YAMLDocumentGenerator
        var original: String
        var edited: String
        var program: [(path: ConfigPath, value: String?)]
        var text: String
    }

    @Test("1,000 random edit programs: PyYAML loads exactly the intended data, untouched lines stay byte for byte")
    func editsMatchPyYAML() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["CONFIG_EDIT_SEED"].flatMap { UInt64($0) } ?? Self.defaultSeed
        let count = environment["CONFIG_EDIT_PROGRAMS"].flatMap { Int($0) } ?? 1_000
        var cases: [Case] = []
        var refused = 0
        for index in 0..<count {
            var document = YAMLDocumentGenerator(seed: seed, index: index)
            let original = document.document()
            let (program, text) = Self.program(&document)
            let changes = try ConfigChangeParser.parse(text, format: .yaml, file: "change.txt")
            #expect(changes.count == program.count)
            do {
                let edited = try YAMLEditor.apply(changes, to: original, file: "t.yaml")
                cases.append(Case(index: index, document: document, original: original, edited: edited, program: program, text: text))
            } catch {
                refused += 1
                // The change file's line always; the document's line too wherever the path exists.
                #expect(error.code == .configChange && error.location?.file == "change.txt" && error.location?.line != nil,
                        "#\(index): a refusal must say where: \(error)")
            }
        }
        let verdicts = try Self.judge(cases)
        var mismatches = 0
        for (position, testCase) in cases.enumerated() {
            if verdicts[position] != "OK" {
                mismatches += 1
                if mismatches <= 5 { Issue.record("#\(testCase.index): \(verdicts[position])\n\(Self.describe(testCase))") }
            } else if !Self.untouchedLinesPreserved(testCase) {
                mismatches += 1
                if mismatches <= 5 { Issue.record("#\(testCase.index): an untouched line changed\n\(Self.describe(testCase))") }
            }
        }
        print("yaml editor differential: seed \(seed), \(count) programs, \(cases.count) applied, \(refused) refused, \(mismatches) mismatches")
        #expect(mismatches == 0)
        #expect(refused < count / 4, "too many refusals: \(refused) of \(count)")
    }

    static func describe(_ testCase: Case) -> String {
        "change file:\n\(testCase.text)--- original\n\(testCase.original)--- edited\n\(testCase.edited)"
    }

    /// 1–3 operations: on existing entries/items, new keys under existing mappings, list appends.
    static func program(_ document: inout YAMLDocumentGenerator) -> ([(path: ConfigPath, value: String?)], String) {
        var program: [(path: ConfigPath, value: String?)] = []
        var text = ""
        for _ in 0..<Int.random(in: 1...3, using: &document.rng) {
            var components: [ConfigPath.Component]
            switch Int.random(in: 0..<10, using: &document.rng) {
            case 0..<5 where !document.paths.isEmpty:
                components = document.pick(document.paths)
            case 5..<7:
                components = document.pick(document.mappings) + [.key(document.pick(["fresh", "new.key", "新"]))]
                if document.chance(0.3) { components.append(.key("deeper")) }
            case 7 where !document.lists.isEmpty:
                let (path, count) = document.pick(document.lists)
                components = path + [.index(count)]
            default:
                components = document.pick(document.mappings) + [.key("port")]
            }
            guard !components.isEmpty else { continue }
            let path = ConfigPath(components)
            if document.chance(0.25) {
                program.append((path, nil))
                text += "remove \(path)\n"
            } else {
                let value = document.pick(["9090", "false", "\"new: value\"", "'q'", "text with spaces", "null", "[a, b]", "{k: v}", "值", "\"\""])
                program.append((path, value))
                text += "set \(path) = \(value)\n"
            }
        }
        return (program, text)
    }

    /// Lines whose node path is unrelated to every edited path must survive, in order.
    static func untouchedLinesPreserved(_ testCase: Case) -> Bool {
        func isPrefix(_ a: [ConfigPath.Component], of b: [ConfigPath.Component]) -> Bool {
            a.count <= b.count && Array(b.prefix(a.count)) == a
        }
        let edited = testCase.edited.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        var cursor = 0
        for line in testCase.document.lines {
            let related = testCase.program.contains { operation in
                let target = operation.path.components
                return isPrefix(line.path, of: target) || isPrefix(target, of: line.path)
                    || (operation.value == nil && isPrefix(Array(target.dropLast()), of: line.path))
            }
            if related { continue }
            // The one deliberate exception: a clipped block scalar ending the file becomes `|-`
            // when something is appended after it (its value stays the same).
            let header = line.text.hasSuffix("|") || line.text.hasSuffix(">")
            guard let found = edited[cursor...].firstIndex(where: { $0 == line.text || (header && $0 == line.text + "-") }) else { return false }
            cursor = found + 1
        }
        return true
    }

    /// PyYAML loads original and edited text and applies the program to the loaded data.
    static func judge(_ cases: [Case]) throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-yaml-judge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("cases.json")
        let payload: [[String: Any]] = cases.map { testCase in
            ["original": testCase.original, "edited": testCase.edited,
             "ops": testCase.program.map { operation -> [Any] in
                 let path: [Any] = operation.path.components.map { component -> Any in
                     switch component {
                     case .key(let key): return key
                     case .index(let index): return index
                     }
                 }
                 return operation.value.map { ["set", path, $0] } ?? ["remove", path]
             }]
        }
        try JSONSerialization.data(withJSONObject: payload).write(to: input)
        let script = directory.appendingPathComponent("judge.py")
        try judgeSource.write(to: script, atomically: true, encoding: .utf8)
        let process = try ChildProcess.run(["python3", script.path, input.path])
        let output = process.stdout
        let verdicts = output.split(separator: "\n").map(String.init)
        guard process.status == 0, verdicts.count == cases.count else {
            throw QuickupError(.io, "the PyYAML judge failed (status \(process.status)); is python3-yaml installed?\n\(output)")
        }
        return verdicts
    }

    static let judgeSource = #"""
        import json, sys, yaml

        def apply(data, ops):
            for op in ops:
                path = op[1]
                if data is None:
                    data = {}
                node = data
                if op[0] == "set":
                    value = yaml.safe_load(op[2])
                    for component in path[:-1]:
                        if isinstance(component, int):
                            node = node[component]
                        else:
                            if node.get(component) is None:
                                node[component] = {}
                            node = node[component]
                    last = path[-1]
                    if isinstance(last, int) and last == len(node):
                        node.append(value)
                    else:
                        node[last] = value
                else:
                    missing = False
                    for component in path[:-1]:
                        if isinstance(component, int):
                            if not isinstance(node, list) or component >= len(node):
                                missing = True; break
                        elif not isinstance(node, dict) or component not in node:
                            missing = True; break
                        node = node[component]
                    last = path[-1]
                    if missing or not isinstance(node, (dict, list)):
                        continue
                    if isinstance(node, dict) and last in node:
                        del node[last]
                    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
                        del node[last]
            return data

        for case in json.load(open(sys.argv[1])):
            try:
                expected = apply(yaml.safe_load(case["original"]), case["ops"])
            except Exception as error:
                print("PROGRAM CANNOT APPLY IN PYTHON BUT WAS NOT REFUSED: %r" % error)
                continue
            try:
                actual = yaml.safe_load(case["edited"])
            except Exception as error:
                print("EDITED FILE DOES NOT PARSE: %s" % str(error).replace("\n", " "))
                continue
            print("OK" if actual == expected else "DIFFERENT DATA: expected %r, got %r" % (expected, actual))
        """#
}
