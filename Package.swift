// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .library(name: "InboxCore", targets: ["InboxCore"]),
        .library(name: "InboxStore", targets: ["InboxStore"]),
        .library(name: "InboxHub", targets: ["InboxHub"]),
        .library(name: "InboxServer", targets: ["InboxServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // Pure domain: value types and rules. No I/O, no framework imports.
        .target(
            name: "InboxCore",
            swiftSettings: strictSettings
        ),
        // The real-time engine: which lists a change concerns and how. Pure, like InboxCore.
        .target(
            name: "InboxHub",
            dependencies: ["InboxCore"],
            swiftSettings: strictSettings
        ),
        // The async store protocol and its SQLite (GRDB) implementation.
        .target(
            name: "InboxStore",
            dependencies: [
                "InboxCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // The Hummingbird application: routes, auth, configuration.
        .target(
            name: "InboxServer",
            dependencies: [
                "InboxCore",
                "InboxStore",
                "InboxHub",
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "InboxCore",
                "InboxStore",
                "InboxServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The load generator and benchmark suite (`swift run -c release loadtest --help`).
        .executableTarget(
            name: "loadtest",
            dependencies: [
                "InboxCore",
                "InboxStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "loadtest",
            exclude: ["peers"],
            swiftSettings: strictSettings
        ),
        // The bare transport limit for the peer comparison: a hummingbird-websocket broadcast
        // server with no inbox logic (BENCHMARKS.md, "Peers").
        .executableTarget(
            name: "bare-broadcast",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "loadtest/peers/bare-broadcast",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "InboxCoreTests",
            dependencies: ["InboxCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "InboxHubTests",
            dependencies: ["InboxCore", "InboxHub"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "InboxStoreTests",
            dependencies: ["InboxCore", "InboxStore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "InboxServerTests",
            dependencies: [
                "InboxCore",
                "InboxStore",
                "InboxServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
