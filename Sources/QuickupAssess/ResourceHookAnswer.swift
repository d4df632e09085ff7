import Foundation
import QuickupCore

/// What a component's `resource_check` hook says it needs (A1, T5): the hook prints
/// `{"result": {"memory": "256MB", "disk": "1GB"}}`; sizes as in component.yaml, or byte counts.
/// Running the hook is the tools layer's job; this reads its answer so the assessment can add it
/// to the components' declared `resources`.
public struct ResourceHookAnswer: Hashable, Sendable {
    public var memory: ByteSize?
    public var disk: ByteSize?

    /// Reads the hook's `result` value (the object itself, or the whole `{"result": …}` line).
    public static func parse(_ json: String, hook: String) throws(QuickupError) -> ResourceHookAnswer {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw QuickupError(.invalidArgument, "resource_check hook \(hook) answered '\(StatementText.short(json))', not a JSON object",
                               hint: "the hook must print {\"result\": {\"memory\": \"256MB\", \"disk\": \"1GB\"}}")
        }
        let result = (object["result"] as? [String: Any]) ?? object
        func size(_ key: String) throws(QuickupError) -> ByteSize? {
            switch result[key] {
            case nil, is NSNull: return nil
            case let text as String:
                guard let size = ByteSize.parse(text) else {
                    throw QuickupError(.invalidArgument, "resource_check hook \(hook): \(key) '\(text)' is not a size such as 512MB")
                }
                return size
            case let number as NSNumber:
                guard number.doubleValue >= 0, number.doubleValue < 9e18 else {
                    throw QuickupError(.invalidArgument, "resource_check hook \(hook): \(key) \(number) is not a size")
                }
                return ByteSize(bytes: number.int64Value)
            default:
                throw QuickupError(.invalidArgument, "resource_check hook \(hook): \(key) is not a size")
            }
        }
        return ResourceHookAnswer(memory: try size("memory"), disk: try size("disk"))
    }
}
