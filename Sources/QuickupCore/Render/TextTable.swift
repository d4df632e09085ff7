/// A plain text table with left-aligned columns, sized by display width (CJK counts as two).
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]] = []

    public init(headers: [String]) { self.headers = headers }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        let widths = Self.widths(headers: headers, rows: rows)
        return ([Self.line(headers, widths: widths)] + rows.map { Self.line($0, widths: widths) }).joined(separator: "\n")
    }

    /// Column widths for `rows` under `headers`: what `render()` pads to. Lets a caller that
    /// streams a large table (issue 20) measure its rows, then write them one by one.
    public static func widths(headers: [String], rows: some Sequence<[String]>) -> [Int] {
        var widths = headers.map(Self.width)
        for row in rows { widen(&widths, for: row) }
        return widths
    }

    public static func widen(_ widths: inout [Int], for row: [String]) {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(cell)) }
    }

    /// One row as `render()` writes it, without a line break.
    public static func line(_ cells: [String], widths: [Int]) -> String {
        var text = ""
        text.reserveCapacity(widths.reduce(2 * widths.count, +))
        for (i, cell) in cells.enumerated() {
            text += cell
            if i < cells.count - 1 { pad(&text, widths[i] - Self.width(cell) + 2) }
        }
        return text
    }

    /// Runs of 0–64 spaces, made once: a cell's padding is appended, not made (issue 20 item 1).
    private static let pads = (0...64).map { String(repeating: " ", count: $0) }

    private static func pad(_ text: inout String, _ count: Int) {
        var left = max(0, count)
        while left > 0 {
            let n = min(left, 64)
            text += pads[n]
            left -= n
        }
    }

    /// Terminal display width: East Asian wide characters take two cells. Nearly every cell is
    /// ASCII, one column per byte; only other text takes the walk over its scalars.
    public static func width(_ text: String) -> Int {
        if !text.utf8.contains(where: { $0 >= 0x80 }) { return text.utf8.count }
        return text.unicodeScalars.reduce(0) { sum, s in
            let v = s.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            return sum + (wide ? 2 : 1)
        }
    }
}
