import QuickupCore
import QuickupRemote

/// What a config task would change (K1, E11): per host, a unified diff of the current file
/// against the file the task would write (fetched over SSH, nothing written); for Nacos, the
/// same against the content the server holds. Used by `run --dry-run` and `plan --diff`.
extension ConfigTaskWork {
    public func preview(_ task: UpgradeTask) async throws(QuickupError) -> [String] {
        let (editor, target) = try prepare(task)
        var lines: [String] = []
        switch target {
        case .nacos(let group, let dataId):
            let key = NacosClient.ConfigKey(group: group, dataId: dataId)
            let client = try nacosClient()
            let current = try await client.fetchConfig(key)
            let original = try NacosKeptConfig(stateDirectory: stateDirectory, taskKey: task.key).load().map(\.content) ?? current
            let content = try edit(editor, original.map { Array($0.utf8) }, name: "nacos:\(key)")
            lines.append("   nacos \(client.config.namespace ?? "public")/\(key)\(current == nil ? " (does not exist yet)" : ""):")
            lines += Self.diff(current.map { Array($0.utf8) }, content, name: "nacos:\(key)")
        case .file(let path):
            for (host, path) in try placements(of: task, path: path) {
                let reading = try await files.read(path, taskKey: task.key, on: host)
                let content = try edit(editor, reading.original, name: "\(host.name):\(path)")
                lines.append("   \(host.name): \(path)\(reading.current == nil ? " (does not exist yet)" : "")"
                    + (editor.format == .nginx ? "; tested with nginx -t before it replaces the live file, then nginx reloads" : "") + ":")
                lines += Self.diff(reading.current, content, name: "\(host.name):\(path)")
            }
        }
        return lines
    }

    static func diff(_ current: [UInt8]?, _ new: [UInt8], name: String) -> [String] {
        let text = UnifiedDiff.render(old: String(decoding: current ?? [], as: UTF8.self), new: String(decoding: new, as: UTF8.self),
                                      oldName: current == nil ? "/dev/null" : name, newName: name)
        guard !text.isEmpty else { return ["     (no change: already as the task leaves it)"] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0).map { "     " + $0 }
    }
}
