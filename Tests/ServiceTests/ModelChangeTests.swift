import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import STClipModels
@testable import STClipService
import XCTest

private let labels = #"{"labels": [{"label": "playing guitar"}, {"label": "dancing"}, {"label": "swimming"}]}"#

/// Model identity and what a change of model does to stored embeddings.
final class ModelChangeTests: XCTestCase {
    func testModelIDFollowsTheWeightsNotOtherFiles() throws {
        let copy = ServiceHarness.temporaryDirectory().appendingPathComponent("model")
        try FileManager.default.copyItem(atPath: ServiceHarness.clipModel, toPath: copy.path)
        let original = try ModelIdentity.compute(directory: copy.path)
        XCTAssertEqual(original, ServiceHarness.clipEngine.info.id)
        XCTAssertTrue(original.hasPrefix("sha256:") && original.count == 71)
        try FileManager.default.createDirectory(at: copy.appendingPathComponent("labelsets"), withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: copy.appendingPathComponent("README.md"))
        XCTAssertEqual(try ModelIdentity.compute(directory: copy.path), original)
        // Same header and size, one weight changed: a retrained model with the same shapes.
        let weights = copy.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: weights)
        XCTAssertNotEqual(try ModelIdentity.compute(directory: copy.path), original)
    }

    /// A set stored under one model classifies under another: the new model's embeddings are
    /// computed on first use, stored beside the old ones, and precomputed by the loader's refresh.
    func testAnotherModelComputesItsOwnEmbeddings() async throws {
        let configuration = ServiceHarness.configuration()
        let store = try SQLiteLabelStore(path: configuration.effectiveLabelsDatabase)
        let video = try TestVideos.mp4()
        let xclip = try ModelEngine(directory: ServiceHarness.fixtures.appendingPathComponent("xclip/tiny-p32").path,
                                    limits: .init(), decoderThreads: 1)
        try await ServiceHarness.application(try ServiceHarness.core(configuration, store: store)).test(.router) { client in
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", labels).status, .created)
        }
        let keys: @Sendable (any InferenceEngine, [String]) -> [String] = { engine, labels in
            labels.map { engine.embeddingKey(for: ClassDefinition(name: $0), mode: .name) }
        }
        expectEqual(try await store.embeddings(modelID: xclip.info.id, keys: keys(xclip, ["dancing"])), [:])
        try await ServiceHarness.application(try ServiceHarness.core(configuration, engine: xclip, store: store)).test(.router) { client in
            let response = try await client.classify(video, query: "labelset=actions")
            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
            XCTAssertEqual((response.object["model"] as? [String: Any])?["id"] as? String, xclip.info.id)
        }
        let stored = try await store.embeddings(modelID: xclip.info.id, keys: keys(xclip, ["playing guitar", "dancing", "swimming"]))
        XCTAssertEqual(stored.count, 3)
        XCTAssertEqual(stored[keys(xclip, ["dancing"])[0]]?.count, xclip.info.embeddingDimension)
        expectEqual(try await store.embeddings(modelID: ServiceHarness.clipEngine.info.id, keys: keys(ServiceHarness.clipEngine, ["dancing"])).count, 1)

        let scripted = ScriptedEngine(decodeSeconds: 0)
        let core = try ServiceHarness.core(configuration, engine: scripted, store: store,
                                           builtins: ["sports": LabelSet(name: "sports", version: 1, builtin: true, embeddingMode: .name,
                                                                         labels: [LabelEntry(label: "archery")])])
        expectEqual(try await core.refreshEmbeddings(engine: scripted), 4)
        expectEqual(try await core.refreshEmbeddings(engine: scripted), 0)
        expectEqual(try await store.embeddings(modelID: scripted.info.id, keys: keys(scripted, ["archery", "dancing"])).count, 2)
    }
}
