import Foundation

/// The shell side of a config task on a host (SPEC K1, F3): keep the previous file once, write
/// the new one atomically with the old owner and mode, and put the previous one back on
/// rollback. Plain POSIX `sh` plus coreutils, so any Linux host runs it; pure text here.
///
/// The backup is taken only on the first run (a `.saved` marker is written after the copy is
/// complete), so a task re-run after a crash never backs up its own half-applied result, and a
/// rollback always restores the file as it was before the upgrade — or removes one that did not
/// exist.
///
/// Installs of one task on one host hold a lock (`flock` on `<backup>.lock`, util-linux), so an
/// install left running by a killed quickup and the one a later run starts never interleave:
/// without it the later one could pass the "nothing kept yet" check, then copy the file the
/// earlier one had just written, and keep a half-applied result as the original.
public enum ConfigFileScripts {
    /// Installs `content` at `target`, keeping the previous file as `backup`.
    public static func install(target: String, backup: String, content: [UInt8]) -> String {
        let encoded = Data(content).base64EncodedString()
        return """
        set -eu
        t=\(ShellQuoting.quote(target)); b=\(ShellQuoting.quote(backup)); n="$t.quickup-new.$$"
        mkdir -p "${b%/*}" "${t%/*}"
        exec 9> "$b.lock"
        flock 9
        if [ ! -e "$b.saved" ]; then
          if [ -e "$t" ]; then cp -p "$t" "$b.tmp"; mv -f "$b.tmp" "$b"; echo present > "$b.state"; else echo absent > "$b.state"; fi
          mv -f "$b.state" "$b.saved"
        fi
        printf '%s' '\(encoded)' | base64 -d > "$n"
        if [ -e "$t" ]; then
          chmod --reference="$t" "$n"
          chown --reference="$t" "$n" 2>/dev/null || echo "quickup: cannot keep the owner of $t (not root?)" >&2
        fi
        mv -f "$n" "$t"
        """
    }

    /// Puts the file kept by `install` back (byte for byte, with its owner and mode), or removes
    /// the target when there was none before; nothing happens when nothing was kept. The kept
    /// copy is then marked restored (`.restored`), so a later upgrade backs the file up afresh
    /// and a rollback run again after a crash finds nothing left to do. Prints `restored` or
    /// `nothing`.
    public static func restore(target: String, backup: String) -> String {
        """
        set -eu
        t=\(ShellQuoting.quote(target)); b=\(ShellQuoting.quote(backup)); r="$t.quickup-restore.$$"
        [ -e "$b.saved" ] || { echo nothing; exit 0; }
        if [ "$(cat "$b.saved")" = present ]; then cp -p "$b" "$r"; mv -f "$r" "$t"; else rm -f "$t"; fi
        mv -f "$b.saved" "$b.restored"
        echo restored
        """
    }

    /// The current content, base64 on one line, or `ABSENT` (what edits start from, and what a
    /// dry run diffs against).
    public static func read(target: String) -> String {
        """
        t=\(ShellQuoting.quote(target))
        if [ -e "$t" ]; then base64 -w0 < "$t"; echo; else echo ABSENT; fi
        """
    }

    /// Two lines: the current content (as `read`), then what a kept backup says — `NONE` (no
    /// backup: the task has not run, or was rolled back), `ABSENT` (the file did not exist
    /// before the task) or the kept bytes in base64. A task computes its new content from the
    /// kept original when there is one, so running it again after a crash yields the same file.
    public static func readWithBackup(target: String, backup: String) -> String {
        """
        t=\(ShellQuoting.quote(target)); b=\(ShellQuoting.quote(backup))
        if [ -e "$t" ]; then base64 -w0 < "$t"; echo; else echo ABSENT; fi
        if [ ! -e "$b.saved" ]; then echo NONE
        elif [ "$(cat "$b.saved")" = present ]; then base64 -w0 < "$b"; echo
        else echo ABSENT
        fi
        """
    }

    /// What `readWithBackup` printed, decoded: nil for a file that is absent.
    public struct Reading: Sendable, Equatable {
        public var current: [UInt8]?
        /// nil: no backup kept; `.some(nil)`: kept, the file was absent before.
        public var kept: [UInt8]??
        /// What the task edits: the kept original when there is one, else the current file.
        public var original: [UInt8]? { kept ?? current }

        public init(current: [UInt8]?, kept: [UInt8]??) {
            self.current = current
            self.kept = kept
        }

        public static func parse(_ text: String) -> Reading? {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.count >= 2 else { return nil }
            func decode(_ line: String) -> [UInt8]?? {
                if line == "ABSENT" { return .some(nil) }
                guard let data = Data(base64Encoded: line) else { return nil }
                return .some(Array(data))
            }
            guard let current = decode(lines[0]) else { return nil }
            if lines[1] == "NONE" { return Reading(current: current, kept: nil) }
            guard let kept = decode(lines[1]) else { return nil }
            return Reading(current: current, kept: .some(kept))
        }
    }
}
