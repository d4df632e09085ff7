import Foundation
import QuickupCore
import QuickupRelease

/// `POST /v1/releases/{id}/plugins` (H1 "upload a plugin"): a plugin is a component — the unit
/// that owns a plugin directory, its tasks, tools and datasources. Its zip is written by
/// `quickup pack` from a folder holding the component's folder (`plugin/gps/component.yaml …`)
/// and is checked exactly as a release zip is (manifest, checksums, zip-slip, limits). Its
/// component folders then replace the base release's folders of the same name, or join them,
/// and the result is packed, validated and kept as a **new** release: the base stays as it was,
/// so a pipeline can always go back to it, and every run names exactly the release it used.
extension ReleaseStore {
    public struct PluginResult: Codable, Sendable {
        /// The new release.
        public var release: Entry
        /// The release the plugin went into (unchanged).
        public var base: String
        /// The plugin's components, sorted; `replaced` those the base release already had.
        public var components: [String]
        public var replaced: [String]
    }

    /// Merges the plugin zip at `upload` into kept release `base`; the upload is gone afterwards
    /// either way, and so is every intermediate file.
    public func acceptPlugin(upload: String, base: String, now: Int64) throws -> PluginResult {
        defer { try? FileManager.default.removeItem(atPath: upload) }
        let baseDirectory = try cache.directory(for: try zip(base))
        let pluginKey = try ReleaseFileDigest.sha256(of: upload)
        defer { try? FileManager.default.removeItem(atPath: "\(cache.root)/\(pluginKey)") }
        let pluginDirectory = try cache.directory(for: upload)
        let components = Self.componentFolders(pluginDirectory)
        guard !components.isEmpty else {
            throw QuickupError(.manifestInvalid, "the plugin zip holds no component folder (a folder with component.yaml at the zip's top level)",
                               hint: "pack a folder that holds the component's folder: plugin/<component>/component.yaml, then `quickup pack plugin -o plugin.zip`")
        }
        let existing = Set(Self.componentFolders(baseDirectory))
        let work = "\(root)/.plugin-\(UUID().uuidString.lowercased())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let merged = "\(work)/\((baseDirectory as NSString).lastPathComponent)"
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.copyItem(atPath: baseDirectory, toPath: merged)
            for component in components {
                let target = "\(merged)/\(component)"
                if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                try FileManager.default.copyItem(atPath: "\(pluginDirectory)/\(component)", toPath: target)
            }
        } catch {
            throw QuickupError(.io, "cannot merge the plugin into release \(base): \(error.localizedDescription)",
                               hint: "check the release store's free space and permissions")
        }
        let packed = try temporaryUpload()
        do {
            _ = try ReleasePacker().pack(directory: merged, to: packed)
        } catch {
            try? FileManager.default.removeItem(atPath: packed)
            // Name the release's own paths (gps/upgrade/…), not the store's working folder.
            throw QuickupErrors(error.errors.map { Self.relative($0, to: merged) })
        }
        let entry = try accept(upload: packed, now: now)
        return PluginResult(release: entry, base: base, components: components, replaced: components.filter(existing.contains))
    }

    /// Top-level folders holding a component.yaml, sorted.
    static func componentFolders(_ directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: "\(directory)/\($0)/component.yaml") }.sorted()
    }

    static func relative(_ error: QuickupError, to root: String) -> QuickupError {
        var error = error
        let prefix = root + "/"
        error.message = error.message.replacingOccurrences(of: prefix, with: "")
        if let file = error.location?.file, file.hasPrefix(prefix) { error.location?.file = String(file.dropFirst(prefix.count)) }
        return error
    }
}
