import QuickupCore
import Yams

/// The independent check of a YAML edit (SPEC K1): Yams parses the original, the program is
/// applied to the parsed tree, and the edited text must parse to exactly that tree. The line
/// editor in QuickupCore never re-serialises; this proves its result means what was asked.
public enum YAMLEditCheck {
    public static func verify(original: String, edited: String, changes: [ConfigChange], file: String) throws(QuickupError) {
        func failure(_ why: String) -> QuickupError {
            QuickupError(.configChange, "the edited \(file) does not mean what the change file asks: \(why)",
                         at: changes.first?.location, hint: "nothing was written; edit this file by hand and report its shape")
        }
        do {
            var expected = try Yams.compose(yaml: original) ?? Node.mapping(Node.Mapping([]))
            for change in changes {
                let path = try ConfigPath.parse(change.key, at: change.location).components[...]
                switch change.operation {
                case .set(_, let text):
                    let value = try Yams.compose(yaml: text) ?? Node("null", Tag(.null))
                    guard let updated = set(expected, path, value) else { throw failure("'\(change.key)' cannot be set in the parsed document") }
                    expected = updated
                case .remove:
                    expected = remove(expected, path)
                }
            }
            let actual = try Yams.compose(yaml: edited) ?? Node.mapping(Node.Mapping([]))
            guard actual == expected else { throw failure("Yams reads different data") }
        } catch let error as QuickupError {
            throw error
        } catch {
            throw failure("Yams cannot parse it: \(error)")
        }
    }

    static func set(_ node: Node?, _ path: ArraySlice<ConfigPath.Component>, _ value: Node) -> Node? {
        guard let first = path.first else { return value }
        switch first {
        case .key(let key):
            var mapping = node?.mapping ?? Node.Mapping([])
            guard let child = set(mapping[key], path.dropFirst(), value) else { return nil }
            mapping[key] = child
            return .mapping(mapping)
        case .index(let index):
            guard var sequence = node?.sequence else { return nil }
            if index == sequence.count && path.count == 1 {
                sequence.append(value)
            } else if index < sequence.count, let child = set(sequence[index], path.dropFirst(), value) {
                sequence[index] = child
            } else {
                return nil
            }
            return .sequence(sequence)
        }
    }

    static func remove(_ node: Node, _ path: ArraySlice<ConfigPath.Component>) -> Node {
        guard let first = path.first else { return node }
        switch first {
        case .key(let key):
            guard var mapping = node.mapping, let child = mapping[key] else { return node }
            mapping[key] = path.count == 1 ? nil : remove(child, path.dropFirst())
            return .mapping(mapping)
        case .index(let index):
            guard var sequence = node.sequence, index < sequence.count else { return node }
            if path.count == 1 { sequence.remove(at: index) } else { sequence[index] = remove(sequence[index], path.dropFirst()) }
            return .sequence(sequence)
        }
    }
}
