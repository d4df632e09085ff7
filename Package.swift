// swift-tools-version:6.1
import PackageDescription

// Targets point inward: QuickupCore (pure values) <- QuickupRelease (files, YAML) <- quickup (CLI).
let package = Package(
    name: "quickup",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quickup", targets: ["quickup"]),
        // The first process of every tool: joins its cgroups, sets its limits, execs it (T3, issue 20.2).
        .executable(name: "quickup-launch", targets: ["quickup-launch"]),
        .library(name: "QuickupCore", targets: ["QuickupCore"]),
        .library(name: "QuickupRelease", targets: ["QuickupRelease"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // HTTP API (H1, H2): `quickup serve`.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
    ],
    targets: [
        .target(name: "QuickupCore"),
        .target(
            name: "QuickupRelease",
            dependencies: ["QuickupCore", .product(name: "Yams", package: "Yams"),
                           .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        // No pkgConfig: hiredis.pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM drops with a warning on
        // every build; the shim includes <hiredis/hiredis.h> from the default include path instead.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(
            name: "QuickupData",
            dependencies: [
                "QuickupCore", "QuickupTools", "CMariaDB", "CHiredis",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // quickup's tool launcher, in C: a process that only joins, limits and execs (issue 20.2).
        // Linked statically: swiftc links every executable with the Swift runtime, and loading
        // libswiftCore.so (plus the runpath's library search) cost more than the shell it replaces
        // (measured: 2.9 ms of CPU per start dynamic, 1.2 ms static, setpriv + sh 2.4 ms). The
        // linker's warning "Using 'dlopen' in statically linked applications" comes from the Swift
        // runtime linked in; main.c never reaches it.
        .executableTarget(name: "quickup-launch", path: "Sources/quickup-launch",
                          linkerSettings: [.unsafeFlags(["-static-executable"])]),
        // Tools and hooks as isolated child processes (T1–T5).
        .target(
            name: "QuickupTools",
            dependencies: [
                "QuickupCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // Hosts over OpenSSH: shared connections, remote steps, package transfer, services and Nacos (S1–S3).
        .target(
            name: "QuickupRemote",
            dependencies: ["QuickupCore", "QuickupTools"]
        ),
        .target(
            name: "QuickupRun",
            dependencies: [
                "QuickupCore", "QuickupData", "QuickupTools", "QuickupRemote",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "QuickupAssess",
            dependencies: ["QuickupCore", "QuickupData", "QuickupRun", "QuickupRemote"]
        ),
        // The whole upgrade of a site (F1, F2, F5): five flows as checkpointed steps, install layout,
        // gate, retry/cleanup rules, program rollback (issue 15).
        .target(
            name: "QuickupUpgrade",
            dependencies: ["QuickupCore", "QuickupData", "QuickupRun", "QuickupRemote", "QuickupAssess", "QuickupTools"]
        ),
        // Support bundles (L1): a run's logs, journal extract, plan and redacted env.yaml in one zip.
        .target(
            name: "QuickupBundle",
            dependencies: ["QuickupCore", "QuickupRelease", "QuickupRun",
                           .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // One core, two front ends (H2): run/resume/rollback/status/history/bundle launchers shared by CLI and API.
        .target(
            name: "QuickupOperations",
            dependencies: ["QuickupCore", "QuickupRelease", "QuickupData", "QuickupRun", "QuickupTools",
                           "QuickupAssess", "QuickupBundle", "QuickupRemote", "QuickupUpgrade",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The HTTP API adapter (H1): Hummingbird 2 routes over QuickupOperations.
        .target(
            name: "QuickupServer",
            dependencies: ["QuickupCore", "QuickupRelease", "QuickupOperations", "QuickupRun", "QuickupAssess", "QuickupBundle", "QuickupUpgrade",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdCore", package: "hummingbird"),
                           .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                           .product(name: "HummingbirdTLS", package: "hummingbird"),
                           // NIOSSLContext: the certificate and key are checked together before listening.
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "quickup",
            dependencies: [
                "QuickupCore", "QuickupRelease", "QuickupData", "QuickupRun", "QuickupTools", "QuickupAssess", "QuickupBundle", "QuickupRemote",
                "QuickupOperations", "QuickupServer", "QuickupUpgrade",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "quickup-bench",
            dependencies: ["QuickupCore", "QuickupRelease", "QuickupData", "QuickupRun", "QuickupTools", "QuickupAssess", "QuickupRemote",
                           .product(name: "Subprocess", package: "swift-subprocess")]
        ),
        .testTarget(name: "QuickupCoreTests", dependencies: ["QuickupCore", "QuickupTestSupport"]),
        .testTarget(name: "QuickupReleaseTests", dependencies: ["QuickupRelease", "QuickupCore", "QuickupTestSupport",
                                                               .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "QuickupCLITests", dependencies: ["QuickupCore", "QuickupTestSupport"]),
        .target(name: "QuickupTestSupport", dependencies: ["QuickupCore", "QuickupData"], path: "Tests/QuickupTestSupport"),
        .testTarget(name: "QuickupDataTests", dependencies: ["QuickupData", "QuickupCore", "QuickupTestSupport"]),
        .testTarget(name: "QuickupToolsTests", dependencies: ["QuickupTools", "QuickupCore", "QuickupTestSupport"]),
        .testTarget(name: "QuickupAssessTests", dependencies: ["QuickupAssess", "QuickupRemote", "QuickupRun", "QuickupData", "QuickupCore", "QuickupRelease", "QuickupTestSupport"]),
        .testTarget(name: "QuickupRemoteTests", dependencies: ["QuickupRemote", "QuickupTools", "QuickupCore", "QuickupTestSupport"]),
        .testTarget(name: "QuickupServerTests", dependencies: ["QuickupServer", "QuickupOperations", "QuickupRun", "QuickupData", "QuickupCore",
                                                              "QuickupRelease", "QuickupTestSupport",
                                                              .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                              .product(name: "NIOCore", package: "swift-nio"),
                                                              .product(name: "NIOHTTP1", package: "swift-nio"),
                                                              .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "QuickupUpgradeTests", dependencies: ["QuickupUpgrade", "QuickupRelease", "QuickupCore", "QuickupTestSupport"]),
        .testTarget(name: "QuickupRunTests", dependencies: ["QuickupRun", "QuickupData", "QuickupCore", "QuickupRelease", "QuickupTestSupport"]),
    ]
)
