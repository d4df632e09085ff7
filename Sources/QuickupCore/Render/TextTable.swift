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
        for (i, cell) in cells.enumerated() {
            text += cell
            if i < cells.count - 1 { text += String(repeating: " ", count: widths[i] - Self.width(cell) + 2) }
        }
        return text
    }

    /// Terminal display width: East Asian wide characters take two cells.
    public static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { sum, s in
            let v = s.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            return sum + (wide ? 2 : 1)
        }
    }
}
