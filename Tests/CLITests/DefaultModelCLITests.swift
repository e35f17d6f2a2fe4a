import Foundation
import STClipTestSupport
import XCTest

/// `stclip classify` with nothing named uses the embedded default model (Models/default) and its own label
/// set; STCLIP_MODEL and --model take precedence, in that order of weakness.
final class DefaultModelCLITests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func video() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-default-\(UUID().uuidString).mp4")
        try TestVideo.make(at: url)
        return url
    }

    func testClassifyWithNothingNamedUsesTheEmbeddedModelAndItsLabels() throws {
        let clip = try video()
        defer { try? FileManager.default.removeItem(at: clip) }
        let run = try StclipBinary.run(["classify", clip.path, "--top-k", "12"], environment: ["STCLIP_MODEL": ""])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.json["model_type"] as? String, "stas-clip")
        XCTAssertTrue((run.json["model"] as? String ?? "").hasSuffix("Models/default"), "\(run.json)")
        let labels = try XCTUnwrap(run.json["top_k"] as? [[String: Any]]).compactMap { $0["label"] as? String }
        let set = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.root.appendingPathComponent("Models/default/labelset.json")))
        let names = try XCTUnwrap((set as? [String: Any])?["classes"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        XCTAssertEqual(Set(labels), Set(names), "all twelve classes of the model's own label set are ranked")
    }

    func testTheEnvironmentAndTheFlagChooseOtherModels() throws {
        let clip = try video()
        defer { try? FileManager.default.removeItem(at: clip) }
        let tiny = fixtureURL("clip").appendingPathComponent("tiny-p32").path
        let viaEnv = try StclipBinary.run(["classify", clip.path, "--labels", "a dog", "a cat"], environment: ["STCLIP_MODEL": tiny])
        XCTAssertEqual(viaEnv.status, 0, viaEnv.stderr)
        XCTAssertEqual(viaEnv.json["model"] as? String, tiny)
        let noLabels = try StclipBinary.run(["classify", clip.path], environment: ["STCLIP_MODEL": tiny])
        XCTAssertNotEqual(noLabels.status, 0)
        XCTAssertTrue(noLabels.stderr.contains("no labelset.json"), noLabels.stderr)
    }

    func testTheEmbeddedModelIsSmallAndComplete() throws {
        let dir = Self.root.appendingPathComponent("Models/default")
        var bytes = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            bytes += (try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? Int) ?? 0
        }
        XCTAssertLessThanOrEqual(bytes, 25 << 20, "the embedded model stays within 25 MB")
        for name in ["config.json", "model.safetensors", "vocab.json", "merges.txt", "preprocessor_config.json", "labelset.json",
                     "README.md", "metrics.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), name)
        }
    }
}
