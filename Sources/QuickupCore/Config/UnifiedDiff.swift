/// `diff -u` style text for dry runs and plans (SPEC K1): what a config task would change on a
/// host, with three lines of context. Line breaks are compared too, so a CRLF → LF change shows.
public enum UnifiedDiff {
    public static func render(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = TextLines(old).lines.map(\.text)
        let b = TextLines(new).lines.map(\.text)
        let edits = script(a, b)
        guard edits.contains(where: { $0.kind != .same }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var index = 0
        while index < edits.count {
            guard edits[index].kind != .same else { index += 1; continue }
            // A hunk: from `context` lines before this change to `context` after the last change
            // that is at most 2 × context unchanged lines further.
            let start = max(0, index - context)
            var end = index
            var lastChange = index
            while end < edits.count {
                if edits[end].kind != .same { lastChange = end }
                if end - lastChange > 2 * context { break }
                end += 1
            }
            end = min(edits.count, lastChange + context + 1)
            let hunk = edits[start..<end]
            let oldStart = hunk.first.map(\.oldLine) ?? 0
            let newStart = hunk.first.map(\.newLine) ?? 0
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for edit in hunk {
                let marker = edit.kind == .same ? " " : edit.kind == .delete ? "-" : "+"
                out += marker + show(edit.text)
            }
            index = end
        }
        return out
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start + 1)" : "\(count == 0 ? start : start + 1),\(count)"
    }

    /// A line as shown: as written (CRLF kept, like diff -u); a lone CR shown as a line end;
    /// a missing break is noted like diff does.
    private static func show(_ line: String) -> String {
        if line.hasSuffix("\n") || line.hasSuffix("\r\n") { return line }
        if line.hasSuffix("\r") { return String(line.dropLast()) + "\n" }
        return line + "\n\\ No newline at end of file\n"
    }

    enum Kind { case same, delete, insert }
    struct Edit {
        var kind: Kind
        var text: String
        /// 0-based positions in the old and new text where this edit sits.
        var oldLine: Int
        var newLine: Int
    }

    /// Shortest edit script by LCS over the part between the common prefix and suffix (config
    /// files are small; the trimmed middle is smaller still).
    static func script(_ a: [String], _ b: [String]) -> [Edit] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let midA = Array(a[prefix..<(a.count - suffix)])
        let midB = Array(b[prefix..<(b.count - suffix)])
        let n = midA.count, m = midB.count
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i][j] = midA[i] == midB[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
                }
            }
        }
        var edits: [Edit] = []
        for k in 0..<prefix { edits.append(Edit(kind: .same, text: a[k], oldLine: k, newLine: k)) }
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && midA[i] == midB[j] {
                edits.append(Edit(kind: .same, text: midA[i], oldLine: prefix + i, newLine: prefix + j))
                i += 1; j += 1
            } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
                edits.append(Edit(kind: .delete, text: midA[i], oldLine: prefix + i, newLine: prefix + j))
                i += 1
            } else {
                edits.append(Edit(kind: .insert, text: midB[j], oldLine: prefix + i, newLine: prefix + j))
                j += 1
            }
        }
        for k in 0..<suffix {
            edits.append(Edit(kind: .same, text: a[a.count - suffix + k], oldLine: a.count - suffix + k, newLine: b.count - suffix + k))
        }
        return edits
    }
}
