import Foundation

/// Writes a synthetic release of about `tasks` tasks (components × versions × tasks per version),
/// with orchestration overrides, dependencies, site filters and one SQL file per task.
struct GeneratedRelease {
    let root: URL
    let components: Int
    let versions: Int
    let tasksPerVersion: Int

    var taskCount: Int { components * versions * tasksPerVersion }

    init(tasks: Int, in parent: URL) {
        // Shape: about as many versions as components, many tasks per version, like real releases.
        let components = max(1, min(50, tasks / 100))
        let versions = max(1, min(20, tasks / (components * 5)))
        self.components = components
        self.versions = versions
        self.tasksPerVersion = max(1, tasks / (components * versions))
        self.root = parent.appendingPathComponent("release-\(tasks)")
    }

    func write() throws {
        let fm = FileManager.default
        try? fm.removeItem(at: root)
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let names = (0..<components).map { "comp\($0)" }
        try "name: bench\nupgrades_from: V1.0.0~V9.0.0\ncomponents: [\(names.joined(separator: ", "))]\n"
            .write(to: root.appendingPathComponent("release.yaml"), atomically: false, encoding: .utf8)
        for (c, name) in names.enumerated() {
            let dir = root.appendingPathComponent(name)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            let depends = c > 0 ? "depends_on: [comp0]\n" : ""
            try "plugin_class: business\n\(depends)datasources:\n  - name: db\(c)\n    type: mariadb\n"
                .write(to: dir.appendingPathComponent("component.yaml"), atomically: false, encoding: .utf8)
            for v in 0..<versions {
                try writeVersion(component: dir, version: "V2.\(v / 4).\(v % 4)" + (v % 3 == 1 ? "-P1" : ""))
            }
        }
    }

    private func writeVersion(component: URL, version: String) throws {
        let dir = component.appendingPathComponent("upgrade/\(version)")
        let sql = dir.appendingPathComponent("sql")
        try FileManager.default.createDirectory(at: sql, withIntermediateDirectories: true)
        var tasks = "# generated\n"
        var overrides = ""
        let stages = ["pre_stop", "in_stop", "post_start", "post_upgrade"]
        for t in 0..<tasksPerVersion {
            let uid = "task_\(t)"
            tasks += """
            sql.\(uid).id=\(version)-\(t)
            sql.\(uid).description=Generated task \(t) of \(version): 生成的任务
            sql.\(uid).file=sql/\(t).sql
            sql.\(uid).stage=\(stages[t % 4])
            sql.\(uid).compatible_version=V2.0.\(t % 3)
            sql.\(uid).timeout=\(10 + t % 50)m

            """
            if t >= 4 { tasks += "sql.\(uid).depends=task_\(t - 4)\n" }
            if t % 10 == 7 { tasks += "sql.\(uid).sites=SITE-A\n" }
            if t % 10 == 3 { tasks += "sql.\(uid).volume=\(t)GB\nsql.\(uid).rate=50MB/s\nsql.\(uid).parallel=2\n" }
            if t % 25 == 5 { overrides += "sql.\(uid).order=\(1000 - t)\n" }
            try "-- task \(t)\nCREATE TABLE IF NOT EXISTS t_\(t) (id INT PRIMARY KEY, v VARCHAR(32));\nINSERT INTO t_\(t) VALUES (1, 'x');\n"
                .write(to: sql.appendingPathComponent("\(t).sql"), atomically: false, encoding: .utf8)
        }
        try tasks.write(to: dir.appendingPathComponent("upgrade_tasks_\(version).properties"), atomically: false, encoding: .utf8)
        if !overrides.isEmpty {
            try overrides.write(to: dir.appendingPathComponent("upgrade_orchestration_\(version).properties"), atomically: false, encoding: .utf8)
        }
    }
}
