/// SHA-256 (FIPS 180-4) for task checksums (M7) and release manifests (R1). Pure Swift so the core
/// needs no crypto dependency; checked against known vectors and `sha256sum` in tests.
public struct SHA256: Sendable {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// 64 bytes held inline: a hasher allocates nothing, and the loader makes one per task file
    /// (P5, issue 20.1: allocations were half the cost of hashing 100,000 small scripts).
    private typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    private static let zeroBlock: Block = (0, 0, 0, 0, 0, 0, 0, 0)
    /// The input after the last whole block: its first `pendingCount` bytes.
    private var pending: Block = SHA256.zeroBlock
    private var pendingCount = 0
    private var length: UInt64 = 0

    public init() {}

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(buffer: UnsafeRawBufferPointer($0)) }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update(buffer: $0) }
        }
    }

    /// Whole blocks are compressed straight from the caller's memory; only the tail is kept.
    public mutating func update(buffer input: UnsafeRawBufferPointer) {
        var offset = 0
        length &+= UInt64(input.count)
        if pendingCount > 0 {
            offset = min(64 - pendingCount, input.count)
            keep(UnsafeRawBufferPointer(rebasing: input[0..<offset]))
            guard pendingCount == 64 else { return }
            compressPending()
        }
        while input.count - offset >= 64 {
            compress(input, at: offset)
            offset += 64
        }
        keep(UnsafeRawBufferPointer(rebasing: input[offset...]))
    }

    public mutating func update(_ text: String) { update(text.utf8) }

    /// Appends `bytes` (at most what is left of a block) to the pending tail.
    private mutating func keep(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let start = pendingCount
        withUnsafeMutableBytes(of: &pending) { block in
            UnsafeMutableRawBufferPointer(rebasing: block[start..<start + bytes.count]).copyMemory(from: bytes)
        }
        pendingCount += bytes.count
    }

    private mutating func compressPending() {
        let block = pending
        withUnsafeBytes(of: block) { compress($0, at: 0) }
        pending = SHA256.zeroBlock
        pendingCount = 0
    }

    /// The digest's eight words: the padding (0x80, zeros, the bit length) compressed in.
    private mutating func finish() -> (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) {
        let bitLength = length &* 8
        let used = pendingCount
        withUnsafeMutableBytes(of: &pending) { block in
            block[used] = 0x80
            for i in used + 1..<64 { block[i] = 0 }
        }
        if used + 1 > 56 {
            // No room for the length after the 0x80: it goes in a block of its own.
            compressPending()
        }
        withUnsafeMutableBytes(of: &pending) { block in
            for i in 0..<8 { block[56 + i] = UInt8(truncatingIfNeeded: bitLength >> (UInt64(7 - i) * 8)) }
        }
        compressPending()
        return state
    }

    public mutating func finalize() -> [UInt8] {
        let words = finish()
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in [words.0, words.1, words.2, words.3, words.4, words.5, words.6, words.7] {
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        return out
    }

    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// Written straight from the state words into the string's own storage.
    public mutating func finalizeHex() -> String {
        let words = finish()
        return String(unsafeUninitializedCapacity: 64) { out in
            withUnsafeBytes(of: words) { raw in
                for index in 0..<8 {
                    let word = raw.load(fromByteOffset: index * 4, as: UInt32.self)
                    for nibble in 0..<8 {
                        let digit = UInt8(truncatingIfNeeded: word >> UInt32(28 - nibble * 4)) & 0x0f
                        out[index * 8 + nibble] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    }
                }
            }
            return 64
        }
    }

    private mutating func compress(_ block: UnsafeRawBufferPointer, at offset: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            compress(block, at: offset, schedule: w)
        }
    }

    private mutating func compress(_ block: UnsafeRawBufferPointer, at offset: Int, schedule w: UnsafeMutableBufferPointer<UInt32>) {
        for i in 0..<16 {
            let b = offset + i * 4
            w[i] = UInt32(block[b]) << 24 | UInt32(block[b + 1]) << 16 | UInt32(block[b + 2]) << 8 | UInt32(block[b + 3])
        }
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = state
        let k = SHA256.k
        for i in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ maj
            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
    }

    @inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}
