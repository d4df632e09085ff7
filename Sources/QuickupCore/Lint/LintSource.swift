/// A script's text as lint points into it: its lines (built only when a finding needs a column
/// or the script has a suppression comment) and the rules switched off per line.
///
/// `-- quickup:lint-ignore rule-id[, rule-id…]` (or `# quickup:lint-ignore …`, or inside
/// `/* … */`) switches the named rules off on its own line; a comment alone on its line switches
/// them off on the next line that holds something, too. `all` names every rule.
struct LintSource {
    static let marker = "quickup:lint-ignore"

    let text: String
    private(set) lazy var lines: [Substring] = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" })
    private(set) lazy var ignored: [Int: Set<String>] = Self.suppressions(in: lines)
    private let hasSuppressions: Bool

    init(_ text: String) {
        self.text = text
        hasSuppressions = UTF8Search.contains(Self.marker, in: text)
    }

    mutating func isSuppressed(_ rule: LintRule, line: Int) -> Bool {
        guard hasSuppressions, let ids = ignored[line] else { return false }
        return ids.contains(rule.rawValue) || ids.contains("all")
    }

    mutating func line(_ number: Int) -> Substring {
        number >= 1 && number <= lines.count ? lines[number - 1] : ""
    }

    /// The 1-based column (in code points) where `statement` begins on `line`: where its first
    /// word is written, else the line's first non-blank.
    mutating func column(of statement: String, line number: Int) -> Int {
        let text = line(number)
        let word = statement.unicodeScalars.prefix { !$0.properties.isWhitespace }.prefix(24)
        if !word.isEmpty, let range = text.unicodeScalars.firstRange(of: word) {
            return text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: range.lowerBound) + 1
        }
        return firstNonBlankColumn(line: number)
    }

    mutating func firstNonBlankColumn(line number: Int) -> Int {
        (line(number).unicodeScalars.firstIndex { !$0.properties.isWhitespace }).map {
            line(number).unicodeScalars.distance(from: line(number).unicodeScalars.startIndex, to: $0) + 1
        } ?? 1
    }

    private static func suppressions(in lines: [Substring]) -> [Int: Set<String>] {
        var result: [Int: Set<String>] = [:]
        var carried: Set<String> = []
        for (index, line) in lines.enumerated() {
            let number = index + 1
            let blank = line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
            if !carried.isEmpty && !blank {
                result[number, default: []].formUnion(carried)
                carried = []
            }
            guard let range = line.firstRange(of: marker) else { continue }
            let ids = Set(line[range.upperBound...].split(whereSeparator: { " ,\t\r".contains($0) })
                .prefix { !$0.hasPrefix("*/") && !$0.hasPrefix("--") }.map(String.init))
            result[number, default: []].formUnion(ids)
            let before = line[..<range.lowerBound].drop { $0 == " " || $0 == "\t" }
            if before.hasPrefix("--") || before.hasPrefix("#") || before.hasPrefix("/*") { carried = ids }
        }
        return result
    }
}
