import Foundation
import STClipCheckpoint
import STClipModels
import STClipRuntime
import STClipTestSupport
import XCTest

/// The tiny random CLIP checkpoints of `Scripts/fixtures/make_clip_fixtures.py` against the outputs
/// transformers computed from the same weights: every hidden state, the pooled tokens, the
/// projected embeddings and the logits. Each comparison prints its max abs error.
final class CLIPParityTests: XCTestCase {
    static let fixtures = ["tiny-p32", "tiny-p16-odd", "tiny-legacy-eos"]

    /// A CLIP fixture and its network.
    struct Fixture {
        let parity: ParityFixture
        let clip: CLIPModel
        var model: LoadedModel { parity.model }
        var texts: [String] { parity.texts }
        var inputIDs: [[Int]] { parity.inputIDs }
        var attentionMask: [[Int]] { parity.attentionMask }

        init(_ name: String) throws {
            parity = try ParityFixture("clip", name)
            guard case .clip(let clip) = parity.model.network else { throw XCTSkip("not a CLIP fixture") }
            self.clip = clip
        }

        func expected(_ name: String) throws -> Tensor { try parity.expected(name) }
    }

    func compare(_ actual: Tensor, _ expected: Tensor, _ what: String) {
        XCTAssertEqual(actual.shape, expected.shape, "\(what): shape")
        assertClose(actual.toArray(), expected.toArray(), atol: ParityFixture.atol, rtol: ParityFixture.rtol, what)
    }

    func testTokenizerMatchesTransformersOnTheTinyVocabulary() throws {
        for name in Self.fixtures {
            let f = try Fixture(name)
            let batch = f.model.tokenize(f.texts)
            XCTAssertEqual(batch.inputIDs, f.inputIDs, name)
            XCTAssertEqual(batch.attentionMask, f.attentionMask, name)
        }
    }

    func testVisionTowerLayerByLayer() throws {
        for name in Self.fixtures {
            let f = try Fixture(name)
            let out = try f.clip.vision.forward(try f.expected("pixel_values"), recordHiddenStates: true)
            XCTAssertEqual(out.hiddenStates.count, f.clip.config.vision.layers + 1)
            for (i, h) in out.hiddenStates.enumerated() {
                compare(h, try f.expected("vision.hidden_states.\(i)"), "\(name) vision hidden_states[\(i)]")
            }
            compare(out.lastHiddenState, try f.expected("vision.last_hidden_state"), "\(name) vision last_hidden_state")
            compare(out.pooled, try f.expected("vision.pooled"), "\(name) vision pooler_output")
            // The class-token-only last layer gives the same pooled output.
            compare(try f.clip.vision.pooled(try f.expected("pixel_values")), try f.expected("vision.pooled"),
                    "\(name) vision pooled (class tokens only)")
        }
    }

    func testTextTowerLayerByLayerWithPaddingAndPooling() throws {
        for name in Self.fixtures {
            let f = try Fixture(name)
            let out = try f.clip.text.forward(inputIDs: f.inputIDs, attentionMask: f.attentionMask, recordHiddenStates: true)
            XCTAssertEqual(out.hiddenStates.count, f.clip.config.text.layers + 1)
            for (i, h) in out.hiddenStates.enumerated() {
                compare(h, try f.expected("text.hidden_states.\(i)"), "\(name) text hidden_states[\(i)]")
            }
            compare(out.lastHiddenState, try f.expected("text.last_hidden_state"), "\(name) text last_hidden_state")
            compare(out.pooled, try f.expected("text.pooled"), "\(name) text pooler_output")
            // The pooled-token-only last layer gives the same pooled output, padding and causal mask included.
            compare(try f.clip.text.pooled(inputIDs: f.inputIDs, attentionMask: f.attentionMask), try f.expected("text.pooled"),
                    "\(name) text pooled (pooled tokens only)")
        }
    }

    func testProjectedEmbeddingsVideoMeanAndLogits() throws {
        for name in Self.fixtures {
            let f = try Fixture(name)
            let pixels = try f.expected("pixel_values")
            let image = try f.clip.imageFeatures(pixels)
            compare(image, try f.expected("image_embeds"), "\(name) image_embeds")
            let text = try f.model.textEmbeddings(f.texts)
            compare(text, try f.expected("text_embeds"), "\(name) text_embeds")
            compare(try f.model.videoEmbeddings(pixels: pixels).video, try f.expected("video_embeds"), "\(name) video mean")
            compare(f.clip.logits(imageFeatures: image, textFeatures: text), try f.expected("logits_per_image"), "\(name) logits_per_image")
        }
    }

    func testBadInputsAreTypedErrors() throws {
        let f = try Fixture("tiny-p32")
        let size = f.clip.config.vision.imageSize
        XCTAssertThrowsError(try f.clip.vision.forward(Tensor(zeros: [2, 3, size + 1, size]))) { error in
            guard case ModelError.badInputShape(name: "pixel_values", _, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try f.clip.text.forward(inputIDs: [[1, 999_999]])) { error in
            guard case ModelError.badInputShape(name: "input_ids", _, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try f.clip.text.forward(inputIDs: [[1, 2], [1]])) { error in
            guard case ModelError.badInputShape(name: "input_ids", _, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try f.clip.text.forward(inputIDs: [[1, 2]], attentionMask: [[1]])) { error in
            guard case ModelError.badInputShape(name: "attention_mask", _, _) = error else { return XCTFail("\(error)") }
        }
    }
}
