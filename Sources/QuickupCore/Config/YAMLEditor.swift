/// Sets and removes values in a YAML document at the line level (SPEC K1), following its block
/// structure (`YAMLOutline`): comments, blank lines, indentation, quoting and anchors of every
/// part not edited stay byte for byte — a YAML library would re-serialise the whole file.
///
/// A set writes the change file's value text as it is (it is YAML: `8081`, `"a: b"`, `[1, 2]`).
/// Missing mappings on the path are created; a list grows by setting index `count`. An edit
/// that would be ambiguous or cannot be made in place is refused with file:line: a duplicate
/// key on the path, a flow collection (`{a: 1}`) to edit inside, a scalar to put keys under, an
/// anchored value that aliases (`*name`) elsewhere depend on. Callers should verify the result
/// with a YAML parser (QuickupRelease does, with Yams).
public enum YAMLEditor {
    public static func apply(_ changes: [ConfigChange], to text: String, file: String) throws(QuickupError) -> String {
        var document = TextLines(text)
        for change in changes {
            let path = try ConfigPath.parse(change.key, at: change.location)
            let outline = try YAMLOutline(document, file: file)
            var edit = YAMLEdit(outline: outline, document: document, change: change, path: path)
            switch change.operation {
            case .set(_, let value):
                guard !value.isEmpty, !value.contains(where: \.isNewline) else {
                    throw QuickupError(.configChange, "a YAML value must be one non-empty line", at: change.location,
                                       hint: "write `null`, \"\" or a flow value such as [a, b]")
                }
                try edit.set(value)
            case .remove:
                try edit.remove()
            }
            document = edit.document
        }
        return document.text
    }
}

/// One change applied to one outlined document.
struct YAMLEdit {
    let outline: YAMLOutline
    var document: TextLines
    let change: ConfigChange
    let path: ConfigPath

    private func refuse(_ line: Int?, _ message: String, hint: String) -> QuickupError {
        var message = message
        if let line { message += " (\(outline.file):\(line + 1))" }
        return QuickupError(.configChange, message, at: change.location, hint: hint)
    }

    private func content(_ line: Int) -> [Character] { Array(document.lines[line].content) }

    /// Where a path leads: a mapping entry, a list item, or a missing key under a mapping.
    private enum Target {
        case entry(YAMLOutline.Entry, siblings: [YAMLOutline.Entry], parent: YAMLOutline.Value?)
        case item(YAMLOutline.Item, siblings: [YAMLOutline.Item], parent: YAMLOutline.Value?)
        /// The key path `rest` is missing below `node` (a mapping, or an empty value of `holder`).
        case missing(node: YAMLOutline.Node, holder: YAMLOutline.Value?, holderLine: Int?, rest: ArraySlice<ConfigPath.Component>)
        /// Index == count of a list: an append.
        /// (`column` -1: the holder's value is `[]`, which becomes a block list.)
        case append(column: Int, items: [YAMLOutline.Item], holder: YAMLOutline.Value?, holderLine: Int?)
    }

    private func resolve() throws(QuickupError) -> Target {
        var node = outline.root
        var holder: YAMLOutline.Value?
        var holderLine: Int?
        var components = path.components[...]
        while let component = components.first {
            let isLast = components.count == 1
            switch (component, node) {
            case (.key(let key), .mapping(_, let entries)):
                let matches = entries.filter { $0.key == key }
                if matches.count > 1 {
                    throw refuse(matches[1].line, "key '\(key)' appears \(matches.count) times (lines \(matches.map { String($0.line + 1) }.joined(separator: ", "))); the edit is ambiguous",
                                 hint: "remove the duplicate key from the file first")
                }
                guard let entry = matches.first else {
                    return .missing(node: node, holder: holder, holderLine: holderLine, rest: components)
                }
                if isLast { return .entry(entry, siblings: entries, parent: holder) }
                node = entry.value.node
                holder = entry.value
                holderLine = entry.line
            case (.index(let index), .sequence(let column, let items)):
                if index == items.count && isLast { return .append(column: column, items: items, holder: holder, holderLine: holderLine) }
                guard index < items.count else {
                    throw refuse(items.last?.line ?? holderLine, "list '\(path)' has \(items.count) items; index \(index) is out of range",
                                 hint: "set index \(items.count) to append, or use an existing index")
                }
                if isLast { return .item(items[index], siblings: items, parent: holder) }
                node = items[index].value.node
                holder = items[index].value
                holderLine = items[index].line
            case (.key, .leaf(let leaf)) where leaf.kind == .empty || isNullScalar(leaf) || leaf.text == "{}":
                return .missing(node: node, holder: holder, holderLine: holderLine, rest: components)
            case (_, .leaf(let leaf)) where leaf.kind == .flow:
                throw refuse(holderLine, "'\(path)' goes inside a flow collection '\(leaf.text)', which cannot be edited in place",
                             hint: "set the whole value instead (set <parent> = {…}) or rewrite it in block style first")
            case (.index(0), .leaf(let leaf)) where isLast && leaf.text == "[]":
                return .append(column: -1, items: [], holder: holder, holderLine: holderLine)
            case (.index, .leaf(let leaf)) where leaf.kind == .empty || isNullScalar(leaf):
                throw refuse(holderLine, "'\(path)' indexes a list that does not exist", hint: "create the list first: set <parent> = [value]")
            default:
                throw refuse(holderLine, "'\(path)' does not match the document's structure at this point",
                             hint: "a key goes into a mapping, an [index] into a list; check the path against the file")
            }
            components = components.dropFirst()
        }
        return .missing(node: node, holder: holder, holderLine: holderLine, rest: components)
    }

    private func isNullScalar(_ leaf: YAMLOutline.Leaf) -> Bool {
        leaf.kind == .scalar && ["~", "null", "Null", "NULL"].contains(leaf.text)
    }

    private func checkAliases(_ value: YAMLOutline.Value, line: Int) throws(QuickupError) {
        guard let anchor = value.anchor else { return }
        let alias = Array("*" + anchor)
        for text in document.lines.map({ Array($0.content) }) {
            for start in text.indices where text[start] == "*" && text[start...].starts(with: alias) {
                let end = start + alias.count
                if end == text.count || " ,]}".contains(text[end]) {
                    throw refuse(line, "'\(path)' is anchored as &\(anchor) and aliased as *\(anchor) elsewhere; changing it would change those too",
                                 hint: "edit the aliases explicitly, or change the file with a config task of format `file`")
                }
            }
        }
    }

    mutating func set(_ value: String) throws(QuickupError) {
        switch try resolve() {
        case .entry(let entry, _, _):
            try checkAliases(entry.value, line: entry.line)
            let prefix = String(content(entry.line)[..<entry.afterColon])
            replaceValue(line: entry.line, prefix: prefix, value: value, old: entry.value)
        case .item(let item, _, _):
            try checkAliases(item.value, line: item.line)
            let prefix = String(content(item.line)[..<item.contentColumn]).trimmingTrailingSpaces()
            replaceValue(line: item.line, prefix: prefix, value: value, old: item.value)
        case .append(var column, let items, let holder, let holderLine):
            if column < 0, let holderLine, let colon = colonColumn(holderLine) {
                let text = content(holderLine)
                document.lines[holderLine].content = String(text[..<colon]) + (holder?.anchor.map { " &\($0)" } ?? "") + (holder?.comment ?? "")
                column = keyColumn(holderLine) + indentStep()
            }
            let last = items.last?.value.lastLine ?? holder?.lastLine ?? 0
            if last + 1 >= document.lines.count { keepFinalBlockScalar() }
            document.insert(String(repeating: " ", count: max(0, column)) + "- " + value, at: last + 1)
        case .missing(let node, let holder, let holderLine, let rest):
            try insertMissing(node: node, holder: holder, holderLine: holderLine, rest: rest, value: value)
        }
    }

    /// Rewrites a value in place: keeps the key (or dash), anchor and trailing comment of a
    /// one-line value; a multi-line value is replaced with the one line.
    private mutating func replaceValue(line: Int, prefix: String, value: String, old: YAMLOutline.Value) {
        let anchor = old.anchor.map { "&\($0) " } ?? ""
        let comment = old.lastLine == line ? old.comment : ""
        document.lines[line].content = prefix + " " + anchor + value + comment
        if old.lastLine > line { document.lines.removeSubrange((line + 1)...old.lastLine) }
    }

    private mutating func insertMissing(node: YAMLOutline.Node, holder: YAMLOutline.Value?, holderLine: Int?,
                                        rest: ArraySlice<ConfigPath.Component>, value: String) throws(QuickupError) {
        var keys: [String] = []
        for component in rest {
            guard case .key(let key) = component else {
                throw refuse(holderLine, "'\(path)' indexes a list that does not exist", hint: "create the list first: set <parent> = [value]")
            }
            keys.append(key)
        }
        let step = indentStep()
        var column: Int
        var at: Int
        switch node {
        case .mapping(let mappingColumn, let entries) where !entries.isEmpty:
            column = mappingColumn
            at = (entries.last?.value.lastLine ?? 0) + 1
        default:
            // An empty or null value (`key:`, `key: ~`, `key: {}`): it becomes the mapping.
            guard let holder, let holderLine else {
                // An empty document (or `{}`): new keys go after everything, at the left margin.
                column = 0
                at = document.lines.count
                if let last = document.lines.indices.last(where: outline.isContent),
                   document.lines[last].content.trimmingBlanks() == "{}" {
                    document.lines.remove(at: last)
                    at = last
                }
                break
            }
            let text = content(holderLine)
            let dashItem = text.count > indentOf(text) && text[indentOf(text)] == "-" && !isKeyLine(holderLine)
            if dashItem {
                throw refuse(holderLine, "'\(path)' would turn an empty list item into a mapping", hint: "set the item's whole value instead, e.g. set list[0] = {key: value}")
            }
            guard let colon = colonColumn(holderLine) else {
                throw refuse(holderLine, "cannot find the key holding '\(path)'", hint: "edit this part by hand")
            }
            let anchor = holder.anchor.map { " &\($0)" } ?? ""
            document.lines[holderLine].content = String(text[..<colon]) + anchor + holder.comment
            column = keyColumn(holderLine) + step
            at = holder.lastLine + 1
        }
        var lines: [String] = []
        for (offset, key) in keys.enumerated() {
            let indent = String(repeating: " ", count: column + offset * step)
            let written = Self.writtenKey(key)
            lines.append(offset == keys.count - 1 ? "\(indent)\(written): \(value)" : "\(indent)\(written):")
        }
        if at >= document.lines.count { keepFinalBlockScalar() }
        for (offset, line) in lines.enumerated() { document.insert(line, at: at + offset) }
    }

    /// Appending gives the last line a line break; when that line ends a clipped block scalar
    /// (`|`, `>`), the break would join its value, so the header becomes `|-`/`>-`, which reads
    /// the same value as before.
    private mutating func keepFinalBlockScalar() {
        guard let last = document.lines.indices.last, document.lines[last].terminator.isEmpty else { return }
        let depth = outline.indent(last)
        for line in stride(from: last - 1, through: 0, by: -1) where outline.isContent(line) && outline.indent(line) < depth {
            let parsed = outline.leaf(String(content(line)[(colonColumn(line) ?? content(line).count)...]))
            guard parsed.leaf.kind == .block, parsed.leaf.text == "|" || parsed.leaf.text == ">" else { return }
            let text = content(line)
            guard let indicator = text.lastIndex(where: { $0 == "|" || $0 == ">" }) else { return }
            document.lines[line].content = String(text[...indicator]) + "-" + String(text[(indicator + 1)...])
            return
        }
    }

    mutating func remove() throws(QuickupError) {
        switch try resolve() {
        case .missing, .append:
            return  // already absent: removing again changes nothing
        case .entry(let entry, let siblings, let parent):
            try checkAliases(entry.value, line: entry.line)
            let text = content(entry.line)
            let onDashLine = indentOf(text) != entry.column
            if onDashLine {
                // `- key: v` — the dash line also carries the item; the next key moves up onto it.
                let dashPrefix = String(text[..<entry.column])
                if let next = siblings.first(where: { $0.line > entry.line }) {
                    let moved = String(content(next.line).dropFirst(entry.column))
                    document.lines[next.line].content = dashPrefix + moved
                    document.lines.removeSubrange(entry.line...(next.line - 1))
                } else {
                    document.lines[entry.line].content = dashPrefix + "{}"
                    if entry.value.lastLine > entry.line { document.lines.removeSubrange((entry.line + 1)...entry.value.lastLine) }
                }
                return
            }
            document.lines.removeSubrange(entry.line...entry.value.lastLine)
            if siblings.count == 1 { markEmpty(parent: parent, lineBefore: entry.line, empty: "{}") }
        case .item(let item, let siblings, let parent):
            try checkAliases(item.value, line: item.line)
            document.lines.removeSubrange(item.line...item.value.lastLine)
            if siblings.count == 1 { markEmpty(parent: parent, lineBefore: item.line, empty: "[]") }
        }
    }

    /// After removing the last entry/item, the holder says `{}`/`[]` instead of becoming null.
    private mutating func markEmpty(parent: YAMLOutline.Value?, lineBefore: Int, empty: String) {
        guard parent != nil else {
            if empty == "{}" { document.insert(empty, at: lineBefore) }
            return
        }
        // The holder is the nearest line above with a smaller indent that ends its value text.
        var line = lineBefore - 1
        while line >= 0 && !outline.isContent(line) { line -= 1 }
        guard line >= 0 else { return }
        let trimmed = document.lines[line].content
        let hashComment = trimmed.firstRange(of: " #")
        if let hashComment {
            document.lines[line].content = String(trimmed[..<hashComment.lowerBound]) + " " + empty + String(trimmed[hashComment.lowerBound...])
        } else {
            document.lines[line].content = trimmed.trimmingTrailingSpaces() + " " + empty
        }
    }

    private func indentOf(_ text: [Character]) -> Int { text.prefix { $0 == " " }.count }

    private func isKeyLine(_ line: Int) -> Bool {
        let text = content(line)
        return outline.keyEnd(line, from: indentOf(text)) != nil
    }

    /// Column of the key on a line that holds one (after any `- ` dashes).
    private func keyColumn(_ line: Int) -> Int {
        let text = content(line)
        var column = indentOf(text)
        while column + 1 < text.count && text[column] == "-" && text[column + 1] == " " {
            column += 1
            while column < text.count && text[column] == " " { column += 1 }
        }
        return column
    }

    private func colonColumn(_ line: Int) -> Int? {
        guard let found = outline.keyEnd(line, from: keyColumn(line)) else { return nil }
        return found.1
    }

    /// The document's indentation unit: the first nested mapping's extra indent, else 2.
    private func indentStep() -> Int {
        var previous: Int?
        for line in outline.lines.indices where outline.isContent(line) {
            let depth = outline.indent(line)
            if let previous, depth > previous { return depth - previous }
            previous = depth
        }
        return 2
    }

    /// A key as YAML needs it written: plain when safe, else double-quoted.
    static func writtenKey(_ key: String) -> String {
        let safe = key.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-./".unicodeScalars.contains(scalar))
        }
        if safe, let first = key.unicodeScalars.first, first != "-", first != "." { return key }
        var out = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += "\\x" + String(scalar.value, radix: 16).leftPadded(2) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }

    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
