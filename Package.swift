// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// Settings shared by every Swift target: Swift 6 language mode (strict concurrency),
/// upcoming features that keep the public surface deliberate.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Each function in a section of its own, so the release link can place the code run at start
    // together (`releaseLinkerSettings`).
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
]

/// The functions a process runs while it starts, listed by `scripts/startup-symbols`.
let startupSymbols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("scripts/startup-symbols.txt").path

/// Release executables on Linux are linked by lld
/// - with packed relative relocations (DT_RELR, glibc 2.36+): the loader then reads 20 KB of
///   relocations instead of 1.9 MB at start, which keeps 1.8 MiB out of the resident set;
/// - with the functions run at start placed first, together (`--symbol-ordering-file`): they were
///   spread over half of the 19 MB of code, and the kernel maps code 64 KB around each page touched.
///   About 5 MiB less resident (docs/performance.md, "Baseline memory"). Functions the list names
///   that a binary does not have are skipped; a stale list costs memory, never correctness.
let releaseLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
         "-Xlinker", "--symbol-ordering-file=\(startupSymbols)", "-Xlinker", "--no-warn-symbol-ordering"],
        .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "Tend",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tend", targets: ["TendCLI"]),
        .library(name: "TendValue", targets: ["TendValue"]),
        .library(name: "TendMeta", targets: ["TendMeta"]),
        .library(name: "TendKube", targets: ["TendKube"]),
        .library(name: "TendRuntime", targets: ["TendRuntime"]),
        .library(name: "TendCEL", targets: ["TendCEL"]),
        .library(name: "TendYAML", targets: ["TendYAML"]),
        .library(name: "TendOffline", targets: ["TendOffline"]),
        .library(name: "TendRules", targets: ["TendRules"]),
        .library(name: "TendEngine", targets: ["TendEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Metrics: instrumented modules use swift-metrics' CoreMetrics API only (an injected factory);
        // swift-prometheus (with swift-atomics) is the registry and text exposition behind /metrics,
        // known to TendEngine and TendCLI alone.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C system libraries. Each is imported by exactly one Swift module.
        .systemLibrary(
            name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]),

        // Pure value model: no C, no I/O.
        .target(name: "TendValue", swiftSettings: swiftSettings),
        .target(name: "TendYAML", dependencies: ["TendValue", "CYAML"], swiftSettings: swiftSettings),
        // The API's vocabulary without a client (apimachinery to TendKube's client-go): kinds and
        // resources, object keys, label selectors, RFC 3339 times, the REST mapping, `Status`.
        // No C, no I/O: what the rules compiler and planner may use of Kubernetes.
        .target(name: "TendMeta", dependencies: ["TendValue"], swiftSettings: swiftSettings),
        .target(name: "TendRegex", dependencies: ["CPCRE2"], swiftSettings: swiftSettings),
        .target(
            name: "TendHTTP",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .target(name: "TendCEL", dependencies: ["TendValue", "TendRegex"], swiftSettings: swiftSettings),
        .target(
            name: "TendKube",
            dependencies: [
                "TendValue", "TendMeta", "TendYAML", "TendHTTP", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings, linkerSettings: releaseLinkerSettings),
        .target(
            name: "TendRuntime",
            dependencies: [
                "TendValue", "TendMeta", "TendKube", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .target(
            // The offline API server: an in-memory cluster with the API server's admission, server-side
            // apply and garbage collection, which `tend test`, `tend plan --state` and the differential
            // harness share. The API server's behaviour, not Tend's rules: never TendRules, the client
            // or the runtime (ModuleBoundaryTests).
            name: "TendOffline", dependencies: ["TendValue", "TendMeta", "TendRegex"],
            swiftSettings: swiftSettings),
        .target(
            // Never the client or the runtime (ModuleBoundaryTests): `tend plan` and `tend test` run offline.
            name: "TendRules", dependencies: ["TendValue", "TendMeta", "TendYAML", "TendCEL", "TendRegex", "TendOffline"],
            swiftSettings: swiftSettings),
        .target(
            name: "TendEngine",
            dependencies: [
                "TendRules", "TendOffline", "TendRuntime", "TendKube", "TendMeta", "TendValue", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings),
        // Test support only: the seeded mutator the parser fuzz suites share.
        .target(name: "TendFuzzing", dependencies: ["TendValue"], swiftSettings: swiftSettings),
        .target(name: "TendTesting", dependencies: ["TendValue", "TendMeta", "TendYAML", "TendRuntime", "TendKube", "TendOffline", "TendRules"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "TendCLI",
            dependencies: [
                "TendValue", "TendMeta", "TendYAML", "TendRegex", "TendHTTP", "TendCEL", "TendKube", "TendRuntime", "TendOffline", "TendRules", "TendEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),

        .testTarget(name: "TendValueTests", dependencies: ["TendValue", "TendFuzzing"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TendYAMLTests", dependencies: ["TendYAML", "TendValue", "TendFuzzing"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "TendMetaTests", dependencies: ["TendMeta", "TendValue", "TendFuzzing"], swiftSettings: swiftSettings),
        .testTarget(name: "TendRegexTests", dependencies: ["TendRegex", "TendFuzzing"], swiftSettings: swiftSettings),
        .testTarget(name: "TendHTTPTests", dependencies: ["TendHTTP", "TendKube", "TendMeta", "TendValue", "TendYAML", "TendTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TendCELTests", dependencies: ["TendCEL", "TendValue", "TendFuzzing"],
            resources: [.copy("Conformance")], swiftSettings: swiftSettings),
        .testTarget(
            name: "TendKubeTests",
            dependencies: [
                "TendKube", "TendMeta", "TendHTTP", "TendValue", "TendTesting", "TendFuzzing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TendRuntimeTests",
            dependencies: [
                "TendRuntime", "TendKube", "TendMeta", "TendValue", "TendTesting", "TendFuzzing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TendOfflineTests", dependencies: ["TendOffline", "TendMeta", "TendValue", "TendYAML"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TendRulesTests", dependencies: ["TendRules", "TendOffline", "TendMeta", "TendValue", "TendYAML", "TendCEL", "TendFuzzing", "TendKube", "TendTesting"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "TendEngineTests",
            dependencies: [
                "TendEngine", "TendRules", "TendOffline", "TendKube", "TendMeta", "TendRuntime", "TendValue", "TendYAML", "TendTesting",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "TendCLITests", dependencies: ["TendCLI", "TendValue", "TendMeta", "TendKube", "TendTesting", "TendYAML"], swiftSettings: swiftSettings),
    ]
)
