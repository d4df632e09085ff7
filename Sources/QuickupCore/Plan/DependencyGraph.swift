/// A directed graph for cycle detection (P3), over nodes numbered from 0: the validator looks for
/// a cycle among every version's tasks — 100,000 in a large release — and marks and edges held
/// in arrays cost no hashing per step, where a graph over names hashed each name several times
/// (P5, issue 20.1).
struct DependencyGraph {
    /// The nodes a search starts from, in order (a node may be listed more than once).
    var starts: [Int]
    /// Each node's edges; a search follows them last first.
    var edges: [[Int]]

    init(starts: [Int], edges: [[Int]]) {
        self.starts = starts
        self.edges = edges
    }

    /// A graph over names, numbered in the order they are met (`starts`, then their edges); a
    /// name's edges are asked for once. `cycle(names:)` gives the cycle as names.
    init(names: [String], edges edgesOf: (String) -> [String]) {
        var numbers: [String: Int] = [:]
        var named: [String] = []
        func number(_ name: String) -> Int {
            if let known = numbers[name] { return known }
            numbers[name] = named.count
            named.append(name)
            return named.count - 1
        }
        starts = names.map(number)
        edges = []
        while edges.count < named.count {
            edges.append(edgesOf(named[edges.count]).map(number))
        }
        self.names = named
    }

    /// The names of the nodes, when the graph was made from names.
    private(set) var names: [String] = []

    /// One cycle as `[a, b, c, a]` in names (a graph made from names), or nil.
    func cycleOfNames() -> [String]? {
        cycle().map { $0.map { names[$0] } }
    }

    /// One cycle as `[a, b, c, a]`, or nil. Iterative DFS so deep graphs cannot overflow the stack.
    func cycle() -> [Int]? {
        enum Mark: UInt8 { case unseen, visiting, done }
        var marks = [Mark](repeating: .unseen, count: edges.count)
        var stack: [(node: Int, next: [Int])] = []
        var path: [Int] = []
        for start in starts where marks[start] == .unseen {
            stack.append((start, edges[start]))
            path.append(start)
            marks[start] = .visiting
            while !stack.isEmpty {
                if let child = stack[stack.count - 1].next.popLast() {
                    switch marks[child] {
                    case .visiting:
                        guard let from = path.firstIndex(of: child) else { continue }
                        return Array(path[from...]) + [child]
                    case .done:
                        continue
                    case .unseen:
                        marks[child] = .visiting
                        stack.append((child, edges[child]))
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
