import Foundation
import QuickupCore

/// Whether a tool can be started at all, checked before it is (issue 13 item 3): a missing
/// interpreter, a `#!` line naming a program that is not there, or a program built for another
/// machine is quickup's own error that stops the run — started anyway, the failure would look
/// like the tool's, and a "continue" failure policy would turn it into success with the tool
/// never run.
public enum ToolLaunchCheck {
    /// Throws `.toolNotStarted` when `arguments[0]` cannot be executed with `path` as PATH.
    public static func verify(_ arguments: [String], path: String, name: String) throws(QuickupError) {
        guard let program = arguments.first else {
            throw QuickupError(.toolNotStarted, "\(name) could not be started: no command")
        }
        guard let executable = resolve(program, path: path) else {
            throw QuickupError(.toolNotStarted, "\(name) could not be started: \(program) is not installed (not found in PATH \(path))",
                               hint: "install \(program) on this machine (`quickup doctor` lists what tools need), then resume the run")
        }
        guard access(executable, X_OK) == 0 else {
            throw QuickupError(.toolNotStarted, "\(name) could not be started: \(executable) is not executable", hint: "chmod +x it in the release")
        }
        let head = Self.head(executable)
        if head.starts(with: Array("#!".utf8)) {
            let line = String(decoding: head.dropFirst(2).prefix { $0 != 0x0A }, as: UTF8.self)
            if line.hasSuffix("\r") {
                throw QuickupError(.toolNotStarted, "\(name) could not be started: the #! line of \(executable) ends in a carriage return (Windows line endings), so the system looks for an interpreter named with it",
                                   hint: "convert the script to Unix line endings (dos2unix) in the release")
            }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let interpreter = words.first else {
                throw QuickupError(.toolNotStarted, "\(name) could not be started: \(executable) has an empty #! line", hint: "name the interpreter, e.g. #!/bin/sh")
            }
            guard access(interpreter, X_OK) == 0 else {
                throw QuickupError(.toolNotStarted, "\(name) could not be started: its interpreter \(interpreter) (#! line of \(executable)) is not installed",
                                   hint: "install it, or change the #! line of the tool in the release")
            }
            if interpreter.hasSuffix("/env"), let target = words.dropFirst().first(where: { !$0.hasPrefix("-") }), resolve(target, path: path) == nil {
                throw QuickupError(.toolNotStarted, "\(name) could not be started: its interpreter \(target) (#! line of \(executable)) is not installed (not found in PATH \(path))",
                                   hint: "install \(target) on this machine, then resume the run")
            }
        } else if head.starts(with: [0x7F, 0x45, 0x4C, 0x46]) {
            if let machine = elfMachine(head), let own = elfMachine(Self.head("/proc/self/exe")), machine != own {
                throw QuickupError(.toolNotStarted, "\(name) could not be started: \(executable) is a program for another kind of machine (ELF machine \(machine), this one is \(own)): exec format error",
                                   hint: "ship the tool built for this machine's architecture")
            }
        } else if head.contains(0) {
            throw QuickupError(.toolNotStarted, "\(name) could not be started: \(executable) is neither a program nor a script (exec format error)",
                               hint: "ship an executable, or a script with a #! line")
        }
    }

    /// An absolute path as is; a bare name looked up in `path`.
    static func resolve(_ program: String, path: String) -> String? {
        if program.contains("/") { return FileManager.default.fileExists(atPath: program) ? program : nil }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func head(_ path: String) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: 512)) ?? Data())
    }

    /// e_machine of an ELF header (little- or big-endian).
    private static func elfMachine(_ head: [UInt8]) -> UInt16? {
        guard head.count >= 20, head.starts(with: [0x7F, 0x45, 0x4C, 0x46]) else { return nil }
        return head[5] == 2 ? UInt16(head[18]) << 8 | UInt16(head[19]) : UInt16(head[19]) << 8 | UInt16(head[18])
    }
}
