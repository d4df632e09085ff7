/// One entry point for every format of a `config.<uid>` task (SPEC K1): the current bytes of
/// the target and the change, in; the new bytes, out. Pure: callers read and write the files.
public struct ConfigEditor: Sendable {
    public var format: ConfigFormat
    /// The change file's text (operations, or the whole new content for `.file`).
    public var changeText: String
    /// Path of the change file in the release, for error locations.
    public var changeFile: String

    public init(format: ConfigFormat, changeText: String, changeFile: String) {
        self.format = format
        self.changeText = changeText
        self.changeFile = changeFile
    }

    /// The operations of a keyed change file; every mistake with file:line.
    public func changes() throws(QuickupErrors) -> [ConfigChange] {
        guard format.isKeyed else { return [] }
        return try ConfigChangeParser.parse(changeText, format: format, file: changeFile)
    }

    /// The new content of `target` (named `targetName` in errors). Applying it to its own
    /// result gives the same bytes again, so a task re-run after a crash changes nothing more.
    public func apply(to current: [UInt8], targetName: String) throws(QuickupErrors) -> [UInt8] {
        let changes = try changes()
        do throws(QuickupError) {
            switch format {
            case .file, .nginx:
                return Array(changeText.utf8)
            case .properties:
                return try PropertiesEditor.apply(changes, to: current, file: targetName)
            case .yaml, .flink:
                guard let text = String(validating: current, as: UTF8.self) else {
                    throw QuickupError(.configChange, "\(targetName) is not UTF-8 text", at: SourceLocation(file: targetName),
                                       hint: "YAML files are UTF-8; convert it first")
                }
                let edited = format == .yaml
                    ? try YAMLEditor.apply(changes, to: text, file: targetName)
                    : try FlinkConfEditor.apply(changes, to: text, file: targetName)
                return Array(edited.utf8)
            }
        } catch {
            throw QuickupErrors([error])
        }
    }
}
