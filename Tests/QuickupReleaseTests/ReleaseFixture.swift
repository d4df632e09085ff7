import Foundation
import QuickupTestSupport

/// A release written into a fresh temporary directory from path → content pairs.
struct ReleaseFixture {
    let tree: TemporaryTree

    init(_ files: [String: String]) throws { tree = try TemporaryTree("quickup-fixture", files: files) }

    func write(_ path: String, _ content: String) throws { try tree.write(path, content) }
    var root: URL { tree.root }
    var path: String { tree.path }

    func remove() { tree.remove() }

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
