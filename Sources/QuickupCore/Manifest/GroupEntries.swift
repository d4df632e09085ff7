/// The entries of one `prefix.uid` group, by field, in the order they were added. A task has
/// about ten fields and each is looked up by name a few times, so a short array searched in
/// order beats a dictionary: no hashing, no rehash as it grows — a 100,000-task release made
/// and searched one dictionary per task (P5, issue 20 item 1).
struct GroupEntries: Sequence, ExpressibleByDictionaryLiteral {
    private var items: [(key: String, value: PropertiesEntry)] = []
    /// One bit per field held (`signature`): most of a task's ~25 lookups are of fields it does
    /// not set, and a clear bit answers those without a scan (P5, issue 20.1).
    private var signatures: UInt64 = 0

    init(dictionaryLiteral elements: (String, PropertiesEntry)...) {
        // Room for a task's usual fields at once: grown an entry at a time, the array was
        // reallocated and copied four times per task (P5, issue 20.1). `[:]` stays without
        // storage: it empties a group that is done with.
        if !elements.isEmpty { items.reserveCapacity(Swift.max(elements.count, Self.usualFieldCount)) }
        for (field, entry) in elements { self[field] = entry }
    }

    /// About as many fields as a task sets (id, description, file, stage, and a few more).
    private static let usualFieldCount = 10

    var isEmpty: Bool { items.isEmpty }

    /// The entry of `field`; setting replaces it in place, nil removes it.
    subscript(field: String) -> PropertiesEntry? {
        get {
            guard signatures & Self.signature(field) != 0 else { return nil }
            return items.first { Self.same($0.key, field) }?.value
        }
        set {
            let index = signatures & Self.signature(field) == 0 ? nil : items.firstIndex { Self.same($0.key, field) }
            switch (index, newValue) {
            case let (index?, entry?): items[index].value = entry
            case let (index?, nil):
                items.remove(at: index)
                signatures = items.reduce(0) { $0 | Self.signature($1.key) }
            case let (nil, entry?):
                items.append((field, entry))
                signatures |= Self.signature(field)
            case (nil, nil): break
            }
        }
    }

    /// A field's bit among 64, from its length and first byte: the fields a task may set mostly
    /// differ in one or the other, so an absent one rarely finds its bit set.
    private static func signature(_ field: String) -> UInt64 {
        let utf8 = field.utf8
        return 1 << UInt64((utf8.count &* 31 &+ Int(utf8.first ?? 0)) & 63)
    }

    /// `a == b`, told apart by length first: most fields looked up are absent or another of
    /// the task's ten, and String's `==` of two different short strings is a call into the
    /// general comparison (P5, issue 20.1: 25 lookups per task).
    private static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a == b
    }

    func makeIterator() -> IndexingIterator<[(key: String, value: PropertiesEntry)]> { items.makeIterator() }
}
