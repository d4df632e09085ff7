import Foundation
import QuickupCore

/// Where the CLI writes: results to stdout, diagnostics to stderr. Control characters that came
/// from the input (a manifest's ESC or BEL, a tool's `\r`) are written escaped (issue 13 item 7).
enum Console {
    static func out(_ text: String) { print(ControlCharacters.escaped(text)) }

    /// Text quickup formatted itself with colours (the assessment's terminal report): its own SGR
    /// sequences stay, every other control character is escaped.
    static func outFormatted(_ text: String) { print(ControlCharacters.escaped(text, keepingColours: true)) }

    /// Writes a large result piece by piece (issue 20: a plan of 100,000 tasks), escaped as
    /// `out` escapes it, then the line break `out` adds. Written with `print`, so it stays in
    /// order with everything else printed.
    static func stream(_ body: (inout Stream) throws -> Void) rethrows {
        var stream = Stream()
        try body(&stream)
        stream.write("\n")
    }

    struct Stream: TextOutputStream {
        mutating func write(_ string: String) {
            // Escaping is per character, so escaping each piece equals escaping the whole text.
            print(ControlCharacters.escaped(string), terminator: "")
        }
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((ControlCharacters.escaped(text) + "\n").utf8))
    }
}
