import Foundation

/// A resolved password held in memory for (re)connecting (D4). Printing, interpolating, dumping or
/// debugging it shows `(redacted)`: only a driver's call into its client library reads `value`.
struct RedactedSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    init(_ value: String) { self.value = value }

    var description: String { "(redacted)" }
    var debugDescription: String { "(redacted)" }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// `text` with every occurrence of the secret replaced, for messages that quote what a server
    /// or library said: none is known to echo a password, but a message is no place to find out.
    func redact(_ text: String) -> String {
        guard !value.isEmpty else { return text }
        return text.replacingOccurrences(of: value, with: "(redacted)")
    }
}
