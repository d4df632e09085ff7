/// Kahn's algorithm with a priority queue: among ready tasks the lowest (order, file position)
/// goes first, so `depends` wins over `order`, which wins over file order (P3).
enum TopologicalOrder {
    struct CycleFound: Error { var task: UpgradeTask }

    /// Returns the order, or the first task caught in a cycle.
    static func sort(_ tasks: [UpgradeTask]) -> Result<[UpgradeTask], CycleFound> {
        if tasks.allSatisfy(\.depends.isEmpty) {
            return .success(tasks.sorted { ($0.effectiveOrder, $0.filePosition) < ($1.effectiveOrder, $1.filePosition) })
        }
        let index = Dictionary(tasks.enumerated().map { ($1.uid, $0) }, uniquingKeysWith: { first, _ in first })
        var indegree = [Int](repeating: 0, count: tasks.count)
        var dependents = [[Int]](repeating: [], count: tasks.count)
        for (i, task) in tasks.enumerated() {
            // Dependencies outside this group (earlier versions, other sites) are already satisfied.
            // Each dependency counted once; one alone (most tasks) needs no set made (P5).
            for uid in task.depends.count < 2 ? task.depends : Array(Set(task.depends)) {
                guard let j = index[uid] else { continue }
                indegree[i] += 1
                dependents[j].append(i)
            }
        }
        // Read once per task, not at each of the heap's comparisons.
        let keys = tasks.map { ($0.effectiveOrder, $0.filePosition) }
        var ready = MinHeap<Int> { keys[$0] < keys[$1] }
        for i in tasks.indices where indegree[i] == 0 { ready.push(i) }
        var result: [UpgradeTask] = []
        result.reserveCapacity(tasks.count)
        while let i = ready.pop() {
            result.append(tasks[i])
            for d in dependents[i] {
                indegree[d] -= 1
                if indegree[d] == 0 { ready.push(d) }
            }
        }
        if result.count < tasks.count, let stuck = tasks.indices.first(where: { indegree[$0] > 0 }) {
            return .failure(CycleFound(task: tasks[stuck]))
        }
        return .success(result)
    }
}

/// A binary min-heap ordered by a caller's comparison.
struct MinHeap<Element> {
    private var items: [Element] = []
    private let less: (Element, Element) -> Bool

    init(less: @escaping (Element, Element) -> Bool) { self.less = less }

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, less(items[left], items[smallest]) { smallest = left }
            if right < items.count, less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
