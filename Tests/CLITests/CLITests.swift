import Foundation
import STClipCheckpoint
import STClipRuntime
import STClipTestSupport
import XCTest

/// The `stclip` binary as a user runs it: JSON on stdout, one line on stderr and a non-zero exit
/// status on failure.
final class CLITests: XCTestCase {
    typealias Run = StclipRun

    func stclip(_ arguments: String...) throws -> Run { try stclip(arguments) }

    func stclip(_ arguments: [String]) throws -> Run { try StclipBinary.run(arguments) }

    let model = fixtureURL("clip").appendingPathComponent("tiny-p16-odd")

    private func reference() throws -> (SafetensorsFile, [String: Any]) {
        (try SafetensorsFile(path: model.appendingPathComponent("reference.safetensors").path),
         try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("reference.json"))) as! [String: Any])
    }

    func testTokenizeGivesTransformersIDsWithoutPadding() throws {
        let (_, json) = try reference()
        let texts = json["texts"] as! [String]
        let ids = json["input_ids"] as! [[Int]], mask = json["attention_mask"] as! [[Int]]
        let run = try stclip(["tokenize", "--model", model.path] + texts)
        XCTAssertEqual(run.status, 0, run.stderr)
        let expected = zip(ids, mask).map { row, m in Array(row.prefix(m.reduce(0, +))) }
        XCTAssertEqual(run.json["input_ids"] as? [[Int]], expected)
    }

    func testEmbedTextMatchesGetTextFeatures() throws {
        let (ref, json) = try reference()
        let run = try stclip(["embed-text", "--model", model.path, "--threads", "1"] + (json["texts"] as! [String]))
        XCTAssertEqual(run.status, 0, run.stderr)
        let embeds = try XCTUnwrap(run.json["text_embeds"] as? [[Double]])
        assertClose(embeds.joined().map(Float.init), try ref.tensor("text_embeds").toArray(), atol: 2e-5, "CLI text_embeds")
    }

    func testEmbedVideoMatchesImageFeaturesAndTheirMean() throws {
        let (ref, _) = try reference()
        let pixels = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-pixels-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: pixels) }
        try NPY.write(try ref.tensor("pixel_values"), to: pixels)
        let run = try stclip("embed-video", "--model", model.path, "--pixels", pixels.path)
        XCTAssertEqual(run.status, 0, run.stderr)
        let frames = try XCTUnwrap(run.json["frame_embeds"] as? [[Double]])
        let video = try XCTUnwrap(run.json["video_embeds"] as? [Double])
        assertClose(frames.joined().map(Float.init), try ref.tensor("image_embeds").toArray(), atol: 2e-5, "CLI frame_embeds")
        assertClose(video.map(Float.init), try ref.tensor("video_embeds").toArray(), atol: 2e-5, "CLI video_embeds")
    }

    func testErrorsAreOneLineOnStderrWithNonZeroStatus() throws {
        let missing = try stclip("embed-text", "--model", "/nonexistent/model", "hello")
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stdout.isEmpty)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/model"), missing.stderr)

        let notNPY = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-bad-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: notNPY) }
        try Data("not a numpy file".utf8).write(to: notNPY)
        let bad = try stclip("embed-video", "--model", model.path, "--pixels", notNPY.path)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("not a valid .npy"), bad.stderr)

        let wrongShape = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-shape-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: wrongShape) }
        try NPY.write(Tensor(zeros: [2, 3, 5, 5]), to: wrongShape)
        let shape = try stclip("embed-video", "--model", model.path, "--pixels", wrongShape.path)
        XCTAssertNotEqual(shape.status, 0)
        XCTAssertTrue(shape.stderr.contains("pixel_values"), shape.stderr)

        let threads = try stclip("embed-text", "--model", model.path, "--threads", "0", "x")
        XCTAssertNotEqual(threads.status, 0)
        XCTAssertTrue(threads.stderr.contains("--threads"), threads.stderr)
    }

    func testVersionReportsNativeLibraries() throws {
        let run = try stclip("version")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue((run.json["blas"] as? String ?? "").contains("OpenBLAS"))
        XCTAssertTrue((run.json["ffmpeg"] as? String ?? "").contains("libavformat"))
    }

    func testClassifyAVideoFileAgreesWithItsSampledFrames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-classify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let video = dir.appendingPathComponent("clip.mp4"), npy = dir.appendingPathComponent("frames.npy")
        try TestVideo.make(at: video, size: "96x64")
        let xclip = fixtureURL("xclip").appendingPathComponent("tiny-p32").path
        let labels = ["a dog", "dancing", "riding a bike"]
        let direct = try stclip(["classify", "--model", xclip, video.path, "--views", "4x3", "--top-k", "3", "--labels"] + labels)
        XCTAssertEqual(direct.status, 0, direct.stderr)
        // The same frames through sample-frames and --pixels give the same answer.
        let sampled = try stclip("sample-frames", video.path, "--frames", "3", "--views", "4x3", "--model", xclip, "--out", npy.path)
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let viaPixels = try stclip(["classify", "--model", xclip, "--pixels", npy.path, "--top-k", "3", "--labels"] + labels)
        XCTAssertEqual(viaPixels.status, 0, viaPixels.stderr)
        let a = try XCTUnwrap(direct.json["top_k"] as? [[String: Any]]), b = try XCTUnwrap(viaPixels.json["top_k"] as? [[String: Any]])
        XCTAssertEqual(a.map { $0["label"] as? String }, b.map { $0["label"] as? String })
        XCTAssertEqual(a.map { $0["score"] as? Double ?? -1 }, b.map { $0["score"] as? Double ?? -2 })

        let wrongFrames = try stclip("classify", "--model", xclip, video.path, "--frames", "5", "--labels", "a dog")
        XCTAssertNotEqual(wrongFrames.status, 0)
        XCTAssertTrue(wrongFrames.stderr.contains("exactly 3 frames"), wrongFrames.stderr)
        let both = try stclip("classify", "--model", xclip, video.path, "--pixels", npy.path, "--labels", "a dog")
        XCTAssertNotEqual(both.status, 0)
    }

    func testSampleFramesRepeatedReportsEveryRunAndTheSamePixels() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-repeat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let video = dir.appendingPathComponent("clip.mp4")
        try TestVideo.make(at: video, size: "96x64")
        let once = dir.appendingPathComponent("once.npy"), thrice = dir.appendingPathComponent("thrice.npy")
        let single = try stclip("sample-frames", video.path, "--frames", "4", "--out", once.path)
        XCTAssertEqual(single.status, 0, single.stderr)
        XCTAssertNil(single.json["runTimings"])
        let repeated = try stclip("sample-frames", video.path, "--frames", "4", "--repeat", "3", "--out", thrice.path)
        XCTAssertEqual(repeated.status, 0, repeated.stderr)
        let runs = try XCTUnwrap(repeated.json["runTimings"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 3)
        XCTAssertTrue(runs.allSatisfy { ($0["decodeSeconds"] as? Double ?? -1) >= 0 })
        XCTAssertEqual(try Data(contentsOf: once), try Data(contentsOf: thrice))
        XCTAssertNotEqual(try stclip("sample-frames", video.path, "--frames", "4", "--repeat", "0", "--out", thrice.path).status, 0)
    }
}
