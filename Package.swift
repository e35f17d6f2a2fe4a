// swift-tools-version:6.0
import PackageDescription

// Layers point one way: CLI / Service / ModelHub → Prompts, Models → Runtime, Checkpoint, Tokenizer / Video → C shims.
let package = Package(
    name: "stclip",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "stclip", targets: ["STClipCLI"]),
        .executable(name: "stclip-bench", targets: ["STClipBench"]),
        .library(name: "STClipModels", targets: ["STClipModels"]),
        .library(name: "STClipService", targets: ["STClipService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The HTTP service (STClipService) and its tests.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // `stclip model fetch` (STClipModelHub).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // MARK: - C shims
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]),

        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),

        // MARK: - Libraries
        .target(name: "STClipRuntime", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "STClipCheckpoint", dependencies: ["STClipRuntime"]),
        .target(name: "STClipTokenizer"),
        .target(name: "STClipVideo", dependencies: ["CFFmpeg", "CKernels", "STClipRuntime"]),
        .target(name: "STClipModels", dependencies: ["STClipRuntime", "STClipCheckpoint", "STClipTokenizer"]),
        // Built-in label sets: official class names and descriptions, built by Scripts/labelsets/build.py.
        .target(name: "STClipLabelSets", dependencies: ["STClipModels"], resources: [.copy("Data")]),
        // Runtime class descriptions from an OpenAI-compatible chat-completions endpoint.
        .target(name: "STClipPrompts"),
        // Model provisioning: Hugging Face checkpoint downloads (resumed, verified) and model directory summaries.
        .target(name: "STClipModelHub", dependencies: [
            "STClipModels", "STClipCheckpoint",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        .target(name: "STClipService", dependencies: [
            "STClipModels", "STClipVideo", "STClipLabelSets", "STClipPrompts",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "DequeModule", package: "swift-collections"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "MultipartKit", package: "multipart-kit"),
        ], resources: [.embedInCode("openapi.yaml")]),

        // MARK: - Executables
        .executableTarget(name: "STClipCLI", dependencies: [
            "STClipModels", "STClipVideo", "STClipLabelSets", "STClipPrompts", "STClipService", "STClipModelHub",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "STClipBench", dependencies: [
            "STClipModels",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // libFuzzer target for the sampler; Scripts/fuzz/run.sh builds it with -sanitize=fuzzer -DFUZZING.
        .executableTarget(name: "STClipVideoFuzz", dependencies: ["STClipVideo"]),

        // MARK: - Tests
        .target(name: "STClipTestSupport", path: "Tests/Support"),
        .testTarget(name: "RuntimeTests", dependencies: ["STClipRuntime", "STClipTestSupport"]),
        .testTarget(name: "CheckpointTests", dependencies: ["STClipCheckpoint"]),
        .testTarget(name: "TokenizerTests", dependencies: ["STClipTokenizer"]),
        .testTarget(name: "ModelsTests", dependencies: ["STClipModels", "STClipTestSupport"]),
        .testTarget(name: "VideoTests", dependencies: ["STClipVideo"]),
        .testTarget(name: "CLITests", dependencies: ["STClipCLI", "STClipTestSupport"]),
        .testTarget(name: "LabelSetTests", dependencies: ["STClipLabelSets", "STClipTokenizer", "STClipTestSupport"]),
        .testTarget(name: "ClassEmbeddingTests", dependencies: ["STClipModels", "STClipTestSupport"]),
        .testTarget(name: "PromptTests", dependencies: ["STClipPrompts", "STClipCLI", "STClipTestSupport"]),
        .testTarget(name: "EvalTests", dependencies: ["STClipCLI", "STClipTestSupport"]),
        .testTarget(name: "ModelHubTests", dependencies: [
            "STClipModelHub", "STClipCheckpoint", "STClipCLI", "STClipTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "ServiceTests", dependencies: [
            "STClipService", "STClipModels", "STClipVideo", "STClipLabelSets", "STClipPrompts", "STClipTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ]
)
