// libFuzzer harness for PropertiesReader (SPEC M1). Built by scripts/fuzz.sh together with the
// QuickupCore sources into one module, so it calls the parser directly. A broken invariant
// calls fatalError, which libFuzzer reports as a crash and saves the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPropertiesReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let lineCount = physicalLineCount(bytes)
    do {
        let entries = try PropertiesReader.parse(bytes: bytes, file: "fuzz.properties")
        var previousLine = 1
        for entry in entries {
            guard entry.line >= previousLine, entry.line <= lineCount else {
                fatalError("entry line \(entry.line) out of order or outside 1...\(lineCount)")
            }
            previousLine = entry.line
        }
        if let text = String(validating: bytes, as: UTF8.self) {
            let fromText = try PropertiesReader.parse(text, file: "fuzz.properties")
            guard fromText == entries else { fatalError("parse(text) and parse(bytes:) disagree") }
        }
        checkRoundTrip(entries)
    } catch {
        guard error.code == .propertiesSyntax, let line = error.location?.line, line >= 1, line <= lineCount else {
            fatalError("unexpected error: \(error)")
        }
    }
    return 0
}

/// Writing the entries back with every special character escaped must read back identically:
/// the unescaper and the key/value split agree with each other on every string the reader makes.
private func checkRoundTrip(_ entries: [PropertiesEntry]) {
    var text = ""
    for entry in entries {
        text += escaped(entry.key) + "=" + escaped(entry.value) + "\n"
    }
    do {
        let reread = try PropertiesReader.parse(text, file: "roundtrip.properties")
        let pairs = entries.map { [$0.key, $0.value] }
        guard reread.map({ [$0.key, $0.value] }) == pairs else { fatalError("round trip changed entries") }
        guard reread.map(\.line) == Array(1..<(entries.count + 1)) else {
            fatalError("round trip changed lines")
        }
    } catch {
        fatalError("round trip failed: \(error)")
    }
}

private func escaped(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": result += "\\\\"
        case "\t": result += "\\t"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\u{0C}": result += "\\f"
        case " ", "=", ":", "#", "!": result += "\\" + String(scalar)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// CR, LF and CRLF each end one line.
private func physicalLineCount(_ bytes: [UInt8]) -> Int {
    var count = 1
    for (index, byte) in bytes.enumerated()
    where byte == 0x0D || (byte == 0x0A && (index == 0 || bytes[index - 1] != 0x0D)) {
        count += 1
    }
    return count
}
