import Foundation
import HummingbirdTesting
@testable import STClipService
import STClipModels
import STClipVideo
import XCTest

/// The embedded default model (Models/default) as the service uses it when nothing is named: found by
/// `DefaultModel`, its own label set served read-only and ranked when a classification names no set.
final class DefaultModelServiceTests: XCTestCase {
    func testTheEmbeddedModelIsFoundAndItsLabelSetIsTheDefault() async throws {
        let directory = try XCTUnwrap(DefaultModel.directory(), "Models/default must ship with the source tree")
        XCTAssertTrue(directory.hasSuffix("Models/default"), directory)
        let resolved = try ServiceConfiguration.resolve(flags: ConfigurationSettings(), configFile: nil, environment: [:])
        XCTAssertEqual(resolved.modelDirectory, directory, "no model named: the embedded one")

        let own = try XCTUnwrap(try ModelLabelSet.load(directory: directory))
        XCTAssertEqual(own.name, "synthmotion")
        XCTAssertEqual(own.labels.count, 12)
        XCTAssertTrue(own.builtin)
        let engine = try ModelEngine(directory: directory, limits: VideoLimits(), decoderThreads: 1)
        let core = try ServiceHarness.core(engine: engine, builtins: [own.name: own], defaultLabelSet: own.name)
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(core).test(.router) { client in
            let response = try await client.classify(video, query: "top_k=3")
            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
            XCTAssertEqual((response.object["labelset"] as? [String: Any])?["name"] as? String, "synthmotion")
            let top = try XCTUnwrap(response.object["top_k"] as? [[String: Any]])
            XCTAssertEqual(top.count, 3)
            XCTAssertTrue(top.allSatisfy { own.labels.map(\.label).contains($0["label"] as? String ?? "") })
            let set = try await client.execute(uri: "/v1/labelsets/synthmotion", method: .get)
            XCTAssertEqual(set.object["builtin"] as? Bool, true)
            XCTAssertEqual(set.object["embedding_mode"] as? String, "all")
        }
    }

    func testAModelWithoutALabelSetHasNoDefault() throws {
        XCTAssertNil(try ModelLabelSet.load(directory: ServiceHarness.clipModel))
    }
}
