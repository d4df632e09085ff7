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

    /// Copies the staged package to `releases/<version>.tmp`, carries the `keep` files over from
    /// the current folder, applies owner and mode, renames it into place and switches `current`.
    /// Prints `previous <link target>` (empty when nothing was installed before).
    public static func install(service: ServiceDefinition, staging: String, version: Version, keep: [String]) -> String {
        let q = ShellQuoting.quote
        let dir = service.installDir ?? "/nonexistent"
        var script = """
        set -e
        dir=\(q(dir)); v=\(q(version.description)); src=\(q(staging))
        mkdir -p "$dir/releases"
        prev=$(readlink "$dir/current" 2>/dev/null || true)
        if [ "$prev" = "releases/$v" ]; then prev=$(cat "$dir/releases/$v/.quickup-previous" 2>/dev/null || true); fi
        rm -rf "$dir/releases/$v.tmp"
        cp -a "$src" "$dir/releases/$v.tmp"

        """
        for file in keep {
            script += """
            if [ -e "$dir/current/"\(q(file)) ]; then mkdir -p "$(dirname "$dir/releases/$v.tmp/"\(q(file)))"; cp -a "$dir/current/"\(q(file)) "$dir/releases/$v.tmp/"\(q(file)); fi

            """
        }
        if let owner = service.owner { script += "chown -R \(q(owner)) \"$dir/releases/$v.tmp\"\n" }
        if let mode = service.mode { script += "chmod -R \(q(mode)) \"$dir/releases/$v.tmp\"\n" }
        script += """
        printf '%s\\n' "$prev" > "$dir/releases/$v.tmp/.quickup-previous"
        rm -rf "$dir/releases/$v.old"
        if [ -e "$dir/releases/$v" ]; then mv "$dir/releases/$v" "$dir/releases/$v.old"; fi
        mv "$dir/releases/$v.tmp" "$dir/releases/$v"
        ln -sfn "releases/$v" "$dir/current.tmp"
        mv -T "$dir/current.tmp" "$dir/current"
        rm -rf "$dir/releases/$v.old"
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
