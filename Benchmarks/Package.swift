// swift-tools-version: 6.1
// Benchmarks live in their own package so their dependencies and build time never reach users.
// Run: `swift run -c release --package-path Benchmarks tend-bench [name...]` (see docs/performance.md).
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, which depends on where the repository was cloned.
let tendPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
/// The functions run at start, placed first by the linker as in `tend` (../Package.swift).
let startupSymbols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("scripts/startup-symbols.txt").path

let package = Package(
    name: "TendBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // The work queue benchmark with metrics on, as tend run records them.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "CBenchSupport"),
        .executableTarget(
            name: "tend-bench",
            dependencies: [
                "CBenchSupport",
                .product(name: "TendValue", package: tendPackage),
                .product(name: "TendMeta", package: tendPackage),
                .product(name: "TendKube", package: tendPackage),
                .product(name: "TendRuntime", package: tendPackage),
                .product(name: "TendCEL", package: tendPackage),
                .product(name: "TendRules", package: tendPackage),
                .product(name: "TendEngine", package: tendPackage),
                .product(name: "TendYAML", package: tendPackage),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/TendBench",
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
            ],
            // Linked as the `tend` executable is in release builds (lld, packed relative relocations,
            // the functions run at start first).
            linkerSettings: [
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                     "-Xlinker", "--symbol-ordering-file=\(startupSymbols)", "-Xlinker", "--no-warn-symbol-ordering"],
                    .when(platforms: [.linux], configuration: .release))
            ])
    ]
)
