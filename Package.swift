// swift-tools-version:6.0
import PackageDescription

// Layers point one way: CLI / Service → Models → Runtime, Checkpoint, Tokenizer / Video → C shims.
let package = Package(
    name: "stclip",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "stclip", targets: ["STClipCLI"]),
        .executable(name: "stclip-bench", targets: ["STClipBench"]),
        .library(name: "STClipModels", targets: ["STClipModels"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
        .target(name: "STClipVideo", dependencies: ["CFFmpeg", "STClipRuntime"]),
        .target(name: "STClipModels", dependencies: ["STClipRuntime", "STClipCheckpoint", "STClipTokenizer"]),
        // Built-in label sets: official class names and descriptions, built by Scripts/labelsets/build.py.
        .target(name: "STClipLabelSets", dependencies: ["STClipModels"], resources: [.copy("Data")]),
        // Runtime class descriptions from an OpenAI-compatible chat-completions endpoint.
        .target(name: "STClipPrompts"),

        // MARK: - Executables
        .executableTarget(name: "STClipCLI", dependencies: [
            "STClipModels", "STClipVideo", "STClipLabelSets", "STClipPrompts",
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
        .testTarget(name: "PromptTests", dependencies: ["STClipPrompts", "STClipCLI"]),
        .testTarget(name: "EvalTests", dependencies: ["STClipCLI", "STClipTestSupport"]),
    ]
)
