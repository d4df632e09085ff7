import QuickupCore

/// The shell side of stopping and starting a service (S3). Each runs as one script on the host,
/// so the SIGTERM → grace → SIGKILL sequence and the readiness polling keep their timing even
/// over a slow link. Ports are checked on the host itself (bash's /dev/tcp).
enum ServiceScripts {
    /// A process counts as running unless gone or a zombie (a container's init may not reap);
    /// read from /proc where there is one (no process spawned per look), else from `ps`.
    static let helpers = """
    alive() {
      if [ -r /proc/self/stat ]; then st=""; { read -r st < "/proc/$1/stat"; } 2>/dev/null || return 1; st=${st##*) }; [ "${st%% *}" != Z ]; return
      fi
      st=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$st" ] && [ "${st#Z}" = "$st" ]
    }
    port_open() { bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' quickup-port "$1" 2>/dev/null; }
    now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

    """

    /// Prints `notrunning`, or `terminated MS` / `killed MS`, then `port-closed` / `port-open`.
    static func stop(_ service: ServiceDefinition, poll: TimeSpan) -> String {
        let q = ShellQuoting.quote
        return helpers + """
        \(ShellBackoff.define(upTo: poll))
        pf=\(q(service.pidFile ?? "")); m=\(q(service.processMatch ?? "")); stopcmd=\(q(service.stop ?? "")); port=\(service.port.map(String.init) ?? "")
        pids=""
        if [ -n "$pf" ] && [ -f "$pf" ]; then for p in $(cat "$pf"); do alive "$p" && pids="$pids $p"; done; fi
        if [ -z "$pids" ] && [ -n "$m" ]; then for p in $(pgrep -f -- "$m"); do alive "$p" && pids="$pids $p"; done; fi
        running=no
        [ -n "$pids" ] && running=yes
        [ -z "$pids" ] && [ -n "$port" ] && port_open "$port" && running=yes
        if [ $running = no ]; then
          echo notrunning
        else
          start=$(now_ms); outcome=terminated
          if [ -n "$stopcmd" ]; then sh -c "$stopcmd" < /dev/null > /dev/null 2>&1; else kill -TERM $pids 2>/dev/null; fi
          while :; do
            left=""; for p in $pids; do alive "$p" && left="$left $p"; done
            if [ -z "$pids" ] && [ -n "$port" ] && port_open "$port"; then left=unknown; fi
            [ -z "$left" ] && break
            if [ $(( $(now_ms) - start )) -ge \(service.stopGrace.milliseconds) ]; then
              [ "$left" != unknown ] && kill -KILL $left 2>/dev/null
              outcome=killed; break
            fi
            nap
          done
          echo "$outcome $(( $(now_ms) - start ))"
          i=0; while [ $i -lt 50 ]; do left=""; for p in $pids; do alive "$p" && left="$left $p"; done; [ -z "$left" ] && break; i=$((i + 1)); sleep 0.1; done
        fi
        if [ -n "$port" ]; then
          closed=no; i=0
          while [ $i -lt 100 ]; do port_open "$port" || { closed=yes; break; }; i=$((i + 1)); sleep 0.05; done
          if [ $closed = yes ]; then echo port-closed; else echo port-open; fi
        fi

        """
    }

    /// Starts the service detached, its output appended to `log`; prints `started PID MS` (the
    /// host's clock at launch, from which readiness is measured).
    static func start(_ service: ServiceDefinition, log: String) -> String {
        """
        l=\(ShellQuoting.quote(log)); mkdir -p "${l%/*}"
        cd / && setsid nohup sh -c \(ShellQuoting.quote(service.start)) >> "$l" 2>&1 < /dev/null &
        echo "started $! $(( $(date +%s%N) / 1000000 ))"

        """
    }

    /// Polls until the port accepts connections (and the health URL answers 2xx, when given) or
    /// the start timeout passes; prints `ready MS` or `timeout MS` and the last lines of the log.
    static func waitReady(_ service: ServiceDefinition, log: String, poll: TimeSpan, launchedAt: Int64) -> String {
        waitReady(service, log: log, poll: poll, launchedAtShell: "\(launchedAt)")
    }

    /// `waitReady` after the start step on the host itself (one round trip with the launch): the
    /// launch time is the third word of the start script's answer in the step's marker `$d`.
    static func waitReadyAfterStartStep(_ service: ServiceDefinition, log: String, poll: TimeSpan) -> String {
        """
        word= pid= at=; read -r word pid at 2>/dev/null < "$d/stdout"
        [ "$word" = started ] && [ -n "$at" ] || exit 0

        """ + waitReady(service, log: log, poll: poll, launchedAtShell: "$at")
    }

    private static func waitReady(_ service: ServiceDefinition, log: String, poll: TimeSpan, launchedAtShell: String) -> String {
        let q = ShellQuoting.quote
        return helpers + """
        \(ShellBackoff.define(upTo: poll))
        port=\(service.port.map(String.init) ?? ""); url=\(q(service.healthURL ?? "")); start=\(launchedAtShell)
        while :; do
          ready=yes
          if [ -n "$port" ] && ! port_open "$port"; then ready=no; fi
          if [ $ready = yes ] && [ -n "$url" ] && ! curl -fsS -m 2 -o /dev/null "$url" 2>/dev/null; then ready=no; fi
          if [ $ready = yes ]; then echo "ready $(( $(now_ms) - start ))"; exit 0; fi
          if [ $(( $(now_ms) - start )) -ge \(service.startTimeout.milliseconds) ]; then
            echo "timeout $(( $(now_ms) - start ))"; tail -n 20 \(q(log)) 2>/dev/null; exit 0
          fi
          nap
        done

        """
    }
}
