import Foundation
import QuickupCore

/// How a tool's first process is started inside its sandbox (T1, T3, issue 20.2): the command
/// lines and the job a pre-joined launcher is handed, for `quickup-launch` and for the shell
/// used where it is not installed.
extension ToolSandbox {
    /// The command line that joins the cgroups, applies rlimits and bubblewrap, then execs `argv`:
    /// `quickup-launch` where it is installed, else one shell doing it all with builtins (no
    /// `prlimit` exec: every millisecond counts when a tool is a 10 ms Python script). Joining
    /// happens before exec, so no process of the tool ever runs outside its cgroups.
    public func wrap(_ argv: [String]) -> [String] {
        if let launch = support.launcher {
            return [launch] + launchOptions + resourceLimits.flatMap { ["--limit", $0.launchSpec] } + ["--"] + confinement + argv
        }
        return shell(joinScript + "; " + limitScript + #"; exec "$@""#) + confinement + argv
    }

    /// A pre-joined launcher (issue 20.2): it joins the cgroups at once — paying the kernel's
    /// grace period before any tool waits for it — then blocks until quickup writes its tool's
    /// job on its stdin (`launchJob`, or with the shell a line naming a script to source,
    /// `launchScript`). Whatever stdin holds after that is the tool's (its context).
    func launcher() -> [String] {
        if let launch = support.launcher { return [launch] + launchOptions + ["--wait"] }
        return shell(joinScript + #"; IFS= read -r job || exit 125; . "$job""#)
    }

    /// What `quickup-launch --wait` reads to become `invocation`'s tool: its length on a line,
    /// then NUL-terminated fields — directory, environment, limits, arguments. Needs `canLaunch`.
    func launchJob(_ invocation: ToolInvocation) -> [UInt8] {
        var fields: [UInt8] = []
        func field(_ tag: Character, _ value: String) {
            fields.append(tag.asciiValue ?? 0)
            fields.append(contentsOf: value.utf8)
            fields.append(0)
        }
        field("D", invocation.workDirectory)
        for (key, value) in invocation.fullEnvironment { field("E", "\(key)=\(value)") }
        for limit in resourceLimits { field("L", limit.launchSpec) }
        for argument in confinement + invocation.arguments { field("A", argument) }
        return Array("\(fields.count)\n".utf8) + fields
    }

    /// What a launcher shell sources to become `invocation`'s tool: only quoted words, so no
    /// value of the invocation is ever parsed as shell code. Needs `canLaunch(invocation)`.
    func launchScript(_ invocation: ToolInvocation) -> String {
        var script = "cd \(Self.quoted(invocation.workDirectory)) || exit 125\n"
        for (key, value) in invocation.fullEnvironment.sorted(by: { $0.key < $1.key }) { script += "export \(key)=\(Self.quoted(value))\n" }
        script += limitScript + "\nexec " + (confinement + invocation.arguments).map(Self.quoted).joined(separator: " ") + "\n"
        return script
    }

    /// Whether a launcher can be handed `invocation` (else it starts the usual way): a job holds
    /// no NUL and names no variable with `=`; a shell exports only names of letters, digits, `_`.
    static func canLaunch(_ invocation: ToolInvocation, support: IsolationSupport) -> Bool {
        let environment = invocation.fullEnvironment
        guard support.launcher != nil else { return environment.keys.allSatisfy(isShellName) }
        let clean = { (text: String) in !text.utf8.contains(0) }
        return environment.allSatisfy { !$0.key.isEmpty && !$0.key.utf8.contains(UInt8(ascii: "=")) && clean($0.key) && clean($0.value) }
            && clean(invocation.workDirectory) && invocation.arguments.allSatisfy(clean)
    }

    /// `quickup-launch`'s options: the parent it must still have once its parent-death signal is
    /// set, and the cgroups' procs files to join.
    var launchOptions: [String] {
        ["--parent", "\(getpid())"] + procsFiles.flatMap { ["--join", $0] }
    }

    /// `setpriv` (where it works) and `sh -c script` with the cgroups' procs files as arguments.
    func shell(_ script: String) -> [String] {
        // The tool dies with quickup where the kernel allows (a parent-death signal, kept across
        // exec); what it started itself is found by the next run (LeftoverTools, issue 13 item 1).
        let command = support.parentDeathSignal.map { [$0, "--pdeathsig", "KILL"] } ?? []
        return command + ["/bin/sh", "-c", script, "quickup-tool"] + procsFiles + ["--"]
    }

    var joinScript: String {
        #"while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift"#
    }

    var resourceLimits: [ResourceLimit] {
        ResourceLimit.forTool(limits, mechanism: support.mechanism, processesOfThisUser: ToolSandbox.processesOfThisUser, isRoot: getuid() == 0)
    }

    var limitScript: String {
        resourceLimits.map(\.shellCommand).joined(separator: "; ")
    }

    /// bubblewrap's command line for plugins without network or with a read-only system.
    var confinement: [String] {
        guard let bwrap = support.bubblewrap, !limits.network || limits.readOnlyRoot else { return [] }
        var command = [bwrap, "--die-with-parent"]
        if limits.readOnlyRoot {
            command += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
            // After the private /tmp, or it would hide them (a state directory under /tmp).
            for path in readOnlyPaths where FileManager.default.fileExists(atPath: path) { command += ["--ro-bind", path, path] }
            command += ["--bind", workDirectory, workDirectory]
        } else {
            command += ["--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        }
        if !limits.network { command.append("--unshare-net") }
        return command + ["--chdir", workDirectory, "--"]
    }

    /// `word` in single quotes, each `'` in it written `'\''`: the shell reads it back as it is.
    static func quoted(_ word: String) -> String {
        var result = "'"
        result.reserveCapacity(word.utf8.count + 2)
        for character in word.unicodeScalars {
            if character == "'" { result += #"'\''"# } else { result.unicodeScalars.append(character) }
        }
        return result + "'"
    }

    /// A name `export` accepts: an ASCII letter or `_`, then ASCII letters, digits or `_`.
    static func isShellName(_ name: String) -> Bool {
        let letter = { (byte: UInt8) in (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") }
        guard let first = name.utf8.first, letter(first) else { return false }
        return name.utf8.allSatisfy { letter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }
}
