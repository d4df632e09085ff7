/// Substring search over a string's UTF-8 bytes. The standard library's generic
/// `firstRange(of:)` builds a searcher per call and walks collection indices; lint asks
/// "does this script hold the suppression marker?" once per script, 100,000 times for a large
/// release, and that call alone was a quarter of `quickup lint`'s time (issue 19, N1).
public enum UTF8Search {
    /// Whether `needle`'s bytes occur in `text`'s bytes (the same answer as
    /// `text.utf8.firstRange(of: needle.utf8) != nil`).
    public static func contains(_ needle: String, in text: String) -> Bool {
        var needle = needle
        var text = text
        // withUTF8 makes the storage contiguous (bridged strings) and lends it without a copy.
        return needle.withUTF8 { pattern in text.withUTF8 { contains(pattern, in: $0) } }
    }

    static func contains(_ pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = pattern.first else { return true }
        guard bytes.count >= pattern.count else { return false }
        let last = bytes.count - pattern.count
        var start = 0
        while start <= last {
            if bytes[start] == first {
                var matched = 1
                while matched < pattern.count, bytes[start + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count { return true }
            }
            start += 1
        }
        return false
    }
}
