import Foundation
import QuickupCore

/// Where the CLI writes: results to stdout, diagnostics to stderr. Control characters that came
/// from the input (a manifest's ESC or BEL, a tool's `\r`) are written escaped (issue 13 item 7).
enum Console {
    static func out(_ text: String) { print(ControlCharacters.escaped(text)) }

    /// Text quickup formatted itself with colours (the assessment's terminal report): its own SGR
    /// sequences stay, every other control character is escaped.
    static func outFormatted(_ text: String) { print(ControlCharacters.escaped(text, keepingColours: true)) }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((ControlCharacters.escaped(text) + "\n").utf8))
    }
}
