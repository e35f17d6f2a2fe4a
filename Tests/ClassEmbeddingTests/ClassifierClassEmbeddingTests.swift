import Foundation
import STClipModels
import STClipRuntime
import STClipTestSupport
import XCTest

/// Scoring against precomputed class embeddings: in the `name` mode it must agree with scoring
/// against the class texts for every family (X-CLIP included, whose prompt generator sees the
/// raw text scale), and the other modes must still rank every class.
final class ClassifierClassEmbeddingTests: XCTestCase {
    static let families: [(String, String)] = [("clip", "tiny-p32"), ("xclip", "tiny-p32"), ("stas-clip", "tws")]
    let labels = ["playing guitar", "riding a bike", "dancing tango", "knitting"]

    /// Two views of random frames in the shape the model takes.
    func pixels(for model: LoadedModel, seed: UInt64) -> Tensor {
        let frames: Int
        switch model.network {
        case .clip: frames = 2
        case .xclip(let m): frames = m.config.frames
        case .stas(let m): frames = m.config.frames
        }
        let s = model.imageSize
        let shape = [2, frames, 3, s, s]
        return Tensor(shape: shape, values: randomValues(shape.reduce(1, *), seed: seed))
    }

    func testNameModeScoresLikeClassTextsInEveryFamily() throws {
        for (family, name) in Self.families {
            let model = try LoadedModel.load(directory: fixtureURL(family).appendingPathComponent(name).path)
            let classifier = Classifier(model: model)
            let video = pixels(for: model, seed: 7)
            let plain = try classifier.classify(pixels: video, labels: labels, topK: 3)
            let embeddings = try ClassTextEncoder(model: model).embeddings(for: labels.map { ClassDefinition(name: $0) }, mode: .name)
            let precomputed = try classifier.classify(pixels: video, classes: embeddings, topK: 3)
            assertClose(precomputed.scores, plain.scores, atol: 2e-5, "\(family) scores")
            assertClose(precomputed.logits, plain.logits, atol: 1e-4, "\(family) logits")
            XCTAssertEqual(precomputed.topK.map(\.label), plain.topK.map(\.label), family)
        }
    }

    func testEveryModeRanksEveryClass() throws {
        for (family, name) in Self.families {
            let model = try LoadedModel.load(directory: fixtureURL(family).appendingPathComponent(name).path)
            let classifier = Classifier(model: model)
            let encoder = ClassTextEncoder(model: model)
            let classes = labels.map { ClassDefinition(name: $0, descriptions: ["People watch someone \($0) on a stage.", "Hands and feet move while \($0)."]) }
            for mode in ClassEmbeddingMode.allCases {
                let result = try classifier.classify(pixels: pixels(for: model, seed: 3), classes: try encoder.embeddings(for: classes, mode: mode), topK: 10)
                XCTAssertEqual(Set(result.topK.map(\.label)), Set(labels), "\(family) \(mode)")
                XCTAssertEqual(result.scores.reduce(0, +), 1, accuracy: 1e-4, "\(family) \(mode): probabilities")
            }
        }
    }

    func testMismatchedEmbeddingsAreTypedErrors() throws {
        let model = try LoadedModel.load(directory: fixtureURL("clip").appendingPathComponent("tiny-p32").path)
        let classifier = Classifier(model: model)
        let video = pixels(for: model, seed: 1)
        let wide = Tensor(zeros: [2, model.embeddingDimension + 1])
        XCTAssertThrowsError(try classifier.classify(pixels: video, classEmbeddings: wide, labels: ["a", "b"], topK: 1)) {
            XCTAssertEqual($0 as? ClassEmbeddingError, .dimensionMismatch(expected: model.embeddingDimension, got: model.embeddingDimension + 1))
        }
        let two = Tensor(zeros: [2, model.embeddingDimension])
        XCTAssertThrowsError(try classifier.classify(pixels: video, classEmbeddings: two, labels: ["a"], topK: 1)) {
            XCTAssertEqual($0 as? ClassEmbeddingError, .labelCountMismatch(labels: 1, embeddings: 2))
        }
        XCTAssertThrowsError(try classifier.classify(pixels: video, classEmbeddings: two, labels: [], topK: 1)) {
            XCTAssertEqual($0 as? ClassEmbeddingError, .noClasses)
        }
    }
}
