import QuickupCore

/// Error codes of hosts, transfers and services (SPEC S1–S3).
extension QuickupError.Code {
    /// The host could not be reached over SSH after every reconnect try.
    public static let remoteUnreachable = Self(rawValue: "remote_unreachable")
    /// The host refused quickup's key (not retried: another try cannot help).
    public static let remoteAuthentication = Self(rawValue: "remote_authentication")
    /// The host's key is unknown or changed (not retried).
    public static let remoteHostKey = Self(rawValue: "remote_host_key")
    /// The link dropped while a command ran that must not run twice; whether it ran is unknown.
    public static let remoteLinkDropped = Self(rawValue: "remote_link_dropped")
    /// A remote command ran and failed.
    public static let remoteCommandFailed = Self(rawValue: "remote_command_failed")
    /// A remote step was started but ended without recording how (host rebooted, killed).
    public static let remoteStepLost = Self(rawValue: "remote_step_lost")
    /// A file on a host does not have the SHA-256 it should have after transfer.
    public static let transferChecksum = Self(rawValue: "transfer_checksum_mismatch")
    /// A service did not become ready within its start timeout.
    public static let serviceNotReady = Self(rawValue: "service_not_ready")
    /// A service still runs (or its port is still open) after SIGKILL.
    public static let serviceStillRunning = Self(rawValue: "service_still_running")
    /// A configuration change was refused by its own check (nginx -t) or did not take (reload) (K2).
    public static let configRefused = Self(rawValue: "config_refused")
    /// The Nacos Open API refused or failed a call.
    public static let nacosFailed = Self(rawValue: "nacos_failed")
}
