// swift-tools-version:6.1
import PackageDescription

// Targets point inward: QuickupCore (pure values) <- QuickupRelease (files, YAML) <- quickup (CLI).
let package = Package(
    name: "quickup",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quickup", targets: ["quickup"]),
        .library(name: "QuickupCore", targets: ["QuickupCore"]),
        .library(name: "QuickupRelease", targets: ["QuickupRelease"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(name: "QuickupCore"),
        .target(
            name: "QuickupRelease",
            dependencies: ["QuickupCore", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "quickup",
            dependencies: [
                "QuickupCore", "QuickupRelease",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "quickup-bench",
            dependencies: ["QuickupCore", "QuickupRelease"]
        ),
        .testTarget(name: "QuickupCoreTests", dependencies: ["QuickupCore"]),
        .testTarget(name: "QuickupReleaseTests", dependencies: ["QuickupRelease", "QuickupCore"]),
        .testTarget(name: "QuickupCLITests", dependencies: ["QuickupCore"]),
    ]
)
