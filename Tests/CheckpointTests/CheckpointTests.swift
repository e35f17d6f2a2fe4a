import Foundation
import XCTest
import STClipCheckpoint
import STClipRuntime

final class CheckpointTests: XCTestCase {
    private let single = Fixtures.path("single")
    private let sharded = Fixtures.path("sharded")

    func testSingleFileCheckpoint() throws {
        let checkpoint = try Checkpoint(directory: single)
        let expected = try Fixtures.expected()["single/model.safetensors"] ?? [:]
        XCTAssertEqual(checkpoint.names, expected.keys.sorted())
        XCTAssertEqual(checkpoint.files.map(\.path), [single + "/model.safetensors"])
        XCTAssertTrue(checkpoint.contains("head.weight"))
        XCTAssertFalse(checkpoint.contains("head.weight.missing"))
        XCTAssertEqual(try checkpoint.shape(of: "embeddings.weight"), [4, 3])
        XCTAssertEqual(checkpoint.info("head.bias")?.dtype, .f32)
        let weight = try checkpoint.tensor("head.weight", shape: [2, 3])
        assertBits(weight.toArray(), try XCTUnwrap(expected["head.weight"]?.float_bits), "head.weight")
        XCTAssertEqual(try checkpoint.int64Values("embeddings.position_ids"), [0, 1, 2, 3])
    }

    func testShardedCheckpoint() throws {
        let checkpoint = try Checkpoint(directory: sharded)
        let expected = try Fixtures.expected()
        XCTAssertEqual(checkpoint.files.map(\.path), [
            sharded + "/model-00001-of-00002.safetensors", sharded + "/model-00002-of-00002.safetensors",
        ])
        XCTAssertEqual(checkpoint.names, [
            "encoder.layers.0.bias", "encoder.layers.0.weight", "encoder.layers.1.weight", "encoder.position_ids",
        ])
        for shard in ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"] {
            for (name, want) in expected["sharded/" + shard] ?? [:] {
                XCTAssertEqual(try checkpoint.shape(of: name), want.shape)
                if let bits = want.float_bits {
                    assertBits(try checkpoint.tensor(name).toArray(), bits, name)
                } else {
                    XCTAssertEqual(try checkpoint.int64Values(name), want.ints)
                }
            }
        }
        XCTAssertEqual(checkpoint.unusedTensorNames(), [])
        XCTAssertEqual(try checkpoint.config().int("hidden_size"), 2)
    }

    func testTensorErrors() throws {
        let checkpoint = try Checkpoint(directory: single)
        let file = single + "/model.safetensors"
        let mismatch = assertCheckpointError(try checkpoint.tensor("head.weight", shape: [3, 2]), "shapeMismatch")
        XCTAssertEqual(mismatch, .shapeMismatch(path: file, tensor: "head.weight", expected: [3, 2], actual: [2, 3]))
        XCTAssertEqual(mismatch?.description, "\(file): tensor 'head.weight' has shape [2, 3], expected [3, 2]")
        XCTAssertEqual(assertCheckpointError(try checkpoint.tensor("absent"), "missingTensor"),
                       .missingTensor(path: single, tensor: "absent"))
        assertCheckpointError(try checkpoint.tensor("absent", shape: [1]), "missingTensor", tensor: "absent")
        assertCheckpointError(try checkpoint.shape(of: "absent"), "missingTensor", tensor: "absent")
        assertCheckpointError(try checkpoint.int64Values("head.bias"), "dtypeMismatch", tensor: "head.bias")
        assertCheckpointError(try checkpoint.tensor("embeddings.position_ids"), "dtypeMismatch", tensor: "embeddings.position_ids")
        // Failed requests do not count as loading.
        XCTAssertEqual(checkpoint.unusedTensorNames(), checkpoint.names)
    }

    func testUnusedTensorTracking() throws {
        let checkpoint = try Checkpoint(directory: single)
        XCTAssertEqual(checkpoint.unusedTensorNames(), ["embeddings.position_ids", "embeddings.weight", "head.bias", "head.weight"])
        _ = try checkpoint.tensor("head.weight")
        _ = try checkpoint.tensor("head.bias", shape: [2])
        _ = try checkpoint.shape(of: "embeddings.weight")
        XCTAssertEqual(checkpoint.unusedTensorNames(), ["embeddings.position_ids", "embeddings.weight"])
        let error = assertCheckpointError(try checkpoint.checkAllTensorsUsed(), "unusedTensors")
        XCTAssertEqual(error, .unusedTensors(path: single, tensors: ["embeddings.position_ids", "embeddings.weight"]))
        try checkpoint.markUsed("embeddings.position_ids")
        assertCheckpointError(try checkpoint.markUsed("embeddings.typo"), "missingTensor", tensor: "embeddings.typo")
        _ = try checkpoint.tensor("embeddings.weight")
        XCTAssertNoThrow(try checkpoint.checkAllTensorsUsed())
    }

    func testConcurrentLoading() throws {
        let checkpoint = try Checkpoint(directory: sharded)
        let names = checkpoint.names.filter { checkpoint.info($0)?.dtype != .i64 }
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            let name = names[iteration % names.count]
            XCTAssertEqual((try? checkpoint.tensor(name))?.shape, try? checkpoint.shape(of: name))
        }
        XCTAssertEqual(checkpoint.unusedTensorNames(), ["encoder.position_ids"])
    }

    func testConfigurationFiles() throws {
        let checkpoint = try Checkpoint(directory: single)
        let config = try checkpoint.config()
        XCTAssertEqual(config.path, single + "/config.json")
        XCTAssertEqual(try config.string("model_type"), "tiny")
        XCTAssertEqual(try config.array("architectures").strings(), ["TinyModel"])
        XCTAssertEqual(try config.double("logit_scale_init_value"), 2.6592)
        XCTAssertEqual(try config.bool("tie_word_embeddings"), false)
        XCTAssertNil(try config.optionalInt("pad_token_id"))
        let vision = try config.object("vision_config")
        XCTAssertEqual(try vision.int("hidden_size"), 3)
        XCTAssertEqual(try vision.double("layer_norm_eps"), 1e-05)
        XCTAssertEqual(try vision.bool("use_mean_pooling"), true)
        XCTAssertEqual(try config.object("text_config").double("initializer_factor"), 1)
        XCTAssertEqual(assertCheckpointError(try vision.int("num_layers"), "missingKey")?.description,
                       "\(single)/config.json: vision_config.num_layers: missing")
        assertCheckpointError(try vision.int("hidden_act"), "badConfig", path: single + "/config.json")

        XCTAssertTrue(checkpoint.containsFile("preprocessor_config.json"))
        XCTAssertFalse(checkpoint.containsFile("tokenizer.json"))
        let preprocessor = try checkpoint.json("preprocessor_config.json")
        XCTAssertEqual(try preprocessor.array("image_mean").doubles(), [0.48145466, 0.4578275, 0.40821073])
        XCTAssertEqual(try preprocessor.object("crop_size").int("height"), 224)
        XCTAssertEqual(try preprocessor.int("resample"), 3)
        assertCheckpointError(try checkpoint.json("tokenizer_config.json"), "missingFile", path: single + "/tokenizer_config.json")
    }

    func testDirectoryErrors() throws {
        let root = try makeTemporaryDirectory()
        XCTAssertEqual(assertCheckpointError(try Checkpoint(directory: root + "/absent"), "missingFile"),
                       .missingFile(path: root + "/absent"))
        XCTAssertEqual(assertCheckpointError(try Checkpoint(directory: root), "missingFile"),
                       .missingFile(path: root + "/model.safetensors"))
        let plainFile = root + "/file"
        try Data().write(to: URL(fileURLWithPath: plainFile))
        assertCheckpointError(try Checkpoint(directory: plainFile), "unreadableFile", path: plainFile)
        // A broken weights file reports its own error, naming that file.
        let broken = root + "/broken"
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: false)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: broken + "/model.safetensors"))
        assertCheckpointError(try Checkpoint(directory: broken), "truncated", path: broken + "/model.safetensors")
    }

    /// A copy of the sharded fixture whose index is replaced by `index`.
    private func shardedCopy(index: String) throws -> String {
        let directory = try makeTemporaryDirectory() + "/ckpt"
        try FileManager.default.copyItem(atPath: sharded, toPath: directory)
        try Data(index.utf8).write(to: URL(fileURLWithPath: directory + "/model.safetensors.index.json"))
        return directory
    }

    private let shard1 = "model-00001-of-00002.safetensors"
    private let shard2 = "model-00002-of-00002.safetensors"

    private func weightMap(_ entries: [(String, String)]) -> String {
        let members = entries.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ")
        return "{\"metadata\": {\"total_size\": 56}, \"weight_map\": {\(members)}}"
    }

    private var completeMap: [(String, String)] {
        [("encoder.layers.0.bias", shard1), ("encoder.layers.0.weight", shard1),
         ("encoder.layers.1.weight", shard2), ("encoder.position_ids", shard2)]
    }

    func testIndexIsAcceptedWhenItMatchesTheShards() throws {
        let directory = try shardedCopy(index: weightMap(completeMap))
        XCTAssertEqual(try Checkpoint(directory: directory).names.count, 4)
    }

    func testIndexNamingAMissingShard() throws {
        let directory = try shardedCopy(index: weightMap(completeMap + [("extra", "model-00003-of-00003.safetensors")]))
        XCTAssertEqual(assertCheckpointError(try Checkpoint(directory: directory), "missingFile"),
                       .missingFile(path: directory + "/model-00003-of-00003.safetensors"))
    }

    func testIndexListingATensorItsShardLacks() throws {
        let directory = try shardedCopy(index: weightMap(completeMap + [("encoder.layers.2.weight", shard2)]))
        let error = assertCheckpointError(try Checkpoint(directory: directory), "badIndex", path: directory + "/model.safetensors.index.json")
        XCTAssertTrue(error?.description.contains("encoder.layers.2.weight") ?? false, "\(String(describing: error))")
    }

    func testIndexMappingATensorToTheWrongShard() throws {
        var entries = completeMap
        entries[0] = ("encoder.layers.0.bias", shard2)
        let directory = try shardedCopy(index: weightMap(entries))
        assertCheckpointError(try Checkpoint(directory: directory), "badIndex")
    }

    func testShardHoldingATensorTheIndexOmits() throws {
        let directory = try shardedCopy(index: weightMap(Array(completeMap.dropLast())))
        let error = assertCheckpointError(try Checkpoint(directory: directory), "badIndex")
        XCTAssertTrue(error?.description.contains("encoder.position_ids") ?? false, "\(String(describing: error))")
    }

    func testMalformedIndexes() throws {
        for index in ["{\"weight_map\": ", "[]", "{\"metadata\": {}}", "{\"weight_map\": []}",
                      "{\"weight_map\": {}}", "{\"weight_map\": {\"encoder.layers.0.bias\": 1}}",
                      weightMap([("encoder.layers.0.bias", "../" + shard1)]),
                      weightMap([("encoder.layers.0.bias", "/etc/passwd")]),
                      weightMap([("encoder.layers.0.bias", "")]),
                      weightMap([("encoder.layers.0.bias", "..")])] {
            let directory = try shardedCopy(index: index)
            assertCheckpointError(try Checkpoint(directory: directory), "badIndex",
                                  path: directory + "/model.safetensors.index.json")
        }
    }

    func testSingleFileIsPreferredOverAnIndex() throws {
        let directory = try shardedCopy(index: "not even JSON")
        try FileManager.default.copyItem(atPath: single + "/model.safetensors", toPath: directory + "/model.safetensors")
        XCTAssertEqual(try Checkpoint(directory: directory).names, try Checkpoint(directory: single).names)
    }
}
