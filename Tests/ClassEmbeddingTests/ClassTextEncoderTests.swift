import Dispatch
import Foundation
import STClipModels
import STClipRuntime
import STClipTestSupport
import XCTest

/// Class embeddings on the tiny fixture models: the mean of normalised text embeddings,
/// renormalised, per mode; computed once per model; scored like plain class texts.
final class ClassTextEncoderTests: XCTestCase {
    static let clip = try! LoadedModel.load(directory: fixtureURL("clip").appendingPathComponent("tiny-p32").path)

    let classes = [
        ClassDefinition(name: "abseiling", descriptions: [
            "A climber in a harness walks backward down a cliff on a rope.",
            "The rope runs through a friction device at the hip.",
        ]),
        ClassDefinition(name: "ApplyEyeMakeup", text: "applying eye makeup", descriptions: [
            "A brush moves along the eyelid in front of a mirror.",
            "Mascara darkens the lashes in a close-up of one eye.",
            "The head stays still while a hand makes tiny strokes.",
        ]),
        ClassDefinition(name: "brush_hair", text: "brushing hair"),
    ]

    func testTemplatesMustHoldOnePlaceholder() {
        XCTAssertThrowsError(try PromptTemplates([])) { XCTAssertEqual($0 as? ClassEmbeddingError, .invalidTemplate(template: "", detail: "no templates")) }
        XCTAssertThrowsError(try PromptTemplates(["a video of dancing."]))
        XCTAssertThrowsError(try PromptTemplates(["{} and {}"]))
        XCTAssertEqual(try PromptTemplates(["a video of a person {}."]).filled(with: "knitting"), ["a video of a person knitting."])
        XCTAssertTrue(PromptTemplates.standard.templates.count >= 4)
        XCTAssertTrue(PromptTemplates.standard.templates.contains("a video of a person {}."))
    }

    func testEachModeChoosesItsTexts() {
        let encoder = ClassTextEncoder(model: Self.clip)
        let templates = PromptTemplates.standard.filled(with: "applying eye makeup")
        XCTAssertEqual(encoder.texts(for: classes[1], mode: .name).texts, ["applying eye makeup"])
        XCTAssertEqual(encoder.texts(for: classes[1], mode: .templates).texts, templates)
        XCTAssertEqual(encoder.texts(for: classes[1], mode: .descriptions).texts, classes[1].descriptions)
        XCTAssertEqual(encoder.texts(for: classes[1], mode: .all).texts, templates + classes[1].descriptions)
        let fallback = encoder.texts(for: classes[2], mode: .descriptions)
        XCTAssertTrue(fallback.templateFallback)
        XCTAssertEqual(fallback.texts, PromptTemplates.standard.filled(with: "brushing hair"))
        XCTAssertFalse(encoder.texts(for: classes[2], mode: .all).templateFallback)
    }

    /// The definition itself, against the model's own text embeddings.
    func testAClassEmbeddingIsTheRenormalisedMeanOfNormalisedTextEmbeddings() throws {
        let encoder = ClassTextEncoder(model: Self.clip)
        for mode in ClassEmbeddingMode.allCases {
            let result = try encoder.embeddings(for: classes, mode: mode)
            XCTAssertEqual(result.mode, mode)
            XCTAssertEqual(result.names, classes.map(\.name))
            XCTAssertEqual(result.dimension, 16)
            XCTAssertEqual(result.templateFallbacks, mode == .descriptions ? ["brush_hair"] : [])
            for (row, c) in classes.enumerated() {
                let texts = encoder.texts(for: c, mode: mode).texts
                let raw = try Self.clip.textEmbeddings(texts)
                let unit = Similarity.normalized(raw)
                var mean = [Float](repeating: 0, count: 16)
                for t in 0..<texts.count { for i in 0..<16 { mean[i] += unit.data[t * 16 + i] / Float(texts.count) } }
                let length = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
                assertClose(Array(result.vectors[(row * 16)..<(row * 16 + 16)]), mean.map { $0 / length }, atol: 1e-5,
                            "\(mode) \(c.name)")
                let norms = (0..<texts.count).map { t in (0..<16).reduce(Float(0)) { $0 + raw.data[t * 16 + $1] * raw.data[t * 16 + $1] }.squareRoot() }
                XCTAssertEqual(result.norms[row], norms.reduce(0, +) / Float(norms.count), accuracy: 1e-4)
                XCTAssertEqual(result.textCounts[row], texts.count)
            }
        }
    }

    func testModesGiveDifferentEmbeddings() throws {
        let encoder = ClassTextEncoder(model: Self.clip)
        let name = try encoder.embeddings(for: classes, mode: .name).vectors
        let all = try encoder.embeddings(for: classes, mode: .all).vectors
        let gap = zip(name, all).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(gap, 1e-3, "descriptions and templates must move the class embedding")
    }

    func testTextsAreEncodedOncePerModel() throws {
        let cache = ClassEmbeddingCache()
        let encoder = ClassTextEncoder(model: Self.clip, cache: cache)
        let all = try encoder.embeddings(for: classes, mode: .all)
        let unique = Set(classes.flatMap { encoder.texts(for: $0, mode: .all).texts }).count
        XCTAssertEqual(encoder.encodedTextCount, unique)
        XCTAssertEqual(cache.textCount, unique)
        XCTAssertEqual(try encoder.embeddings(for: classes, mode: .all), all)
        XCTAssertEqual(encoder.encodedTextCount, unique, "a second request is served from the cache")
        _ = try encoder.embeddings(for: classes, mode: .templates)
        _ = try encoder.embeddings(for: classes, mode: .descriptions)
        XCTAssertEqual(encoder.encodedTextCount, unique, "templates and descriptions were all encoded for `all`")
        _ = try encoder.embeddings(for: classes, mode: .name)
        XCTAssertEqual(encoder.encodedTextCount, unique + 3, "the three bare class texts are new")

        let sameModel = ClassTextEncoder(model: Self.clip, cache: cache)
        XCTAssertEqual(try sameModel.embeddings(for: classes, mode: .all), all)
        XCTAssertEqual(sameModel.encodedTextCount, 0, "the cache is shared by model id")
        let otherModel = ClassTextEncoder(model: Self.clip, modelID: "another model", cache: cache)
        _ = try otherModel.embeddings(for: classes, mode: .all)
        XCTAssertEqual(otherModel.encodedTextCount, unique, "another model id encodes its own")
        cache.removeAll(modelID: "another model")
        XCTAssertEqual(cache.textCount, unique + 3)
    }

    func testConcurrentRequestsEncodeEachTextOnce() throws {
        let encoder = ClassTextEncoder(model: Self.clip)
        let results = ResultSlots<ClassEmbeddings>(count: 4)
        let classes = self.classes
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            results.set(i, Result { try encoder.embeddings(for: classes, mode: .all) })
        }
        let values = try results.values()
        XCTAssertTrue(values.allSatisfy { $0 == values[0] })
        XCTAssertEqual(encoder.encodedTextCount, Set(classes.flatMap { encoder.texts(for: $0, mode: .all).texts }).count)
    }

    func testBadClassListsAreTypedErrors() {
        let encoder = ClassTextEncoder(model: Self.clip)
        XCTAssertThrowsError(try encoder.embeddings(for: [], mode: .all)) { XCTAssertEqual($0 as? ClassEmbeddingError, .noClasses) }
        XCTAssertThrowsError(try encoder.embeddings(for: [classes[0], classes[0]], mode: .name)) {
            XCTAssertEqual($0 as? ClassEmbeddingError, .duplicateClassName("abseiling"))
        }
        XCTAssertThrowsError(try encoder.embeddings(for: [ClassDefinition(name: "x", text: "  ")], mode: .name)) {
            XCTAssertEqual($0 as? ClassEmbeddingError, .emptyClassText(name: "x"))
            XCTAssertTrue(String(describing: $0).contains("\"x\""))
        }
    }

    /// The stored form records the mode and refuses parts that do not fit together.
    func testStoredEmbeddingsRoundTripWithTheirMode() throws {
        let result = try ClassTextEncoder(model: Self.clip).embeddings(for: classes, mode: .descriptions)
        let data = try JSONEncoder().encode(result)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(json["mode"] as? String, "descriptions")
        XCTAssertEqual(json["model_id"] as? String, Self.clip.directory)
        XCTAssertEqual(json["template_fallbacks"] as? [String], ["brush_hair"])
        XCTAssertEqual(try JSONDecoder().decode(ClassEmbeddings.self, from: data), result)

        var damaged = json
        damaged["vectors"] = Array((json["vectors"] as! [Double]).dropLast())
        XCTAssertThrowsError(try JSONDecoder().decode(ClassEmbeddings.self, from: try JSONSerialization.data(withJSONObject: damaged))) {
            guard case DecodingError.dataCorrupted = $0 else { return XCTFail("\($0)") }
        }
    }
}
