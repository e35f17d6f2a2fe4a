import Foundation
import STClipCheckpoint
import STClipModels
import STClipRuntime
import STClipTestSupport
import STClipTokenizer
import XCTest

/// Loading real-world variants of a checkpoint directory (half precision, shards) and broken ones:
/// every breakage is a typed error that names the file, tensor or key.
final class ModelLoadingTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-load-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixtureURL("clip").appendingPathComponent("tiny-p32"), to: directory)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private var weightsPath: String { directory.appendingPathComponent("model.safetensors").path }

    private func editConfig(_ edit: (inout [String: Any]) -> Void) throws {
        let url = directory.appendingPathComponent("config.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }

    private func editSubconfig(_ key: String, _ edit: (inout [String: Any]) -> Void) throws {
        try editConfig { json in
            var sub = json[key] as! [String: Any]
            edit(&sub)
            json[key] = sub
        }
    }

    /// Rewrites the weights through `SafetensorsWriter`, letting `body` add, drop or re-encode tensors.
    private func rewriteWeights(_ body: (SafetensorsFile, inout SafetensorsWriter) throws -> Void) throws {
        let original = try SafetensorsFile(path: weightsPath)
        var writer = SafetensorsWriter(metadata: original.metadata)
        try body(original, &writer)
        try writer.write(to: weightsPath)
    }

    private func loadError() -> Error? {
        do { _ = try LoadedModel.load(directory: directory.path); return nil } catch { return error }
    }

    private func embeddings() throws -> (Tensor, Tensor) {
        let model = try LoadedModel.load(directory: directory.path)
        let pixels = Tensor(shape: [2, 3, model.imageSize, model.imageSize],
                            values: randomValues(2 * 3 * model.imageSize * model.imageSize, seed: 3))
        return (try model.videoEmbeddings(pixels: pixels).frames, try model.textEmbeddings(["a person dancing", "a dog"]))
    }

    // MARK: - Variants that must load

    func testHalfPrecisionCheckpointsLoadAndAgreeWithFloat32() throws {
        let (frames32, text32) = try embeddings()
        for (format, tolerance) in [(SafetensorsWriter.FloatFormat.f16, Float(2e-2)), (.bf16, Float(1e-1))] {
            try FileManager.default.removeItem(at: directory)
            try FileManager.default.copyItem(at: fixtureURL("clip").appendingPathComponent("tiny-p32"), to: directory)
            try rewriteWeights { file, writer in
                for name in file.names { try writer.add(name, try file.tensor(name), as: format) }
            }
            let (frames, text) = try embeddings()
            assertClose(frames.toArray(), frames32.toArray(), atol: tolerance, "\(format) frame embeddings vs f32")
            assertClose(text.toArray(), text32.toArray(), atol: tolerance, "\(format) text embeddings vs f32")
            // The scalar logit_scale is converted into a buffer of its own; its value must survive loading.
            let scale32 = try SafetensorsFile(path: fixtureURL("clip").appendingPathComponent("tiny-p32/model.safetensors").path)
                .tensor("logit_scale").toArray()[0]
            guard case .clip(let clip) = try LoadedModel.load(directory: directory.path).network else { return XCTFail("not CLIP") }
            XCTAssertEqual(clip.logitScale, scale32, accuracy: format == .f16 ? 2e-3 : 2e-2, "\(format) logit_scale")
        }
    }

    func testShardedCheckpointGivesIdenticalOutputs() throws {
        let (frames, text) = try embeddings()
        let file = try SafetensorsFile(path: weightsPath)
        var shards = [SafetensorsWriter(), SafetensorsWriter()]
        var weightMap: [String: String] = [:]
        for (i, name) in file.names.enumerated() {
            try shards[i % 2].add(name, try file.tensor(name))
            weightMap[name] = "model-0000\(i % 2 + 1)-of-00002.safetensors"
        }
        for (i, shard) in shards.enumerated() {
            try shard.write(to: directory.appendingPathComponent("model-0000\(i + 1)-of-00002.safetensors").path)
        }
        try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": weightMap])
            .write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        try FileManager.default.removeItem(atPath: weightsPath)
        let (shardedFrames, shardedText) = try embeddings()
        XCTAssertEqual(shardedFrames.toArray(), frames.toArray())
        XCTAssertEqual(shardedText.toArray(), text.toArray())
    }

    // MARK: - Breakages that must be typed errors

    func testMissingConfig() throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent("config.json"))
        guard case CheckpointError.missingFile(let path)? = loadError() else { return XCTFail("\(String(describing: loadError()))") }
        XCTAssertTrue(path.hasSuffix("config.json"))
    }

    func testUnknownModelType() throws {
        try editConfig { $0["model_type"] = "bert" }
        XCTAssertEqual(loadError() as? ModelError, .unsupportedModelType("bert"))
    }

    func testConfigThatDisagreesWithTheTensorsNamesTheTensorAndBothShapes() throws {
        try editSubconfig("vision_config") { $0["hidden_size"] = 34 }
        guard case CheckpointError.shapeMismatch(_, let tensor, let expected, let actual)? = loadError() else {
            return XCTFail("\(String(describing: loadError()))")
        }
        XCTAssertEqual(tensor, "vision_model.embeddings.patch_embedding.weight")
        XCTAssertEqual(expected, [34, 3, 32, 32])
        XCTAssertEqual(actual, [32, 3, 32, 32])
    }

    func testMoreLayersThanTheCheckpointHasIsAMissingTensor() throws {
        try editSubconfig("text_config") { $0["num_hidden_layers"] = 2 }
        guard case CheckpointError.missingTensor(_, let tensor)? = loadError() else { return XCTFail("\(String(describing: loadError()))") }
        XCTAssertTrue(tensor.hasPrefix("text_model.encoder.layers.1."), tensor)
    }

    func testUnusedTensorsAreRefusedNotSkipped() throws {
        try rewriteWeights { file, writer in
            for name in file.names { try writer.add(name, try file.tensor(name)) }
            try writer.add("vision_model.extra_head.weight", Tensor(zeros: [4, 4]))
        }
        guard case CheckpointError.unusedTensors(_, let tensors)? = loadError() else { return XCTFail("\(String(describing: loadError()))") }
        XCTAssertEqual(tensors, ["vision_model.extra_head.weight"])
    }

    func testUnsupportedActivationAndImpossibleSizes() throws {
        try editSubconfig("text_config") { $0["hidden_act"] = "relu" }
        guard case ModelError.invalidConfig(_, let detail)? = loadError() else { return XCTFail("\(String(describing: loadError()))") }
        XCTAssertTrue(detail.contains("text_config.hidden_act"), detail)
        try editSubconfig("text_config") { $0["hidden_act"] = "quick_gelu"; $0["num_attention_heads"] = 5 }
        guard case ModelError.invalidConfig(_, let heads)? = loadError() else { return XCTFail("\(String(describing: loadError()))") }
        XCTAssertTrue(heads.contains("not divisible"), heads)
    }

    func testWrongTypeInConfigNamesTheKey() throws {
        try editSubconfig("vision_config") { $0["patch_size"] = "thirty-two" }
        guard case CheckpointError.badConfig(_, let key, _)? = loadError() else { return XCTFail("\(String(describing: loadError()))") }
        XCTAssertEqual(key, "vision_config.patch_size")
    }

    func testTruncatedWeightsFile() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weightsPath))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: weightsPath))
        XCTAssertTrue(loadError() is CheckpointError, "\(String(describing: loadError()))")
    }

    func testMissingVocabulary() throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent("vocab.json"))
        guard case TokenizerError.unreadableFile(let path, _)? = loadError() else { return XCTFail("\(String(describing: loadError()))") }
        XCTAssertTrue(path.hasSuffix("vocab.json"))
    }
}
