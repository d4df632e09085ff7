/// The task manifest's fast path: a manifest read straight from its UTF-8 bytes, each task made
/// as soon as its lines end (issue 13 item 9).
///
/// `PropertiesReader` makes a key string per line and `TaskKey` three more from it, to be
/// compared, hashed (is the field allowed?) and looked up about 25 times per task: a 100,000-task
/// release spent a third of its loading in the manifests (P5, issue 20.1). Here a key stays bytes:
/// its kind and field are recognised from them, a field name is the shared string of
/// `TaskFields`, and a task's uid is made once, when its first line opens the task.
extension TaskManifestParser {
    /// The tasks of the manifest, or nil to send the caller the general way, whose messages and
    /// their order are the reference: a key with an escape or of another form, a field its kind
    /// does not accept, a malformed `\u` escape (the general way throws it), a task's lines not
    /// together (Java allows it; grouping then needs every entry), or anything at all to report.
    /// When not nil, the tasks are those of `parse(PropertiesReader.parse(text, file:), into:)`.
    func streamed(utf8 input: UnsafeBufferPointer<UInt8>) -> [UpgradeTask]? {
        var reader = FieldReader(file: file, diagnostics: Diagnostics())
        var seen = SeenKeys(tasks: input.count / Self.fewestBytesPerTask)
        var tasks: [UpgradeTask] = []
        var lines = LogicalLineReader(input)
        var unescaper = PropertiesUnescaper()
        // The task whose lines are being read, its kind and its uid's bytes.
        var open: EntryGroups.Group?
        var openKind: TaskKind?
        var openUID: [UInt8] = []
        var groupCount = 0
        while lines.readLine() {
            let usable = lines.line.withUnsafeBufferPointer { line -> Bool in
                let (keyEnd, valueStart) = PropertiesSyntax.splitKeyValue(line)
                let key = UnsafeBufferPointer(rebasing: line[..<keyEnd])
                guard !key.contains(PropertiesSyntax.backslash), let parts = TaskKey.parts(key),
                      let kind = TaskKind(utf8: UnsafeBufferPointer(rebasing: key[parts.prefix])),
                      let field = TaskFields.known(UnsafeBufferPointer(rebasing: key[parts.field]), for: kind), field.allowed,
                      let value = try? unescaper.text(of: UnsafeBufferPointer(rebasing: line[valueStart...]))
                else { return false }
                let uid = UnsafeBufferPointer(rebasing: key[parts.uid])
                let entry = PropertiesEntry(key: String(decoding: key, as: UTF8.self), value: value, line: lines.startLine)
                if openKind == kind, openUID.withUnsafeBufferPointer({ ManifestBytes.same($0, uid) }) {
                    guard open?.entries[field.name] == nil else { return false }
                    open?.entries[field.name] = entry
                    return true
                }
                if let done = open { take(done, seen: &seen, reader: &reader, into: &tasks, fieldsAllowed: true) }
                let uidText = String(decoding: uid, as: UTF8.self)
                guard seen.uids[uidText] == nil else { return false }
                groupCount += 1
                open = EntryGroups.Group(prefix: kind.rawValue, uid: uidText, entries: [field.name: entry], firstLine: entry.line,
                                         position: groupCount)
                openKind = kind
                openUID.removeAll(keepingCapacity: true)
                openUID.append(contentsOf: uid)
                return true
            }
            guard usable else { return nil }
        }
        if let done = open { take(done, seen: &seen, reader: &reader, into: &tasks, fieldsAllowed: true) }
        guard reader.diagnostics.errors.isEmpty, reader.diagnostics.warnings.isEmpty else { return nil }
        return tasks
    }

    /// A task takes at least its id, description, stage and file lines: a bound on the tasks of
    /// a manifest of some size, to make room for their uids and ids at once.
    private static let fewestBytesPerTask = 128
}

extension TaskKind {
    /// The kind a manifest key's prefix names, from its bytes; nil for any other prefix.
    init?(utf8 prefix: UnsafeBufferPointer<UInt8>) {
        let head = ManifestBytes.head(prefix)
        // Each prefix is shorter than a head, so its head and length say all of it.
        for known in Self.prefixHeads where known.head == head && known.count == prefix.count {
            self = known.kind
            return
        }
        return nil
    }

    private static let prefixHeads: [(kind: TaskKind, head: UInt64, count: Int)] = allCases.map { kind in
        var name = kind.rawValue
        return name.withUTF8 { (kind, ManifestBytes.head($0), $0.count) }
    }
}

extension TaskFields {
    /// A field name the fast path met, as the shared string `allowed(for:)` holds (not a new one
    /// per line), with whether `kind` accepts it; nil for a name no kind accepts. Found among
    /// plain numbers — first eight bytes, length, kinds — and its bytes compared only past the
    /// eighth: a scan of the names themselves retained and released each one it passed (P5,
    /// issue 20.1).
    static func known(_ utf8: UnsafeBufferPointer<UInt8>, for kind: TaskKind) -> (name: String, allowed: Bool)? {
        let head = ManifestBytes.head(utf8), heads = knownHeads
        for index in heads.indices where heads[index].head == head && heads[index].count == utf8.count {
            let field = knownFields[index]
            guard utf8.count <= 8 || field.utf8.withUnsafeBufferPointer({ ManifestBytes.same($0, utf8) }) else { continue }
            return (field.name, heads[index].kinds & Self.bit(kind) != 0)
        }
        return nil
    }

    private static func bit(_ kind: TaskKind) -> UInt8 {
        switch kind {
        case .sql: return 1
        case .tool: return 2
        case .redis: return 4
        case .config: return 8
        }
    }

    private struct KnownField {
        var name: String
        var utf8: [UInt8]
    }

    /// Every field some kind accepts, the ones every task sets first (a scan stops early).
    private static let knownFields: [KnownField] = {
        let everyKind = TaskKind.allCases.reduce(into: Set<String>()) { $0.formUnion(allowed(for: $1)) }
        let first = ["id", "description", "stage", "file", "compatible_version", "timeout", "depends"]
        return (first + everyKind.subtracting(first).sorted()).map { KnownField(name: $0, utf8: Array($0.utf8)) }
    }()

    /// Each known field's first eight bytes, length and the kinds that accept it (a bit each).
    private static let knownHeads: [(head: UInt64, count: Int, kinds: UInt8)] = knownFields.map { field in
        let kinds = TaskKind.allCases.filter { allowed(for: $0).contains(field.name) }.reduce(0) { $0 | bit($1) }
        return field.utf8.withUnsafeBufferPointer { (ManifestBytes.head($0), $0.count, kinds) }
    }
}

/// Small byte comparisons for the fast path, without the generic sequence algorithms.
enum ManifestBytes {
    /// The first eight bytes as one number (zeros after a shorter run).
    @inline(__always)
    static func head(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var head: UInt64 = 0
        for index in 0..<Swift.min(8, bytes.count) { head |= UInt64(bytes[index]) << UInt64(8 * index) }
        return head
    }

    @inline(__always)
    static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where a[index] != b[index] { return false }
        return true
    }
}
