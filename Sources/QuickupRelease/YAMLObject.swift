import QuickupCore
import Yams

/// Shared sink for problems found while reading one set of YAML files.
final class DiagnosticSink {
    var diagnostics = Diagnostics()
    func error(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        diagnostics.error(message, at: location, hint: hint)
    }
}

/// A YAML mapping read with line numbers: every accessor records the key as known, and
/// `finish()` reports the keys nobody asked for (typos must not be ignored, M5).
final class YAMLObject {
    let file: String
    let node: Node
    let sink: DiagnosticSink
    private var entries: [(key: String, value: Node, line: Int?)] = []
    private var used: Set<String> = []

    init?(_ node: Node, file: String, sink: DiagnosticSink, what: String) {
        self.file = file
        self.node = node
        self.sink = sink
        guard let mapping = node.mapping else {
            sink.error("expected \(what) to be a mapping of keys to values", at: SourceLocation(file: file, line: node.mark?.line))
            return nil
        }
        var seen: [String: Int?] = [:]
        for (key, value) in mapping {
            let name = key.string ?? ""
            if let first = seen[name] {
                sink.error("duplicate key '\(name)'" + (first.map { " (first at line \($0))" } ?? ""),
                           at: SourceLocation(file: file, line: key.mark?.line, key: name))
                continue
            }
            seen[name] = key.mark?.line
            entries.append((name, value, key.mark?.line))
        }
    }

    /// Parses a whole file; nil (with an error recorded) when it is not valid YAML.
    static func load(text: String, file: String, sink: DiagnosticSink, what: String) -> YAMLObject? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                sink.error("\(what) is empty", at: SourceLocation(file: file, line: 1))
                return nil
            }
            return YAMLObject(node, file: file, sink: sink, what: what)
        } catch let error as YamlError {
            sink.error("not valid YAML: \(Self.problem(of: error))", at: SourceLocation(file: file, line: Self.line(of: error)))
        } catch {
            sink.error("not valid YAML: \(error)", at: SourceLocation(file: file))
        }
        return nil
    }

    var line: Int? { node.mark?.line }
    var keys: [String] { entries.map(\.key) }

    func location(_ key: String? = nil) -> SourceLocation {
        let line = key.flatMap { k in entries.first { $0.key == k }?.line } ?? node.mark?.line
        return SourceLocation(file: file, line: line, key: key)
    }

    func value(_ key: String) -> Node? {
        used.insert(key)
        return entries.first { $0.key == key }?.value
    }

    func string(_ key: String, required: Bool = false) -> String? {
        guard let node = value(key) else {
            if required { sink.error("missing key '\(key)'", at: location()) }
            return nil
        }
        guard let scalar = node.scalar else {
            sink.error("expected a single value", at: location(key))
            return nil
        }
        return scalar.string
    }

    func int(_ key: String, min: Int = 0) -> Int? {
        guard let text = string(key) else { return nil }
        guard let n = Int(text), n >= min else {
            sink.error("invalid value '\(text)': expected an integer ≥ \(min)", at: location(key))
            return nil
        }
        return n
    }

    func double(_ key: String) -> Double? {
        guard var text = string(key) else { return nil }
        if text.hasSuffix("%") { text.removeLast() }
        guard let n = Double(text), n.isFinite, n >= 0 else {
            sink.error("invalid value '\(text)': expected a number", at: location(key))
            return nil
        }
        return n
    }

    func parsed<T>(_ key: String, expected: String, _ parse: (String) -> T?) -> T? {
        guard let text = string(key) else { return nil }
        guard let value = parse(text) else {
            sink.error("invalid value '\(text)': expected \(expected)", at: location(key))
            return nil
        }
        return value
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) -> T? where T.RawValue == String {
        parsed(key, expected: T.allCases.map(\.rawValue).joined(separator: "|"), T.init(rawValue:))
    }

    /// A list of strings; a single scalar is accepted as a one-item list.
    func strings(_ key: String) -> [String]? {
        guard let node = value(key) else { return nil }
        if let scalar = node.scalar { return scalar.string.isEmpty ? [] : [scalar.string] }
        guard let sequence = node.sequence else {
            sink.error("expected a list", at: location(key))
            return nil
        }
        return sequence.compactMap { item in
            guard let s = item.scalar?.string else {
                sink.error("expected a list of names", at: SourceLocation(file: file, line: item.mark?.line, key: key))
                return nil
            }
            return s
        }
    }

    func object(_ key: String) -> YAMLObject? {
        value(key).flatMap { YAMLObject($0, file: file, sink: sink, what: "'\(key)'") }
    }

    func objects(_ key: String) -> [YAMLObject] {
        guard let node = value(key) else { return [] }
        guard let sequence = node.sequence else {
            sink.error("expected a list", at: location(key))
            return []
        }
        return sequence.compactMap { YAMLObject($0, file: file, sink: sink, what: "an item of '\(key)'") }
    }

    /// Entries of a mapping whose keys are names (datasources by name, hooks by point).
    func namedObjects(_ key: String) -> [(name: String, object: YAMLObject)] {
        guard let object = object(key) else { return [] }
        return object.keys.compactMap { name in
            object.value(name).flatMap { YAMLObject($0, file: file, sink: sink, what: "'\(key).\(name)'") }.map { (name, $0) }
        }
    }

    /// Reports every key not read, with the keys that are accepted.
    func finish(context: String) {
        for entry in entries where !used.contains(entry.key) {
            sink.error("unknown key '\(entry.key)' in \(context)", at: SourceLocation(file: file, line: entry.line, key: entry.key),
                       hint: "accepted keys: \(used.sorted().joined(separator: ", "))")
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            // The parser notices an unclosed `{`, `[` or quote where the file ends: name the line
            // where it was opened too, which is the line to fix.
            let opened = context.flatMap { $0.mark.line != mark.line ? " (opened on line \($0.mark.line))" : nil } ?? ""
            return [context.map { "\($0.text)\(opened)" }, problem].compactMap { $0 }.joined(separator: ": ")
        default: return "\(error)"
        }
    }
}
