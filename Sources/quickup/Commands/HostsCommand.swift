import ArgumentParser
import Foundation
import QuickupCore
import QuickupRelease
import QuickupRemote

/// `quickup hosts check --env env.yaml` (S1): connects to every host of env.yaml over SSH, the
/// way an upgrade will (quickup's known_hosts, shared connection), and reports what is missing.
struct HostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts", abstract: "Work with the hosts of an env.yaml.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Connect to every host of env.yaml over SSH and report reachability and missing tools.",
            discussion: "Exit 0 when every host answers and has the tools quickup's remote scripts use, 1 otherwise, 2 for a bad env.yaml.")

        @Option(name: .long, help: "The site's env.yaml (hosts, datasources, Nacos).")
        var env: String
        @OptionGroup var stateOption: StateOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReporting {
                let environment = try Workspace.loadEnvironment(file: env)
                let connections = SSHConnections(context: RemoteContext(stateDirectory: stateOption.state, keepalive: environment.keepalive))
                let results = await HostCheck(connections: connections).check(environment.hosts)
                await connections.closeAll()
                if output.json {
                    try printJSON(results)
                } else if results.isEmpty {
                    Console.out("env.yaml has no hosts.")
                } else {
                    var table = TextTable(headers: ["HOST", "TARGET", "CONNECT", "SYSTEM", "RESULT"])
                    for result in results {
                        let verdict = result.error ?? (result.missingTools.isEmpty ? "ok" : "missing: \(result.missingTools.joined(separator: ", "))")
                        table.add([result.host, result.target, result.connectMilliseconds.map { "\($0) ms" } ?? "-", result.system ?? "-", verdict])
                    }
                    Console.out(table.render())
                }
                return results.allSatisfy(\.ok) ? .success : .failed
            }
        }
    }
}
