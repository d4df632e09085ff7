import QuickupCore

/// `lint: {disable: [rule-id, …]}` in release.yaml or component.yaml (N1). An unknown rule id is
/// a validation error: a typo must not silently leave a rule on.
enum LintSettings {
    static func disabledRules(_ yaml: YAMLObject) -> [String]? {
        guard let lint = yaml.object("lint") else { return nil }
        defer { lint.finish(context: "lint") }
        guard let ids = lint.strings("disable") else { return nil }
        let (rules, unknown) = LintRule.parse(ids)
        for id in unknown {
            lint.sink.error("unknown lint rule '\(id)'", at: lint.location("disable"), hint: "rules: \(LintRule.idList)")
        }
        return rules.map(\.rawValue).sorted()
    }
}
