/// A directed graph over names, for cycle detection and ordering (P3).
struct DependencyGraph {
    var nodes: [String]
    var edges: (String) -> [String]

    /// One cycle as `[a, b, c, a]`, or nil. Iterative DFS so deep graphs cannot overflow the stack.
    func cycle() -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        for start in nodes where marks[start] == nil {
            var stack: [(node: String, next: [String])] = [(start, edges(start))]
            var path = [start]
            marks[start] = .visiting
            while !stack.isEmpty {
                if let child = stack[stack.count - 1].next.popLast() {
                    switch marks[child] {
                    case .visiting:
                        guard let from = path.firstIndex(of: child) else { continue }
                        return Array(path[from...]) + [child]
                    case .done:
                        continue
                    case nil:
                        marks[child] = .visiting
                        stack.append((child, edges(child)))
                        path.append(child)
                    }
                } else {
                    marks[stack[stack.count - 1].node] = .done
                    stack.removeLast()
                    path.removeLast()
                }
            }
        }
        return nil
    }
}
