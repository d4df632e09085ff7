import Foundation

extension Process {
    /// Waits for the child to end and returns what `terminationStatus` means: the exit code, or
    /// the signal that ended it.
    ///
    /// Foundation's `Process` learns of its child's end through SIGCHLD. In the test process other
    /// code watches children too (swift-subprocess's monitor, `ChildSpawn`), and once in a whole
    /// suite the end was never noticed: the child stayed a zombie and `waitUntilExit()` waited
    /// forever (seen 2026-12-02: three zombie `quickup` children, the suite idle). This reaps
    /// the child itself; when Foundation was first, its status is used.
    public func waitReaped() -> Int32 {
        let pid = processIdentifier
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7F
                return signal == 0 ? (status >> 8) & 0xFF : signal
            }
            if reaped == -1, errno == ECHILD {
                while isRunning { usleep(1_000) }
                return terminationStatus
            }
            usleep(5_000)
        }
    }
}
