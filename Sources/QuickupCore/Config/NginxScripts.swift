import Foundation

/// The shell side of an nginx config task on a host (SPEC K2), run as one remote step:
///
/// 1. the candidate is tested with `nginx -t` **in place of the live file**: in a private mount
///    namespace (`unshare -m`) the target's directory is replaced by a copy holding the
///    candidate under the target's name, so includes, relative paths and the main file are
///    exactly those the live nginx reads, and nothing outside that namespace sees the candidate;
/// 2. only when the test passes, the candidate is installed (`ConfigFileScripts.install`:
///    previous file kept once, atomic replace keeping owner and mode);
/// 3. `nginx -s reload`, verified: the master (from its pid file) must bring up new workers
///    (the new configuration generation) within the reload timeout, the old workers are given
///    that long again to quit (so that "reloaded" means new connections get the new file), and
///    the health URL, when given, must answer 2xx.
///
/// Exit codes: 10 the test failed (stderr holds nginx's own message, file and line; the live
/// file is untouched), 11 the test could not run in place (not root, no `unshare`), 12 the
/// reload signal failed, 13 no new workers, 14 the health URL failed. Stdout ends with
/// `reloaded MASTER WORKERS…` or `notrunning` (nginx is stopped: nothing to reload; its next
/// start reads the new file).
public enum NginxScripts {
    public static func testInstallReload(target: String, backup: String, content: [UInt8], nginx: NginxConfig,
                                         scratch: String) -> String {
        let q = ShellQuoting.quote
        let encoded = Data(content).base64EncodedString()
        return command(nginx) + """
        t=\(q(target)); s=\(q(scratch))/nginx-test.$$
        d=${t%/*}; name=${t##*/}
        rm -rf "$s"; mkdir -p "$s/tree" || exit 11
        [ -d "$d" ] && { cp -a "$d/." "$s/tree/" || exit 11; }
        printf '%s' '\(encoded)' | base64 -d > "$s/tree/$name" || exit 11
        [ -d "$d" ] || { echo "quickup: the directory of $t does not exist on this host" >&2; rm -rf "$s"; exit 11; }
        out=$(unshare -m sh -c 'mount --bind "$1" "$2" || exit 97; shift 2; exec "$@" -t' quickup-nginx-test "$s/tree" "$d" "$@" 2>&1)
        rc=$?
        rm -rf "$s"
        if [ $rc -eq 97 ] || [ $rc -eq 127 ] || [ $rc -eq 126 ]; then
          printf '%s\\n' "$out" >&2
          echo "quickup: cannot test the candidate in place of $t: a private mount namespace needs root and unshare(1)" >&2
          exit 11
        fi
        if [ $rc -ne 0 ]; then printf '%s\\n' "$out" >&2; exit 10; fi
        echo tested

        """ + ConfigFileScripts.install(target: target, backup: backup, content: content) + "\nset +e\n" + reloadBody(nginx)
    }

    /// After a rollback put the previous file back: test the live configuration, then reload
    /// and verify as above (exit 10 when the restored configuration fails its test).
    public static func testAndReload(_ nginx: NginxConfig) -> String {
        command(nginx) + """
        out=$("$@" -t 2>&1) || { printf '%s\\n' "$out" >&2; exit 10; }

        """ + reloadBody(nginx)
    }

    /// `"$@"` = nginx with its prefix and main file.
    static func command(_ nginx: NginxConfig) -> String {
        let q = ShellQuoting.quote
        return """
        set -- \(q(nginx.binary))
        \(nginx.prefix.map { "set -- \"$@\" -p \(q($0))" } ?? ":")
        set -- "$@" -c \(q(nginx.conf))

        """
    }

    static func reloadBody(_ nginx: NginxConfig) -> String {
        let q = ShellQuoting.quote
        let polls = max(1, nginx.reloadTimeout.milliseconds / 100)
        return """
        master=$(cat \(q(nginx.pidFile)) 2>/dev/null)
        if [ -z "$master" ] || ! kill -0 "$master" 2>/dev/null; then echo notrunning; exit 0; fi
        old=" $(pgrep -P "$master" | tr '\\n' ' ') "
        out=$("$@" -s reload 2>&1) || { printf '%s\\n' "$out" >&2; exit 12; }
        i=0
        while :; do
          new=""
          for p in $(pgrep -P "$master"); do case "$old" in *" $p "*) ;; *) new="$new $p" ;; esac; done
          [ -n "$new" ] && break
          i=$((i + 1))
          if [ $i -ge \(polls) ]; then
            echo "nginx (master $master) started no new workers within \(nginx.reloadTimeout) of the reload: the new configuration did not take; its error log says why" >&2
            exit 13
          fi
          sleep 0.1
        done
        # The old workers stop taking connections only once the master has told them to quit;
        # until they are gone a request may still get the old configuration. Wait for them as
        # long as the reload may take — one that keeps serving a long request is left to finish.
        i=0
        while [ $i -lt \(polls) ]; do
          alive=""
          for p in $old; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
          [ -z "$alive" ] && break
          i=$((i + 1))
          sleep 0.1
        done
        url=\(q(nginx.healthURL ?? ""))
        if [ -n "$url" ]; then
          i=0
          until curl -fsS -m 5 -o /dev/null "$url" 2>/dev/null; do
            i=$((i + 1))
            if [ $i -ge 20 ]; then echo "after the reload, $url does not answer 2xx" >&2; exit 14; fi
            sleep 0.25
          done
        fi
        echo "reloaded $master$new"

        """
    }

    /// nginx's own lines from a failed test (`nginx: [emerg] … in /etc/nginx/conf.d/app.conf:3`).
    public static func messages(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map(String.init).filter { !$0.trimmingBlanks().isEmpty }
        let own = lines.filter { $0.contains("[emerg]") || $0.contains("[alert]") || $0.contains("[crit]") || $0.contains("[error]") || $0.contains("test failed") }
        return (own.isEmpty ? lines : own).joined(separator: "\n")
    }
}
