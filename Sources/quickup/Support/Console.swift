import Foundation

/// Where the CLI writes: results to stdout, diagnostics to stderr.
enum Console {
    static func out(_ text: String) { print(text) }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
