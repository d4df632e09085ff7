/// Throughput of a task: `50MB/s` (bytes) or `20000rows/s` (rows) — SPEC M2 `.rate`.
public struct Rate: Hashable, Sendable, CustomStringConvertible, Codable {
    public enum Unit: String, Codable, Sendable { case bytes, rows }
    public var perSecond: Double
    public var unit: Unit

    public init(perSecond: Double, unit: Unit) {
        self.perSecond = perSecond
        self.unit = unit
    }

    public static func parse(_ text: String) -> Rate? {
        let t = text.trimmingSpaces.lowercased()
        guard t.hasSuffix("/s") else { return nil }
        let amount = String(t.dropLast(2)).trimmingSpaces
        if amount.hasSuffix("rows") {
            let n = String(amount.dropLast(4)).trimmingSpaces
            guard let value = Double(n), value > 0, value.isFinite else { return nil }
            return Rate(perSecond: value, unit: .rows)
        }
        guard let size = ByteSize.parse(amount), size.bytes > 0 else { return nil }
        return Rate(perSecond: Double(size.bytes), unit: .bytes)
    }

    public var description: String {
        switch unit {
        case .rows: return "\(Int64(perSecond)) rows/s"
        case .bytes: return "\(ByteSize(bytes: Int64(perSecond)))/s"
        }
    }
}

/// How much work a task has: a fixed amount, or a SQL query measured at assessment time.
public enum Volume: Hashable, Sendable, Codable, CustomStringConvertible {
    case bytes(Int64)
    case rows(Int64)
    case query(String)

    /// `100GB` → bytes, `5000000rows` → rows, anything starting with SELECT/WITH → a query.
    public static func parse(_ text: String) -> Volume? {
        let t = text.trimmingSpaces
        let lower = t.lowercased()
        if lower.hasPrefix("select ") || lower.hasPrefix("select\t") || lower.hasPrefix("with ") { return .query(t) }
        if lower.hasSuffix("rows") {
            let n = String(lower.dropLast(4)).trimmingSpaces
            guard n.count <= 18, let value = Int64(n), value >= 0 else { return nil }
            return .rows(value)
        }
        return ByteSize.parse(t).map { .bytes($0.bytes) }
    }

    public var description: String {
        switch self {
        case .bytes(let b): return ByteSize(bytes: b).description
        case .rows(let r): return "\(r) rows"
        case .query(let q): return "query: \(q)"
        }
    }
}
