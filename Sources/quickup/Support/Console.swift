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
    /// `out` escapes it, then the line break `out` adds. Written with `print` — or, for bytes
    /// with nothing to escape, straight to file descriptor 1 once `print`'s buffer is flushed —
    /// so it stays in order with everything else printed.
    static func stream(_ body: (inout Stream) throws -> Void) rethrows {
        var stream = Stream()
        defer { stream.flush() }
        try body(&stream)
        stream.write("\n")
    }

    /// Gathers pieces into chunks of about 64 KB before printing them: one `print` per piece
    /// (several per task) cost more than making the pieces (issue 20 item 1).
    struct Stream: UTF8OutputStream {
        private var pending = ""
        private static let chunk = 1 << 16

        mutating func write(_ string: String) {
            pending += string
            if pending.utf8.count >= Self.chunk { flush() }
        }

        /// Bytes with nothing to escape go to standard output as they are, others as text (P5,
        /// issue 20.1: a plan's tasks come a component, ~1.6 MB, at a time). What `print` holds
        /// in its buffer is written first, so the order holds.
        mutating func write(utf8 bytes: [UInt8]) {
            guard !ControlCharacters.needsEscaping(utf8: bytes) else {
                return write(String(decoding: bytes, as: UTF8.self))
            }
            flush()
            fflush(nil)
            bytes.withUnsafeBytes { Self.writeAll($0) }
        }

        /// Writes to file descriptor 1 until done; a failed write ends it, as `print` goes on
        /// after one (a closed pipe, a full disk).
        private static func writeAll(_ bytes: UnsafeRawBufferPointer) {
            var offset = 0
            while offset < bytes.count, let base = bytes.baseAddress {
                let written = Foundation.write(STDOUT_FILENO, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }

        mutating func flush() {
            guard !pending.isEmpty else { return }
            // Escaping is per character, so escaping each chunk equals escaping the whole text.
            print(ControlCharacters.escaped(pending), terminator: "")
            pending = ""
            pending.reserveCapacity(Self.chunk + 4096)
        }
    }

    static func error(_ text: String) {
        write(ControlCharacters.escaped(text) + "\n", to: .standardError)
    }

    /// Writes without `FileHandle.write(_:)`, which traps when the write fails: a closed pipe
    /// (`quickup … | head`) or a full disk behind a redirection must not stop a run midway.
    static func write(_ text: String, to handle: FileHandle) {
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            // The reader went away or the disk is full: the run goes on, its logs and journal keep the record.
        }
    }
}
