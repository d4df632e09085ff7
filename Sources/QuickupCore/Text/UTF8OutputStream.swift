/// A text output that also takes UTF-8 bytes as they are (P5, issue 20.1): a plan of 100,000
/// tasks is written as ~80 MB of bytes, and making them a `String` first validates every byte
/// once more only for the output to take the bytes back out.
public protocol UTF8OutputStream: TextOutputStream {
    /// Writes `bytes` — valid UTF-8 — exactly as `write(String(decoding: bytes, as: UTF8.self))`.
    mutating func write(utf8 bytes: [UInt8])
}

/// Any text output as a `UTF8OutputStream`: bytes become a `String` first.
struct TextOnly<Base: TextOutputStream>: UTF8OutputStream {
    var base: Base

    mutating func write(_ string: String) { base.write(string) }

    mutating func write(utf8 bytes: [UInt8]) { base.write(String(decoding: bytes, as: UTF8.self)) }
}
