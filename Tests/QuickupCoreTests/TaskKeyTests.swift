import Testing
@testable import QuickupCore

/// `TaskKey` splits a manifest key over its UTF-8 bytes (P5, issue 20.1): every key must split
/// as `prefix.uid.field` at its first and last dot, or be refused, as before.
@Suite("Manifest keys (M2)")
struct TaskKeyTests {
    @Test("keys split at the first and last dot", arguments: [
        ("sql.add_index.stage", "sql", "add_index", "stage"),
        ("rule.no-null_ids.sql", "rule", "no-null_ids", "sql"),
        ("sql.任务1.description", "sql", "任务1", "description"),
        ("sql.a.b.c", nil, nil, nil),          // a dot inside the uid
        ("sql.a", nil, nil, nil), ("sql", nil, nil, nil), ("", nil, nil, nil),
        (".a.b", nil, nil, nil), ("sql..b", nil, nil, nil), ("sql.a.", nil, nil, nil),
        ("sql.a b.c", nil, nil, nil), ("sql.a/b.c", nil, nil, nil), ("sql.😀.c", nil, nil, nil),
        ("中.x.字段", "中", "x", "字段"), ("x.y.z.", nil, nil, nil), ("sql.a.fïeld", "sql", "a", "fïeld"),
    ] as [(String, String?, String?, String?)])
    func split(key: String, prefix: String?, uid: String?, field: String?) {
        let parsed = TaskKey(key)
        #expect(parsed?.prefix == prefix)
        #expect(parsed?.uid == uid)
        #expect(parsed?.field == field)
    }
}
