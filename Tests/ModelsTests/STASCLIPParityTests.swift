import Foundation
import STClipModels
import STClipRuntime
import STClipTestSupport
import XCTest

/// Every ablation variant of the seed paper's model (Scripts/fixtures/make_stas_fixtures.py, from
/// the PyTorch reference in Training/stasclip) against its reference outputs: hidden states,
/// communication tokens, the end transformer, v, the text side, logits and the auxiliary head.
final class STASCLIPParityTests: XCTestCase {
    static let variants = ["none", "tc", "ts", "transformer", "tws", "tws-no-end", "tws-first-order", "tws-aux12", "frame-average"]

    func load(_ name: String) throws -> (ParityFixture, STASCLIPModel) {
        let f = try ParityFixture("stas-clip", name)
        guard case .stas(let m) = f.model.network else { throw XCTSkip("\(name) is not a stas-clip fixture") }
        return (f, m)
    }

    func testEveryVariantLayerByLayer() throws {
        for name in Self.variants {
            let (f, m) = try load(name)
            let out = try m.video(try f.expected("pixel_values"), recordHiddenStates: true)
            for (i, h) in out.hiddenStates.enumerated() { try f.compare(h, "vision.hidden_states.\(i)") }
            XCTAssertEqual(out.communication.count, m.config.communicationToken ? m.config.vision.layers : 0, name)
            for (i, c) in out.communication.enumerated() { try f.compare(c, "communication.\(i)") }
            try f.compare(out.frameEmbeds, "frame_embeds")
            try f.compare(out.videoEmbeds, "video_embeds")
            // The class-token-only last layer gives the same embeddings.
            let features = try m.videoFeatures(try f.expected("pixel_values"))
            try f.compare(features.frameEmbeds, "frame_embeds")
            try f.compare(features.videoEmbeds, "video_embeds")
            let text = try m.textFeatures(inputIDs: f.inputIDs, attentionMask: f.attentionMask)
            try f.compare(text, "text_embeds")
            try f.compare(m.logits(video: out.videoEmbeds, text: text), "logits_per_video")
        }
    }

    func testAuxiliaryHeads() throws {
        for name in Self.variants {
            let (f, m) = try load(name)
            let out = try m.video(try f.expected("pixel_values"))
            guard let aux = m.auxiliary(out) else {
                XCTAssertEqual(m.config.auxHead, .none, name)
                continue
            }
            try f.compare(aux.tokens, "aux.tokens")
            try f.compare(aux.pooled, "aux.pooled")
            try f.compare(aux.probabilities, "aux.probs")
        }
    }

    func testFrameAverageBaselineIsTheMeanOfFrameEmbeddings() throws {
        let (f, m) = try load("frame-average")
        let out = try m.video(try f.expected("pixel_values"))
        let b = out.videoEmbeds.shape[0], p = out.videoEmbeds.shape[1], t = m.config.frames
        for clip in 0..<b {
            for i in 0..<p {
                let mean = (0..<t).map { out.frameEmbeds.data[(clip * t + $0) * p + i] }.reduce(0, +) / Float(t)
                XCTAssertEqual(out.videoEmbeds.data[clip * p + i], mean, accuracy: 1e-6)
            }
        }
    }
}

extension STASCLIPParityTests {
    func testClosedSetHeadThroughTheClassifier() throws {
        let (f, _) = try load("tws")
        let pixels = try f.expected("pixel_values"), probs = try f.expected("aux.probs")   // (B, …), (B, K)
        let classifier = Classifier(model: f.model)
        let k = probs.shape[1]
        for clip in 0..<pixels.shape[0] {
            let result = try classifier.classifyClosedSet(pixels: pixels.rows(clip..<(clip + 1)), topK: k)
            assertClose(result.scores, Array(probs.buffer[(clip * k)..<(clip * k + k)]), atol: 1e-6, "closed-set scores clip \(clip)")
            XCTAssertEqual(Set(result.topK.map(\.label)), Set(classifier.closedSetLabels ?? []))
        }
        let (plain, _) = try load("frame-average")
        XCTAssertNil(Classifier(model: plain.model).closedSetLabels)
        XCTAssertThrowsError(try Classifier(model: plain.model).classifyClosedSet(pixels: try plain.expected("pixel_values"), topK: 1))
    }
}
