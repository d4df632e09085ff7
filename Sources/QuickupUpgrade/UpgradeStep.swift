import QuickupCore

/// The five flows of a whole upgrade (F1, robustness doc §4.1.1).
public enum UpgradeFlow: String, Sendable, Codable, CaseIterable {
    case precheck, backup, transfer, formal, postcheck
}

/// How services are replaced (F1): one host at a time when the assessment says the upgrade is
/// compatible (A3), or all stopped together.
public enum UpgradeStrategy: String, Sendable, Codable, CaseIterable {
    case auto, rolling
    case stopTheWorld = "stop-the-world"
}

/// One checkpointed step of a whole upgrade: recorded RUNNING before it acts and SUCCESS after
/// (F5). Every action is safe to repeat after a crash (stop of a stopped service does nothing;
/// prepare, install and start are remote steps with markers; tasks are skipped once applied,
/// E3), so an interrupted step is simply done again on resume. Steps of one `group` next to each
/// other run at the same time (each still its own checkpoint): the same kind of step on every
/// host of a stop-the-world upgrade.
public struct UpgradeStep: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        case precheck
        case backup
        case transfer
        /// The package copied into `releases/<version>` on the host, before the stop: nothing
        /// that runs changes (F3/F4 layout), so the outage holds only the switch.
        case prepare(host: String, component: String)
        /// A stage's tasks and the hooks of that moment (T5), through the run engine.
        case tasks(Stage)
        case stop(host: String, component: String)
        /// The atomic switch of `current` to the prepared `releases/<version>` (keep files carried over).
        case install(host: String, component: String)
        case start(host: String, component: String)
        case gate
        case verify
    }

    public var action: Action
    public var flow: UpgradeFlow
    /// Steps of the same group next to each other run together (nil: alone).
    public var group: String?

    public init(_ action: Action, flow: UpgradeFlow, group: String? = nil) {
        self.action = action
        self.flow = flow
        self.group = group
    }

    /// Stable name in the journal, logs and `QUICKUP_CRASH_AT`.
    public var key: String {
        switch action {
        case .precheck: "precheck"
        case .backup: "backup"
        case .transfer: "transfer"
        case .prepare(let host, let component): "prepare.\(host).\(component)"
        case .tasks(let stage): "tasks.\(stage.rawValue)"
        case .stop(let host, let component): "stop.\(host).\(component)"
        case .install(let host, let component): "install.\(host).\(component)"
        case .start(let host, let component): "start.\(host).\(component)"
        case .gate: "gate"
        case .verify: "verify"
        }
    }

    /// F2, §4.1.2–4.1.4: outside the formal upgrade every step is retried directly; inside it,
    /// stop and the gate are; install, schema changes (tasks) and start (service registration)
    /// are not: after their failure the environment is cleaned and the formal upgrade restarts.
    public var retryable: Bool {
        guard flow == .formal else { return true }
        switch action {
        case .stop, .gate: return true
        default: return false
        }
    }

    public var title: String {
        switch action {
        case .precheck: "precheck: assessment and business_check hooks"
        case .backup: "backup"
        case .transfer: "transfer packages to the hosts"
        case .prepare(let host, let component): "prepare \(component) on \(host): copy into releases/ (service still running)"
        case .tasks(let stage): "\(stage.rawValue) tasks and hooks"
        case .stop(let host, let component): "stop \(component) on \(host)"
        case .install(let host, let component): "install \(component) on \(host): switch current"
        case .start(let host, let component): "start \(component) on \(host)"
        case .gate: "manual verification gate"
        case .verify: "post-upgrade checks: health, version, business_check, quality rules"
        }
    }
}

/// The ordered steps of an upgrade (pure). Every host's `releases/<v>` is prepared (in
/// parallel) after the transfer, before anything stops. Stop-the-world: pre_stop → stop all →
/// install (switch) all → in_stop → start all → post_start → gate → post_upgrade, each kind of
/// step on all hosts at once. Rolling (compatible, A3): pre_stop → in_stop (old services still
/// run: the change is compatible) → per host, one host at a time: stop, install, start of each
/// component → post_start → gate → post_upgrade.
public enum UpgradeStepList {
    public static func build(_ scope: UpgradeScope, rolling: Bool) -> [UpgradeStep] {
        var steps = [UpgradeStep(.precheck, flow: .precheck), UpgradeStep(.backup, flow: .backup), UpgradeStep(.transfer, flow: .transfer)]
        let pairs = scope.hosts.flatMap { host in
            scope.deployments.filter { $0.hosts.contains { $0.name == host.name } }.map { (host.name, $0.component) }
        }
        for (host, component) in pairs { steps.append(UpgradeStep(.prepare(host: host, component: component), flow: .transfer, group: "prepare")) }
        func formal(_ action: UpgradeStep.Action, group: String? = nil) { steps.append(UpgradeStep(action, flow: .formal, group: group)) }
        formal(.tasks(.preStop))
        if rolling {
            formal(.tasks(.inStop))
            for host in scope.hosts.map(\.name) {
                for (h, component) in pairs where h == host {
                    formal(.stop(host: h, component: component))
                    formal(.install(host: h, component: component))
                    formal(.start(host: h, component: component))
                }
            }
        } else {
            for (host, component) in pairs { formal(.stop(host: host, component: component), group: "stop") }
            for (host, component) in pairs { formal(.install(host: host, component: component), group: "install") }
            formal(.tasks(.inStop))
            for (host, component) in pairs { formal(.start(host: host, component: component), group: "start") }
        }
        formal(.tasks(.postStart))
        formal(.gate)
        formal(.tasks(.postUpgrade))
        steps.append(UpgradeStep(.verify, flow: .postcheck))
        return steps
    }

    /// The steps in the order they run, with their place in the list: each batch is one step,
    /// or the neighbouring steps of one group, which run at the same time.
    public static func batches(_ steps: [UpgradeStep]) -> [[(seq: Int, step: UpgradeStep)]] {
        var batches: [[(seq: Int, step: UpgradeStep)]] = []
        for (seq, step) in steps.enumerated() {
            if let group = step.group, let last = batches.last?.last, last.step.group == group {
                batches[batches.count - 1].append((seq, step))
            } else {
                batches.append([(seq, step)])
            }
        }
        return batches
    }
}
