import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRemote

/// S1: keepalive per connection class (robustness doc §4.6.1) and backoff are data; the
/// OpenSSH options derived from them keep detection within the class's timeout.
@Suite struct KeepalivePolicyTests {
    @Test("S1: §4.6.1 defaults — interval, timeout, reconnect tries per class")
    func defaults() {
        let expected: [(ConnectionClass, Int64, Int64, Int)] = [(.control, 60, 180, 3), (.transfer, 30, 120, 2), (.plugin, 45, 150, 1), (.status, 90, 300, 0)]
        for (connectionClass, interval, timeout, tries) in expected {
            let policy = KeepalivePolicy.defaults(for: connectionClass)
            #expect(policy.interval == .seconds(interval))
            #expect(policy.timeout == .seconds(timeout))
            #expect(policy.reconnectTries == tries)
            // OpenSSH drops the link after (ServerAliveCountMax + 1) × ServerAliveInterval of silence.
            #expect(policy.detectionBound <= policy.timeout, "\(connectionClass)")
            #expect(policy.detectionBound.milliseconds + policy.interval.milliseconds > policy.timeout.milliseconds, "\(connectionClass): not needlessly early")
        }
        #expect(KeepalivePolicy.defaults(for: .control).serverAliveCountMax == 2)
        #expect(KeepalivePolicy.defaults(for: .transfer).serverAliveCountMax == 3)
    }

    @Test("S1: exponential backoff, capped")
    func backoff() {
        let backoff = Backoff(firstDelay: .seconds(1), factor: 2, maxDelay: .seconds(5))
        #expect(backoff.schedule(tries: 5) == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(Backoff.standard.schedule(tries: 0).isEmpty)
    }

    @Test("S1: command line — BatchMode, our known_hosts, keepalive options, no user config, nothing secret")
    func commandLine() {
        var host = HostConfig(name: "app1", address: "10.0.0.5", location: SourceLocation(file: "env.yaml", line: 3))
        host.user = "deploy"
        host.identityFile = "/keys/id_ed25519"
        let line = SSHCommandLine(host: host, connectionClass: .transfer, policy: .defaults(for: .transfer), paths: SSHPaths(stateDirectory: "/state"))
        let options = line.commonOptions
        #expect(options.starts(with: ["-F", "none"]))
        for expected in ["BatchMode=yes", "User=deploy", "UserKnownHostsFile=/state/ssh/known_hosts", "StrictHostKeyChecking=yes",
                         "ServerAliveInterval=30", "ServerAliveCountMax=3", "IdentityFile=/keys/id_ed25519", "IdentitiesOnly=yes"] {
            #expect(options.contains(expected), "\(expected)")
        }
        #expect(line.master(log: "/state/ssh/x.log").contains("ControlMaster=yes"))
        host.hostKeyPolicy = .acceptNew
        #expect(SSHCommandLine(host: host, connectionClass: .control, policy: .defaults(for: .control), paths: SSHPaths(stateDirectory: "/s"))
            .commonOptions.contains("StrictHostKeyChecking=accept-new"))
    }

    @Test("S1: control socket paths stay under the unix socket limit, also for a deep state directory")
    func controlPathLength() {
        let host = HostConfig(name: "app1", address: "192.168.100.200", location: SourceLocation(file: "env.yaml"))
        let short = SSHPaths(stateDirectory: "/var/lib/quickup")
        #expect(short.controlPath(for: host, .control).hasPrefix("/var/lib/quickup/ssh/"))
        let deep = SSHPaths(stateDirectory: "/" + String(repeating: "very-long-directory-name/", count: 6))
        let path = deep.controlPath(for: host, .control)
        #expect(path.utf8.count <= SSHPaths.maxControlPathBytes)
        #expect(path.hasPrefix(SSHPaths.shortDirectory))
        #expect(path != deep.controlPath(for: host, .transfer), "one master per class")
    }

    @Test("S1: shell quoting survives quotes and spaces")
    func quoting() {
        #expect(ShellQuoting.quote("it's a file") == #"'it'\''s a file'"#)
        #expect(SFTPQuoting.quote(#"a "b"\c"#) == #""a \"b\"\\c""#)
    }
}
