// libFuzzer harness for Version.parse (SPEC V1-V3). Built by scripts/fuzz.sh together with the
// QuickupCore sources into one module. A broken invariant calls fatalError, which libFuzzer
// reports as a crash and saves the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVersionParse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // A NUL splits the input into two candidates so ordering can be checked on pairs.
    let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    let texts = parts.map { String(decoding: $0, as: UTF8.self) }
    let versions = texts.map(checkOne)
    if versions.count == 2, let a = versions[0], let b = versions[1] {
        checkOrder(a, b)
    }
    return 0
}

/// Parses one text and checks what a successful parse promises.
private func checkOne(_ text: String) -> Version? {
    let parsed = Version.parse(text)
    let thrown: QuickupError?
    do {
        _ = try Version(parsing: text)
        thrown = nil
    } catch {
        thrown = error
    }
    guard (parsed == nil) == (thrown != nil) else { fatalError("parse and init(parsing:) disagree on \(text)") }
    if let thrown, thrown.code != .invalidVersion { fatalError("wrong error code \(thrown.code)") }
    guard let version = parsed else { return nil }

    // Strict grammar: only V/v, digits, dots, dashes, P and T can have been accepted.
    let allowed = Set("Vv0123456789.-PT".unicodeScalars)
    guard text.unicodeScalars.allSatisfy(allowed.contains) else { fatalError("accepted junk: \(text)") }
    guard [version.major, version.minor, version.patch, version.p ?? 0, version.t ?? 0].allSatisfy({ $0 >= 0 }) else {
        fatalError("negative component from \(text)")
    }
    // The canonical form reads back as exactly the same components.
    guard let again = Version.parse(version.description),
          again.major == version.major, again.minor == version.minor, again.patch == version.patch,
          again.p == version.p, again.t == version.t, again.description == version.description else {
        fatalError("description does not round-trip: \(text) -> \(version.description)")
    }
    return version
}

/// Exactly one of <, ==, > holds, and equal versions hash alike.
private func checkOrder(_ a: Version, _ b: Version) {
    let relations = [a < b, a == b, b < a].filter { $0 }.count
    guard relations == 1 else { fatalError("order is not a strict total order for \(a), \(b)") }
    if a == b {
        var left = Hasher()
        var right = Hasher()
        a.hash(into: &left)
        b.hash(into: &right)
        guard left.finalize() == right.finalize() else { fatalError("equal versions hash differently: \(a), \(b)") }
    }
}
