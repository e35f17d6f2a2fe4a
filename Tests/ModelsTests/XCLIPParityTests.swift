import Foundation
import STClipModels
import STClipRuntime
import STClipTestSupport
import XCTest

/// Tiny random `XCLIPModel`s (Scripts/fixtures/make_xclip_fixtures.py) against transformers:
/// every vision layer, the MIT, the prompt generator's input and output, and the logits.
final class XCLIPParityTests: XCTestCase {
    static let fixtures = ["tiny-p32", "tiny-p16-odd"]

    func load(_ name: String) throws -> (ParityFixture, XCLIPModel) {
        let f = try ParityFixture("xclip", name)
        guard case .xclip(let m) = f.model.network else { throw XCTSkip("\(name) is not an X-CLIP fixture") }
        return (f, m)
    }

    func testVideoSideLayerByLayer() throws {
        for name in Self.fixtures {
            let (f, m) = try load(name)
            let out = try m.video(try f.expected("pixel_values"), recordHiddenStates: true)
            XCTAssertEqual(out.hiddenStates.count, m.config.vision.layers + 1)
            for (i, h) in out.hiddenStates.enumerated() { try f.compare(h, "vision.hidden_states.\(i)") }
            try f.compare(out.frameEmbeds, "frame_embeds")
            try f.compare(out.mitTokens, "mit.output")
            try f.compare(out.videoEmbeds, "video_embeds")
            // get_video_features through the class-token-only last layer.
            let features = try m.videoFeatures(try f.expected("pixel_values"))
            try f.compare(features.frameEmbeds, "frame_embeds")
            try f.compare(features.videoEmbeds, "video_embeds")
            try f.compare(m.promptVisual(out), "prompt.visual_tokens")
        }
    }

    func testTextPromptsAndLogits() throws {
        for name in Self.fixtures {
            let (f, m) = try load(name)
            XCTAssertEqual(f.model.tokenize(f.texts).inputIDs, f.inputIDs, name)
            let text = try m.textFeatures(inputIDs: f.inputIDs, attentionMask: f.attentionMask)
            try f.compare(text, "text_embeds")
            let video = try m.video(try f.expected("pixel_values"))
            let prompted = m.promptedText(text, visual: m.promptVisual(video))
            try f.compare(prompted, "text_embeds_per_video")
            try f.compare(m.logits(video: video.videoEmbeds, textPerVideo: prompted), "logits_per_video")
        }
    }

    func testClassifierAgreesWithTheReferenceLogits() throws {
        let (f, _) = try load("tiny-p32")
        let pixels = try f.expected("pixel_values")                 // (B, T, 3, S, S): B clips
        let logits = try f.expected("logits_per_video")             // (B, C)
        let c = logits.shape[1]
        let classifier = Classifier(model: f.model)
        for clip in 0..<pixels.shape[0] {
            let result = try classifier.classify(pixels: pixels.rows(clip..<(clip + 1)), labels: f.texts, topK: c)
            assertClose(result.logits, Array(logits.buffer[(clip * c)..<(clip * c + c)]), atol: 2e-5, "classifier logits clip \(clip)")
            XCTAssertEqual(result.scores.reduce(0, +), 1, accuracy: 1e-5)
            XCTAssertEqual(result.topK.map(\.score), result.topK.map(\.score).sorted(by: >))
        }
    }

    func testWrongFrameCountIsATypedError() throws {
        let (f, m) = try load("tiny-p32")
        let pixels = try f.expected("pixel_values")
        let s = m.config.vision.imageSize
        XCTAssertThrowsError(try m.video(Tensor(zeros: [1, pixels.shape[1] + 1, 3, s, s]))) { error in
            guard case ModelError.badInputShape(name: "pixel_values", _, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try m.videoFeatures(Tensor(zeros: [1, pixels.shape[1] + 1, 3, s, s]))) { error in
            guard case ModelError.badInputShape(name: "pixel_values", _, _) = error else { return XCTFail("\(error)") }
        }
    }
}
