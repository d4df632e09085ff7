import Foundation

/// A release written into a fresh temporary directory from path → content pairs.
struct ReleaseFixture {
    let root: URL

    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-fixture-\(UUID().uuidString)")
        for (path, content) in files { try write(path, content) }
    }

    func write(_ path: String, _ content: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }

    var path: String { root.path }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// The repository root, found from this source file, for the committed examples.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A small valid release: one component, one version, two tasks.
    static let validFiles: [String: String] = [
        "release.yaml": "name: tiny\ncomponents: [base]\n",
        "base/component.yaml": "plugin_class: core\ndatasources:\n  - name: base_db\n    type: mariadb\n",
        "base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": """
        sql.a.id=A
        sql.a.description=first
        sql.a.file=sql/a.sql
        sql.a.stage=pre_stop
        sql.b.id=B
        sql.b.description=second
        sql.b.file=sql/b.sql
        sql.b.stage=in_stop
        sql.b.depends=a
        """,
        "base/upgrade/V1.0.1/sql/a.sql": "CREATE TABLE a (id INT);\n",
        "base/upgrade/V1.0.1/sql/b.sql": "CREATE TABLE b (id INT);\n",
    ]
}
