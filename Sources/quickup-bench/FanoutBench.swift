import Foundation
import QuickupCore
import QuickupRelease
import QuickupRemote

/// quickup-bench fanout --env FILE --state DIR [--command TEXT] [--close]
/// One command on every host of env.yaml at once through quickup's SSH layer (S1, issue 15
/// Performance): the control-class shared connection of each host (started when missing, reused
/// when a master from an earlier run still persists), `sh -s` over it, all hosts in parallel.
/// Exit 1 when any host failed. `--close` ends the masters instead (the cold case's preparation).
/// scripts/bench-fanout.sh times it against `ansible -m command` under hyperfine.
enum FanoutBench {
    static func run(_ arguments: [String]) async -> Int32 {
        func value(_ name: String, _ fallback: String) -> String {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
            return arguments[i + 1]
        }
        let environment: Environment
        do { environment = try Workspace.loadEnvironment(file: value("--env", "env.yaml")) } catch {
            FileHandle.standardError.write(Data("fanout: \(error)\n".utf8))
            return 2
        }
        let connections = SSHConnections(context: RemoteContext(stateDirectory: value("--state", ".quickup"), keepalive: environment.keepalive))
        if arguments.contains("--close") {
            for host in environment.hosts { await connections.connection(to: host, .control).close() }
            return 0
        }
        let command = value("--command", "uname -r") + "\n"
        let failures = await withTaskGroup(of: String?.self) { group in
            for host in environment.hosts {
                group.addTask {
                    do {
                        let result = try await connections.connection(to: host, .control).run(command)
                        return result.succeeded ? nil : "\(host.name): status \(result.status) \(result.stderr)"
                    } catch {
                        return "\(host.name): \(error)"
                    }
                }
            }
            var all: [String] = []
            for await failure in group { if let failure { all.append(failure) } }
            return all
        }
        for failure in failures { FileHandle.standardError.write(Data("fanout: \(failure)\n".utf8)) }
        return failures.isEmpty ? 0 : 1
    }
}
