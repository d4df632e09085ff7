/// The line of each task key that errors may point at, kept inline: a dictionary per task costs
/// an allocation and ~0.4 KB, which a 100,000-task release feels (P5). Other keys fall back to
/// the task's first line.
public struct FieldLines: Hashable, Sendable, Codable {
    private var file: Int32?
    private var package: Int32?
    private var stage: Int32?
    private var datasource: Int32?
    private var depends: Int32?
    private var rollback: Int32?
    private var source: Int32?
    private var target: Int32?

    public init() {}

    public init(_ lines: [String: Int]) {
        for (field, line) in lines { self[field] = line }
    }

    public subscript(field: String) -> Int? {
        get {
            switch field {
            case "file": return file.map(Int.init)
            case "package": return package.map(Int.init)
            case "stage": return stage.map(Int.init)
            case "datasource": return datasource.map(Int.init)
            case "depends": return depends.map(Int.init)
            case "rollback": return rollback.map(Int.init)
            case "source": return source.map(Int.init)
            case "target": return target.map(Int.init)
            default: return nil
            }
        }
        set {
            let value = newValue.map { Int32(clamping: $0) }
            switch field {
            case "file": file = value
            case "package": package = value
            case "stage": stage = value
            case "datasource": datasource = value
            case "depends": depends = value
            case "rollback": rollback = value
            case "source": source = value
            case "target": target = value
            default: break
            }
        }
    }
}
