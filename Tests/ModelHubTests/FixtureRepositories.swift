import Foundation
import STClipCheckpoint
import STClipRuntime
import STClipTestSupport

/// Hub repositories made from the tiny checkpoints in Tests/Fixtures, in the layout the hub
/// serves: every file of the fixture directory at the root.
enum FixtureRepositories {
    /// The tiny CLIP (ViT patch 32) fixture directory.
    static let tinyCLIP = fixtureURL("clip").appendingPathComponent("tiny-p32")
    static let tinyXCLIP = fixtureURL("xclip").appendingPathComponent("tiny-p32")

    /// The files of `directory` by name, plus `extra`.
    static func files(of directory: URL, adding extra: [String: Data] = [:]) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            files[name] = try Data(contentsOf: directory.appendingPathComponent(name))
        }
        return files.merging(extra) { _, new in new }
    }

    /// The tiny CLIP as a repository, with a README the fetcher must leave alone (the fixture's
    /// `reference.*` files are there too, and must be left alone as well).
    static func tinyCLIP(name: String = "test/tiny-clip") throws -> HubFixtureServer.Repository {
        .init(name: name, files: try files(of: tinyCLIP, adding: ["README.md": Data("# tiny CLIP\n".utf8)]))
    }

    /// The tiny CLIP with `model.safetensors` split into two shards and a
    /// `model.safetensors.index.json`, as `save_pretrained(max_shard_size=…)` writes them.
    static func shardedTinyCLIP(name: String = "test/tiny-clip-sharded") throws -> HubFixtureServer.Repository {
        var files = try files(of: tinyCLIP)
        let single = try SafetensorsFile(path: tinyCLIP.appendingPathComponent("model.safetensors").path)
        files["model.safetensors"] = nil
        var shards = [SafetensorsWriter(), SafetensorsWriter()]
        var weightMap: [String: String] = [:]
        for (i, info) in single.tensorInfos.sorted(by: { $0.name < $1.name }).enumerated() {
            let shard = i % 2
            if info.dtype == .i64 {
                try shards[shard].add(info.name, shape: info.shape, int64Values: try single.int64Values(info.name))
            } else {
                try shards[shard].add(info.name, try single.tensor(info.name))
            }
            weightMap[info.name] = "model-0000\(shard + 1)-of-00002.safetensors"
        }
        for (i, shard) in shards.enumerated() { files["model-0000\(i + 1)-of-00002.safetensors"] = Data(shard.serialized()) }
        files["model.safetensors.index.json"] = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap])
        return .init(name: name, files: files)
    }

    /// A repository with the tiny CLIP's configuration and tokenizer but only pickle weights.
    static func pickleOnly(name: String = "test/pickle-only") throws -> HubFixtureServer.Repository {
        var files = try files(of: tinyCLIP)
        files["model.safetensors"] = nil
        files["reference.safetensors"] = nil
        files["pytorch_model.bin"] = Data("PK\u{3}\u{4} a pickle stclip must never fetch".utf8)
        return .init(name: name, files: files)
    }

    /// The bytes of `name` in the tiny CLIP fixture.
    static func tinyCLIPFile(_ name: String) throws -> Data {
        try Data(contentsOf: tinyCLIP.appendingPathComponent(name))
    }
}
