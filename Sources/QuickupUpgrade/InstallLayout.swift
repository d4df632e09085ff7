import QuickupCore

/// The program files of a component on a host (F1 install, F3/F4 program files):
/// `<install_dir>/releases/<version>/` per version and a `current` symlink switched atomically
/// (a temporary link renamed over it), the previous folder kept, so putting the old program back
/// is one rename. Shell text only; it runs on the host as a remote step.
public enum InstallLayout {
    /// Where the transfer puts a package on a host before install.
    public static func staging(_ host: HostConfig, component: String, version: Version) -> String {
        "\(host.remoteStateDir)/packages/\(component)/\(version)"
    }

    /// Both halves at once (the demo's first install): prepare, then switch.
    public static func install(service: ServiceDefinition, staging: String, version: Version, keep: [String]) -> String {
        prepare(service: service, staging: staging, version: version) + switchTo(service: service, version: version, keep: keep)
    }

    /// Before the stop: copies the staged package to `releases/<version>.tmp`, applies owner
    /// and mode and renames it to `releases/<version>`. Nothing running changes (`current` still
    /// points at the old folder); when `current` already points at this version (a resume after
    /// the switch) it does nothing. Prints `prepared releases/<version>`.
    public static func prepare(service: ServiceDefinition, staging: String, version: Version) -> String {
        let q = ShellQuoting.quote
        var script = """
        set -e
        dir=\(q(service.installDir ?? "/nonexistent")); v=\(q(version.description)); src=\(q(staging))
        mkdir -p "$dir/releases"
        if [ "$(readlink "$dir/current" 2>/dev/null || true)" != "releases/$v" ]; then
        rm -rf "$dir/releases/$v.tmp"
        cp -a "$src" "$dir/releases/$v.tmp"

        """
        if let owner = service.owner { script += "chown -R \(q(owner)) \"$dir/releases/$v.tmp\"\n" }
        if let mode = service.mode { script += "chmod -R \(q(mode)) \"$dir/releases/$v.tmp\"\n" }
        script += """
        rm -rf "$dir/releases/$v"
        mv "$dir/releases/$v.tmp" "$dir/releases/$v"
        fi
        echo "prepared releases/$v"

        """
        return script
    }

    /// Inside the stop window: carries the `keep` files over from the current folder into the
    /// prepared `releases/<version>`, records the previous folder in `.quickup-previous` and
    /// switches `current` atomically (a temporary link renamed over it). Prints `previous <link
    /// target>` (empty when nothing was installed before); done already, it only prints that.
    public static func switchTo(service: ServiceDefinition, version: Version, keep: [String]) -> String {
        let q = ShellQuoting.quote
        var script = """
        set -e
        dir=\(q(service.installDir ?? "/nonexistent")); v=\(q(version.description))
        prev=$(readlink "$dir/current" 2>/dev/null || true)
        if [ "$prev" = "releases/$v" ]; then
        prev=$(cat "$dir/releases/$v/.quickup-previous" 2>/dev/null || true)
        else
        if [ ! -d "$dir/releases/$v" ]; then echo "releases/$v is not prepared in $dir (the prepare step did not run or was undone)" >&2; exit 3; fi

        """
        for file in keep {
            let (source, target) = ("\"$dir/current/\"\(q(file))", "\"$dir/releases/$v/\"\(q(file))")
            script += "if [ -e \(source) ]; then mkdir -p \"$(dirname \(target))\"; cp -a \(source) \(target)"
            if let owner = service.owner { script += "; chown \(q(owner)) \(target)" }
            if let mode = service.mode { script += "; chmod \(q(mode)) \(target)" }
            script += "; fi\n"
        }
        script += """
        printf '%s\\n' "$prev" > "$dir/releases/$v/.quickup-previous"
        ln -sfn "releases/$v" "$dir/current.tmp"
        mv -T "$dir/current.tmp" "$dir/current"
        fi
        echo "previous $prev"

        """
        return script
    }

    /// When `current` points at `releases/<version>`, switches it back (atomically) to the folder
    /// the install recorded in `.quickup-previous`; prints `switched <folder>` or `unchanged <folder>`.
    public static func switchBack(service: ServiceDefinition, from version: Version) -> String {
        let q = ShellQuoting.quote
        return """
        set -e
        dir=\(q(service.installDir ?? "/nonexistent")); v=\(q(version.description))
        cur=$(readlink "$dir/current" 2>/dev/null || true)
        if [ "$cur" != "releases/$v" ]; then echo "unchanged $cur"; exit 0; fi
        prev=$(cat "$dir/releases/$v/.quickup-previous" 2>/dev/null || true)
        if [ -z "$prev" ] || [ ! -d "$dir/$prev" ]; then echo "no previous program folder to switch back to (current is $cur, recorded previous: '$prev')" >&2; exit 3; fi
        ln -sfn "$prev" "$dir/current.tmp"
        mv -T "$dir/current.tmp" "$dir/current"
        echo "switched $prev"

        """
    }

    /// Removes what an interrupted install or transfer left (§4.1.4 "remove temporary files").
    public static func removeTemporary(service: ServiceDefinition, host: HostConfig, component: String) -> String {
        let q = ShellQuoting.quote
        return """
        rm -rf \(q(service.installDir ?? "/nonexistent"))/releases/*.tmp \(q(service.installDir ?? "/nonexistent"))/current.tmp
        find \(q("\(host.remoteStateDir)/packages/\(component)")) -name '*.part' -delete 2>/dev/null || true

        """
    }

    /// The folder `current` points at, relative to install_dir (`releases/V1.0.0`), or empty.
    public static func current(service: ServiceDefinition) -> String {
        "readlink \(ShellQuoting.quote((service.installDir ?? "/nonexistent") + "/current")) 2>/dev/null || true\n"
    }

    /// The running version, from the version URL (curl on the host); prints the body.
    public static func version(service: ServiceDefinition) -> String? {
        service.versionURL.map { "curl -fsS -m 5 \(ShellQuoting.quote($0))\n" }
    }
}
