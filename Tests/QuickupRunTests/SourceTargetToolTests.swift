import Foundation
import GRDB
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// D5: a data tool names a source and a target datasource (`.source`, `.target`) and gets both,
/// with their connection details, to copy from one instance to the other.
@Suite("Tools with a source and a target datasource (D5)")
struct SourceTargetToolTests {
    @Test("D5: a tool with .source and .target receives both datasources and copies rows from one to the other")
    func toolGetsSourceAndTarget() async throws {
        let fixture = try RunFixture(
            tasks: [],
            tools: [("copy_items", "pre_stop", "copying.items:run", "tool.copy_items.source=src_db\ntool.copy_items.target=dst_db")],
            files: ["upgrade/V1.0.1/tools/copying/__init__.py": "",
                    "upgrade/V1.0.1/tools/copying/items.py": """
                        import quickup_tool as q

                        def run(ctx):
                            source = ctx.datasource(ctx.parameters["source"])
                            target = ctx.datasource(ctx.parameters["target"])
                            rows = source.connect().execute("SELECT id FROM items ORDER BY id").fetchall()
                            out = target.connect()
                            out.execute("CREATE TABLE items(id INTEGER)")
                            out.executemany("INSERT INTO items VALUES (?)", rows)
                            out.commit()
                            return {"copied": len(rows), "source": source.path.split("/")[-1], "target": target.path.split("/")[-1],
                                    "names": sorted(ctx.datasources)}
                        """],
            component: "  - name: src_db\n    type: sqlite\n  - name: dst_db\n    type: sqlite\n")
        defer { fixture.remove() }
        try fixture.write("env.yaml", """
            site: TEST
            datasources:
              shop_db: {type: sqlite, path: shop.db}
              src_db: {type: sqlite, path: src.db}
              dst_db: {type: sqlite, path: dst.db}

            """)
        let source = try DatabaseQueue(path: fixture.root.appendingPathComponent("src.db").path)
        try await source.write { db in try db.execute(sql: "CREATE TABLE items(id INTEGER); INSERT INTO items VALUES (1), (2), (3);") }
        try source.close()
        _ = FileManager.default.createFile(atPath: fixture.root.appendingPathComponent("dst.db").path, contents: nil)

        let (result, lines) = try await fixture.run()
        #expect(result.status == .succeeded, "\(lines)")
        let target = try DatabaseQueue(path: fixture.root.appendingPathComponent("dst.db").path)
        #expect(try await target.read { db in try Int.fetchAll(db, sql: "SELECT id FROM items ORDER BY id") } == [1, 2, 3])
        let detail = try String(contentsOfFile: "\(fixture.state)/runs/\(result.runID)/detail.jsonl", encoding: .utf8)
        #expect(detail.contains(#"{\"copied\":3,\"names\":[\"dst_db\",\"shop_db\",\"src_db\"],\"source\":\"src.db\",\"target\":\"dst.db\"}"#), "\(detail)")
    }
}
