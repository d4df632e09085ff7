/// A reply from Redis, copied out of hiredis' reply object (RESP2; hiredis 0.14 knows no RESP3).
public indirect enum RedisReply: Sendable, Hashable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case null
    case array([RedisReply])
    /// An error reply (`ERR …`, `WRONGTYPE …`). Inside an array (EXEC, Lua) it is data; at the top
    /// level `RedisConnection` turns it into a thrown error.
    case error(String)

    /// The reply as text; nil for `null`, arrays joined by newlines.
    public var text: String? {
        switch self {
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text), .error(let text): return text
        case .integer(let value): return String(value)
        case .null: return nil
        case .array(let items): return items.map { $0.text ?? "(nil)" }.joined(separator: "\n")
        }
    }

    /// The reply as rows of one column, the shape `DatasourceConnection.query` returns: an array
    /// gives one row per element (nested arrays flattened in order), anything else one row.
    public var rows: [[String?]] {
        switch self {
        case .array(let items): return items.flatMap(\.rows)
        default: return [[text]]
        }
    }
}
