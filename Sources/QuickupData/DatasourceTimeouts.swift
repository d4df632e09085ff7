import QuickupCore

/// Connect and read timeouts of a datasource (SPEC D3): env.yaml's `connect_timeout` and
/// `read_timeout`, or these defaults.
extension DatasourceConfig {
    /// Long enough for a loaded server across a WAN link, short enough that three tries of an
    /// unreachable host end within half a minute or so.
    public static let defaultConnectTimeout = TimeSpan.seconds(10)
    /// How long a server may stay silent while a statement runs. Schema changes on big tables
    /// take minutes; the task's own timeout (E7) is the real limit, this only catches dead links.
    public static let defaultReadTimeout = TimeSpan.minutes(30)

    public var connectTimeoutOrDefault: TimeSpan { connectTimeout ?? Self.defaultConnectTimeout }
    public var readTimeoutOrDefault: TimeSpan { readTimeout ?? Self.defaultReadTimeout }
}

extension TimeSpan {
    var duration: Duration { .milliseconds(milliseconds) }
}
