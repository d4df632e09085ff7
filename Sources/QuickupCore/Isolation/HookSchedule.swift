/// When each CI/CD hook point (T5, source §5.1.1) runs inside `quickup run`: the source's
/// timeline is resource check → business check → pre-upgrade → stop, install → pre-start →
/// start → post-start → (verification) → southbound open → post-upgrade.
public struct HookSchedule: Hashable, Sendable {
    public enum Moment: String, Hashable, Sendable { case beforeTasks = "before", afterTasks = "after" }
    public var stage: Stage
    public var moment: Moment

    public static func of(_ point: HookPoint) -> HookSchedule {
        switch point {
        case .resourceCheck, .businessCheck: HookSchedule(stage: .preStop, moment: .beforeTasks)
        case .preUpgrade: HookSchedule(stage: .preStop, moment: .afterTasks)
        case .preStart: HookSchedule(stage: .inStop, moment: .afterTasks)
        case .postStart: HookSchedule(stage: .postStart, moment: .afterTasks)
        case .southboundOpen: HookSchedule(stage: .postUpgrade, moment: .beforeTasks)
        case .postUpgrade: HookSchedule(stage: .postUpgrade, moment: .afterTasks)
        }
    }

    /// Hook points that run at `moment` of `stage`, in timeline order.
    public static func points(_ stage: Stage, _ moment: Moment) -> [HookPoint] {
        HookPoint.allCases.filter { of($0) == HookSchedule(stage: stage, moment: moment) }
    }
}
