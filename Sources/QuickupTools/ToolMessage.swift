import Foundation

/// One line a tool printed on stdout, read by the T1 protocol: a JSON object with `progress`,
/// `log` or `result` is structured; anything else (including broken JSON) is log text.
public enum ToolMessage: Sendable, Equatable {
    /// `{"progress": {"percent": 40, "message": "copied 4 of 10 tables"}}` or `{"progress": 0.4}`.
    case progress(fraction: Double?, message: String?)
    /// `{"log": "text"}` or `{"log": {"level": "warn", "message": "text"}}`.
    case log(level: String, message: String)
    /// `{"result": …}`: any JSON value, kept as compact JSON text.
    case result(json: String)
    case text(String)

    public static func parse(_ line: String) -> ToolMessage {
        // Most lines are plain text: decide on the bytes before any decoding.
        let bytes = line.utf8
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x09 }), first == UInt8(ascii: "{"),
              let last = bytes.last(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }), last == UInt8(ascii: "}"),
              let object = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) as? [String: Any],
              object.count == 1, let (key, value) = object.first else {
            return .text(line)
        }
        switch key {
        case "progress": return progress(value) ?? .text(line)
        case "log": return log(value) ?? .text(line)
        case "result":
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]) else {
                return .text(line)
            }
            return .result(json: String(decoding: data, as: UTF8.self))
        default: return .text(line)
        }
    }

    private static func progress(_ value: Any) -> ToolMessage? {
        if let number = value as? NSNumber, !(value is Bool) {
            return .progress(fraction: fraction(number.doubleValue, percent: number.doubleValue > 1), message: nil)
        }
        guard let object = value as? [String: Any] else { return nil }
        let message = object["message"] as? String
        if let percent = (object["percent"] as? NSNumber)?.doubleValue {
            return .progress(fraction: fraction(percent, percent: true), message: message)
        }
        if let value = (object["fraction"] as? NSNumber)?.doubleValue {
            return .progress(fraction: fraction(value, percent: false), message: message)
        }
        if let done = (object["done"] as? NSNumber)?.doubleValue, let total = (object["total"] as? NSNumber)?.doubleValue, total > 0 {
            return .progress(fraction: fraction(done / total, percent: false), message: message)
        }
        return .progress(fraction: nil, message: message)
    }

    private static func log(_ value: Any) -> ToolMessage? {
        if let text = value as? String { return .log(level: "info", message: text) }
        guard let object = value as? [String: Any], let message = object["message"] as? String else { return nil }
        let level = (object["level"] as? String).map { $0.lowercased() } ?? "info"
        return .log(level: ["debug", "info", "warn", "warning", "error"].contains(level) ? (level == "warning" ? "warn" : level) : "info",
                    message: message)
    }

    private static func fraction(_ value: Double, percent: Bool) -> Double? {
        guard value.isFinite else { return nil }
        return min(1, max(0, percent ? value / 100 : value))
    }
}
