import Foundation

/// The shell side of a config task on a host (SPEC K1, F3): keep the previous file once, write
/// the new one atomically with the old owner and mode, and put the previous one back on
/// rollback. Plain POSIX `sh` plus coreutils, so any Linux host runs it; pure text here.
///
/// The backup is taken only on the first run (a `.saved` marker is written after the copy is
/// complete), so a task re-run after a crash never backs up its own half-applied result, and a
/// rollback always restores the file as it was before the upgrade — or removes one that did not
/// exist.
public enum ConfigFileScripts {
    /// Installs `content` at `target`, keeping the previous file as `backup`.
    public static func install(target: String, backup: String, content: [UInt8]) -> String {
        let encoded = Data(content).base64EncodedString()
        return """
        set -eu
        t=\(ShellQuoting.quote(target)); b=\(ShellQuoting.quote(backup)); n="$t.quickup-new.$$"
        mkdir -p "${b%/*}" "${t%/*}"
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
    /// the target when there was none before; nothing happens when nothing was kept.
    public static func restore(target: String, backup: String) -> String {
        """
        set -eu
        t=\(ShellQuoting.quote(target)); b=\(ShellQuoting.quote(backup)); r="$t.quickup-restore.$$"
        [ -e "$b.saved" ] || exit 0
        if [ "$(cat "$b.saved")" = present ]; then cp -p "$b" "$r"; mv -f "$r" "$t"; else rm -f "$t"; fi
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
}
