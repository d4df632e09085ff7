import Foundation
import QuickupCore

/// The shell side of a transfer: what is on the host, and whether what arrived is right.
enum TransferScripts {
    struct RemoteState: Equatable {
        var sha256: String?
        var partSize: Int64?
    }

    static func partPath(_ remote: String) -> String { remote + ".part" }

    /// For each file: its SHA-256 when present, the size of its partial file when one is there.
    /// Creates missing directories on the way.
    static func probe(_ files: [TransferFile], over connection: SSHConnection) async throws(QuickupError) -> [RemoteState] {
        var script = ""
        for (index, file) in files.enumerated() {
            script += """
            f=\(ShellQuoting.quote(file.remote)); mkdir -p "${f%/*}"
            if [ -f "$f" ]; then s=$(sha256sum < "$f"); s=${s%% *}; else s=-; fi
            if [ -f "$f.part" ]; then p=$(wc -c < "$f.part"); else p=-; fi
            echo "\(index) $s $p"

            """
        }
        let result = try await connection.run(script, retryOnDrop: true)
        var states = [RemoteState](repeating: RemoteState(), count: files.count)
        for line in result.stdoutText.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let index = Int(fields[0]), index < files.count else { continue }
            states[index] = RemoteState(sha256: fields[1] == "-" ? nil : String(fields[1]), partSize: Int64(fields[2]))
        }
        guard result.succeeded else {
            let host = connection.host
            throw QuickupError(.remoteCommandFailed, "cannot look at the target files on \(host.name): \(SSHConnection.firstLine(result.stderr) ?? "status \(result.status)")",
                               at: host.location, hint: "check that the target directories on \(host.name) can be created by \(host.user ?? "root")")
        }
        return states
    }

    /// Checks each partial file against its SHA-256 on the host; the good ones are renamed into
    /// place, the bad ones are returned (and removed, so the next try starts afresh).
    static func verify(_ files: [(file: TransferFile, sha256: String)], over connection: SSHConnection)
        async throws(QuickupError) -> [(file: TransferFile, actual: String)] {
        var script = ""
        for (index, entry) in files.enumerated() {
            script += """
            f=\(ShellQuoting.quote(entry.file.remote))
            if [ -f "$f.part" ]; then s=$(sha256sum < "$f.part"); s=${s%% *}; else s=missing; fi
            if [ "$s" = \(entry.sha256) ]; then mv -f "$f.part" "$f" && echo "\(index) ok"; else rm -f "$f.part"; echo "\(index) bad $s"; fi

            """
        }
        let result = try await connection.run(script, retryOnDrop: true)
        var verified = Set<Int>()
        var bad: [(TransferFile, String)] = []
        for line in result.stdoutText.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let index = Int(fields[0]), index < files.count else { continue }
            if fields[1] == "ok" {
                verified.insert(index)
            } else {
                bad.append((files[index].file, fields.count > 2 ? String(fields[2]) : "unknown"))
            }
        }
        for index in files.indices where !verified.contains(index) && !bad.contains(where: { $0.0 == files[index].file }) {
            bad.append((files[index].file, "unknown (\(SSHConnection.firstLine(result.stderr) ?? "no answer"))"))
        }
        return bad
    }
}
