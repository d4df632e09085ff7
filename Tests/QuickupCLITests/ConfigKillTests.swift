import Foundation
import QuickupTestSupport
import Testing

/// Issue 18 item 2 (K1, E4, S1): a real `kill -9` of quickup while a config task's install runs
/// on a `local` host. The install is held, deterministically, at its last act — the rename of the
/// new file over the target, the previous file already kept — by an `mv` placed first in PATH
/// that waits for the test (the host's shell inherits quickup's environment). The resume must
/// wait for that install rather than start a second one, the file must end as a clean run leaves
/// it, the kept copy must be the true original, and the rollback must put it back byte for byte.
@Suite("Config task killed with -9 mid-install, then resumed (K1, E4, issue 18)", .serialized)
struct ConfigKillTests {
    /// The hold: `mv` of a config install's new file waits until `release` exists; each held call
    /// appends a line to `held`. Every other `mv` runs at once.
    struct Hold {
        let directory: String
        var held: String { directory + "/held" }
        var release: String { directory + "/release" }

        init(in tree: TemporaryTree) throws {
            directory = tree.path + "/hold"
            try tree.write("hold/mv", """
                #!/bin/sh
                case "$2" in
                  *.quickup-new.*) echo "$$" >> '\(directory)/held'
                    while [ ! -e '\(directory)/release' ]; do sleep 0.05; done ;;
                esac
                exec /bin/mv "$@"

                """)
            chmod(directory + "/mv", 0o755)
        }

        var heldCount: Int {
            ((try? String(contentsOfFile: held, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func open() { _ = FileManager.default.createFile(atPath: release, contents: Data()) }

        var environment: [String: String] {
            ["PATH": directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        }
    }

    /// Polls (10 ms) until `done` holds or `process` ends; returns whether `done` held.
    static func wait(for process: ChildProcess, until done: () -> Bool) -> Bool {
        while process.isRunning {
            if done() { return true }
            usleep(10_000)
        }
        return done()
    }

    @Test("kill -9 while the install runs, resume: one install, the clean run's file, the true original kept, rollback byte-identical",
          .timeLimit(.minutes(5)))
    func killedMidInstall() throws {
        let site = try ConfigSite("qu-cfg-kill")
        let hold = try Hold(in: site.tree)
        defer {
            hold.open()  // never leave the held install waiting
            site.stop()
        }
        let hostState = site.tree.path + "/hosts/node1"
        try site.tree.write("env.yaml", """
            site: CFG
            hosts:
              - {name: node1, kind: local, state_dir: \(hostState), components: [app]}

            """)
        let target = "\(site.files)/conf/app.properties"
        try site.release(tasks: ConfigSite.task("props", format: "properties", target: target),
                         changes: ["props.change": "set server.port = 8081\nremove spring.redis.timeout\n"])
        _ = try site.place("conf/app.properties", ConfigTaskRunTests.originalProperties, mode: 0o640)
        let before = try #require(ConfigSite.snapshot(target))

        let firstLog = URL(fileURLWithPath: site.tree.path + "/first.out")
        let first = try QuickupProcess.start(["run", "--from", "V1.0.0", "--to", "V1.0.1"] + site.common, output: firstLog,
                                             environment: hold.environment)
        let reached = Self.wait(for: first) { hold.heldCount == 1 }
        #expect(reached, "the install never reached its rename: \((try? String(contentsOf: firstLog, encoding: .utf8)) ?? "")")
        guard reached else { return }
        first.send(SIGKILL)
        first.wait()
        #expect(first.wait().signaled && first.wait().status == SIGKILL)
        #expect(ConfigSite.snapshot(target) == before, "the held install has not replaced the file yet")

        let runID = try #require(try FileManager.default.contentsOfDirectory(atPath: site.state + "/runs").first)
        let resumeLog = URL(fileURLWithPath: site.tree.path + "/resume.out")
        let resume = try QuickupProcess.start(["resume", runID] + site.common, output: resumeLog, environment: hold.environment)
        // Either the resume says it waits for the install the killed run left going, or it starts
        // a second install step (its marker appears; it then waits on the install lock or the
        // hold): whichever comes first, then the hold is opened.
        let steps = hostState + "/steps"
        func installSteps() -> Int {
            let runs = (try? FileManager.default.contentsOfDirectory(atPath: steps)) ?? []
            return runs.reduce(0) { count, run in
                count + ((try? FileManager.default.contentsOfDirectory(atPath: "\(steps)/\(run)")) ?? []).filter { $0.hasPrefix("config-") }.count
            }
        }
        let waiting = Self.wait(for: resume) {
            installSteps() > 1 || hold.heldCount > 1 || ((try? String(contentsOf: resumeLog, encoding: .utf8)) ?? "").contains("was started before")
        }
        hold.open()
        resume.wait()
        let output = (try? String(contentsOf: resumeLog, encoding: .utf8)) ?? ""
        #expect(waiting && resume.wait().status == 0, "\(output)")
        #expect(installSteps() == 1, "a second install step was started on node1 (S1: once)")
        #expect(hold.heldCount == 1, "the install ran \(hold.heldCount) times on node1 (S1: once): \(output)")
        #expect(output.contains("not run again"), "\(output)")

        let after = try #require(ConfigSite.snapshot(target))
        #expect(after.text == "# application\r\nserver.port=8081\r\nname=caf\\u00e9\r\n", "\(after)")
        #expect(after.mode == before.mode && after.owner == before.owner && after.group == before.group, "\(after)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: hostState + "/backups/config")
            .filter { $0.hasSuffix("props") }  // not .saved, .lock, .restored
        #expect(kept.count == 1, "\(kept)")
        #expect(kept.first.flatMap { FileManager.default.contents(atPath: hostState + "/backups/config/" + $0) }.map(Array.init) == before.bytes,
                "the kept copy is the original, not the half-applied file")

        let back = try site.rollback(runID)
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(ConfigSite.snapshot(target) == before, "after the rollback: \(String(describing: ConfigSite.snapshot(target)))")
    }
}
