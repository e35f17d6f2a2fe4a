import Foundation
import STClipTestSupport
import XCTest

/// `stclip model info` and `stclip model fetch` as a user runs them.
final class ModelCommandTests: XCTestCase {
    let clip = FixtureRepositories.tinyCLIP.path
    let xclip = FixtureRepositories.tinyXCLIP.path
    let stas = fixtureURL("stas-clip").appendingPathComponent("tws-aux12").path
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    // MARK: - model info

    func testInfoOnTheTinyCLIP() throws {
        let run = try StclipBinary.run(["model", "info", clip])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.text, """
            model       \(clip)
            family      clip (CLIPModel)
            vision      1 layer, width 32, 2 heads, MLP 64; patch 32 on 64×64 frames (4 patches)
            text        1 layer, width 32, 2 heads, MLP 64; vocabulary 814, context 77
            projection  16
            frames      any: a video is the mean of its frames' embeddings
            parameters  145,313 (F32)
            weights     model.safetensors: 586,236 bytes (0.6 MiB)
            on disk     940,686 bytes (0.9 MiB) in 9 files
            labels      none

            """)
    }

    func testInfoOnTheTinyXCLIP() throws {
        let run = try StclipBinary.run(["model", "info", xclip])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.text, """
            model       \(xclip)
            family      xclip (XCLIPModel)
            vision      2 layers, width 24, 2 heads, MLP 40; patch 32 on 64×64 frames (4 patches)
            text        1 layer, width 32, 2 heads, MLP 40; vocabulary 814, context 77
            projection  16
            frames      3
            temporal    multi-frame integration: 1 layer, width 16, 2 heads, MLP 32; prompt generator: 1 layer
            parameters  131,465 (F32)
            weights     model.safetensors: 539,044 bytes (0.5 MiB)
            on disk     868,392 bytes (0.8 MiB) in 9 files
            labels      none

            """)
    }

    func testInfoOnTheTinySTASCLIPListsItsAuxiliaryLabels() throws {
        let run = try StclipBinary.run(["model", "info", stas])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.text, """
            model       \(stas)
            family      stas-clip (STASCLIPModel)
            vision      2 layers, width 36, 4 heads, MLP 52; patch 16 on 32×32 frames (4 patches)
            text        1 layer, width 32, 2 heads, MLP 40; vocabulary 814, context 77
            projection  20
            frames      4
            temporal    tws on communication tokens; end transformer: 1 layer, width 20, 4 heads, MLP 44
            aux head    covariance pooling
            parameters  99,617 (F32)
            weights     model.safetensors: 410,276 bytes (0.4 MiB)
            on disk     551,057 bytes (0.5 MiB) in 9 files
            labels      3 aux labels: playing guitar, riding a bike, dancing tango

            """)
    }

    func testInfoAsJSONWithAShippedLabelSet() throws {
        let model = scratch.appendingPathComponent("model")
        try FileManager.default.copyItem(atPath: stas, toPath: model.path)
        try FileManager.default.createDirectory(at: model.appendingPathComponent("labelsets"), withIntermediateDirectories: true)
        let body = #"{"labels": [{"label": "playing guitar"}, {"label": "dancing", "descriptions": ["a person dancing"]}]}"#
        try Data(body.utf8).write(to: model.appendingPathComponent("labelsets/actions.json"))

        let run = try StclipBinary.run(["model", "info", model.path, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = run.json
        XCTAssertEqual(json["family"] as? String, "stas-clip")
        XCTAssertEqual(json["frames"] as? Int, 4)
        XCTAssertEqual(json["parameters"] as? Int, 99_617)
        XCTAssertEqual(json["dtypes"] as? [String], ["F32"])
        XCTAssertEqual(json["temporal_modeling"] as? String, "tws")
        XCTAssertEqual(json["aux_head"] as? String, "covariance")
        XCTAssertEqual(json["aux_labels"] as? [String], ["playing guitar", "riding a bike", "dancing tango"])
        XCTAssertEqual(json["files"] as? Int, 10)
        XCTAssertEqual(json["disk_bytes"] as? Int, 551_057 + body.utf8.count)
        let sets = try XCTUnwrap(json["label_sets"] as? [[String: Any]])
        XCTAssertEqual(sets.count, 1)
        XCTAssertEqual(sets.first?["name"] as? String, "actions")
        XCTAssertEqual(sets.first?["labels"] as? [String], ["playing guitar", "dancing"])
        let vision = try XCTUnwrap(json["vision"] as? [String: Any])
        XCTAssertEqual(vision["patch_size"] as? Int, 16)
        XCTAssertEqual((vision["transformer"] as? [String: Any])?["layers"] as? Int, 2)

        let text = try StclipBinary.run(["model", "info", model.path])
        XCTAssertTrue(text.text.hasSuffix("label set   actions: 2 labels: playing guitar, dancing\n"), text.text)
    }

    func testInfoOnTheTinyCLIPHasNullsForTheVideoParts() throws {
        let run = try StclipBinary.run(["model", "info", clip, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for key in ["frames", "temporal_transformer", "prompt_generator_layers", "temporal_modeling", "communication_token", "aux_head"] {
            XCTAssertTrue(run.json[key] is NSNull, "\(key) is null for CLIP")
        }
        XCTAssertEqual(run.json["weight_files"] as? [String], ["model.safetensors"])
    }

    func testInfoErrorsAreOneLine() throws {
        let missing = try StclipBinary.run(["model", "info", scratch.appendingPathComponent("none").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("none"), missing.stderr)
        let model = scratch.appendingPathComponent("model")
        try FileManager.default.copyItem(atPath: clip, toPath: model.path)
        try FileManager.default.createDirectory(at: model.appendingPathComponent("labelsets"), withIntermediateDirectories: true)
        try Data(#"{"labels": [{"name": "x"}]}"#.utf8).write(to: model.appendingPathComponent("labelsets/bad.json"))
        let bad = try StclipBinary.run(["model", "info", model.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "Error: \(model.path)/labelsets/bad.json: not a label set document: labels[0] has no \"label\" string\n")
    }

    // MARK: - model fetch

    func testFetchThroughTheBinaryWithHFEndpointAndAURL() throws {
        let hub = try HubFixtureServer([try FixtureRepositories.tinyCLIP()])
        defer { hub.stop() }
        let target = scratch.appendingPathComponent("fetched")
        let run = try StclipBinary.run(["model", "fetch", "test/tiny-clip", "--to", target.path], environment: ["HF_ENDPOINT": hub.endpoint])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.json["repository"] as? String, "test/tiny-clip")
        XCTAssertEqual(run.json["revision"] as? String, "main")
        XCTAssertEqual(run.json["commit"] as? String, "0123456789abcdef0123456789abcdef01234567")
        XCTAssertEqual(run.json["model_type"] as? String, "clip")
        let files = try XCTUnwrap(run.json["files"] as? [[String: Any]])
        XCTAssertEqual(files.count, 7)
        let weights = try XCTUnwrap(files.first { $0["name"] as? String == "model.safetensors" })
        XCTAssertEqual(weights["checksum"] as? String, "sha256:" + HubFixtureServer.sha256(try FixtureRepositories.tinyCLIPFile("model.safetensors")))
        XCTAssertEqual(weights["outcome"] as? String, "downloaded")
        XCTAssertTrue(run.stderr.isEmpty, "no progress bar when stderr is not a terminal: \(run.stderr)")

        let info = try StclipBinary.run(["model", "info", target.path])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.text.contains("parameters  145,313 (F32)"), info.text)

        let again = try StclipBinary.run(["model", "fetch", "\(hub.endpoint)/test/tiny-clip/tree/main", "--to", target.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual((again.json["files"] as? [[String: Any]])?.compactMap { $0["outcome"] as? String }, Array(repeating: "present", count: 7))
    }

    func testFetchErrorsAreOneLineWithStatusAndURL() throws {
        let hub = try HubFixtureServer([])
        defer { hub.stop() }
        let run = try StclipBinary.run(["model", "fetch", "test/none", "--to", scratch.appendingPathComponent("x").path],
                                       environment: ["HF_ENDPOINT": hub.endpoint])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "Error: \(hub.endpoint)/api/models/test/none/revision/main: HTTP 404 (Repository not found)\n")
        XCTAssertTrue(run.stdout.isEmpty)
        let bad = try StclipBinary.run(["model", "fetch", "not a name", "--to", scratch.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("'not a name' is not a model reference"), bad.stderr)
    }

    /// On a terminal the byte progress bar is redrawn in place on stderr; `script` (util-linux,
    /// Essential in Debian) gives the command a pseudo-terminal.
    func testAProgressBarIsDrawnOnATerminal() throws {
        let hub = try HubFixtureServer([try FixtureRepositories.tinyCLIP()])
        defer { hub.stop() }
        let command = ["HF_ENDPOINT=\(hub.endpoint)", StclipBinary.url.path, "model", "fetch", "test/tiny-clip", "--to", scratch.appendingPathComponent("t").path]
            .map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", "env " + command, "/dev/null"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let terminal = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, terminal)
        XCTAssertTrue(terminal.contains("\r[############################] 0.6/0.6 MiB"), terminal)
        XCTAssertTrue(terminal.contains("model.safetensors\u{1B}[K"), terminal)
    }
}
