/// A database server's version as its vendor writes it (`19.14.3.3`, `10.11`): dot-separated
/// numbers compared part by part, missing parts counting as 0. Declared per datasource in
/// component.yaml (`min_server_version`) so lint knows what the oldest site runs (N1).
public struct ServerVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var parts: [Int]

    public init(parts: [Int]) {
        self.parts = parts
    }

    public init?(_ text: String) {
        let pieces = text.trimmingSpaces.split(separator: ".", omittingEmptySubsequences: false)
        guard !pieces.isEmpty, pieces.count <= 4 else { return nil }
        var parts: [Int] = []
        for piece in pieces {
            guard !piece.isEmpty, piece.count <= 6, piece.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(piece) else {
                return nil
            }
            parts.append(value)
        }
        self.parts = parts
    }

    public var description: String { parts.map(String.init).joined(separator: ".") }

    public static func < (lhs: ServerVersion, rhs: ServerVersion) -> Bool {
        for index in 0..<max(lhs.parts.count, rhs.parts.count) {
            let a = index < lhs.parts.count ? lhs.parts[index] : 0
            let b = index < rhs.parts.count ? rhs.parts[index] : 0
            if a != b { return a < b }
        }
        return false
    }
}

/// ClickHouse syntax with the release that first accepted it (from ClickHouse's changelog); lint
/// flags a statement using one when the datasource's declared `min_server_version` is older.
public enum ClickHouseFeature: String, CaseIterable, Sendable {
    case mutations = "ALTER TABLE … DELETE/UPDATE (mutations)"
    case columnIfExists = "IF [NOT] EXISTS on ALTER TABLE … ADD/DROP/MODIFY COLUMN"
    case ttl = "TTL (CREATE TABLE … TTL, ALTER TABLE … MODIFY TTL)"
    case renameColumn = "ALTER TABLE … RENAME COLUMN"

    public var since: ServerVersion {
        switch self {
        case .mutations: return ServerVersion(parts: [18, 12])
        case .columnIfExists: return ServerVersion(parts: [19, 1])
        case .ttl: return ServerVersion(parts: [19, 6])
        case .renameColumn: return ServerVersion(parts: [20, 4])
        }
    }

    /// The features a statement uses.
    static func used(by shape: StatementShape) -> [ClickHouseFeature] {
        var used: [ClickHouseFeature] = []
        switch shape.kind {
        case .create(let object, _, _) where object == "TABLE" && shape.hasTTL:
            used.append(.ttl)
        case .alterTable(let actions):
            for action in actions {
                switch action.verb {
                case .mutation: used.append(.mutations)
                case .modifyTTL: used.append(.ttl)
                case .renameColumn: used.append(.renameColumn)
                case .addColumn, .dropColumn, .modifyColumn: if action.guarded { used.append(.columnIfExists) }
                case .other: break
                }
            }
        default:
            break
        }
        var seen = Set<ClickHouseFeature>()
        return used.filter { seen.insert($0).inserted }
    }
}
