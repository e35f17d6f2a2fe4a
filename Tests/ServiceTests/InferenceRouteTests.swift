import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import STClipModels
@testable import STClipService
import XCTest

private let labels = #"{"labels": [{"label": "playing guitar"}, {"label": "dancing"}, {"label": "swimming"}]}"#

/// Classification and text embeddings in process, with the tiny CLIP fixture model.
final class InferenceRouteTests: XCTestCase {

    func testClassifyRawBody() async throws {
        let video = try TestVideos.mp4()
        let core = try ServiceHarness.core()
        try await ServiceHarness.application(core).test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", labels)
            let response = try await client.classify(video, query: "labelset=actions&top_k=2", headers: [.init("X-Request-ID")!: "abc-123"])
            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
            let o = response.object
            XCTAssertEqual(o["request_id"] as? String, "abc-123")
            XCTAssertEqual(response.headers[.init("X-Request-ID")!], "abc-123")
            XCTAssertEqual((o["model"] as? [String: Any])?["id"] as? String, ServiceHarness.clipEngine.info.id)
            XCTAssertEqual((o["labelset"] as? [String: Any])?["version"] as? Int, 1)
            let top = o["top_k"] as? [[String: Any]] ?? []
            XCTAssertEqual(top.count, 2)
            let scores = top.compactMap { $0["score"] as? Double }
            XCTAssertEqual(scores, scores.sorted(by: >))
            for entry in top {
                let similarity = try XCTUnwrap(entry["similarity"] as? Double)
                XCTAssertTrue((-1.0001...1.0001).contains(similarity))
            }
            XCTAssertEqual(o["frames"] as? Int, 8)
            let sampled = o["sampled"] as? [[String: Any]]
            XCTAssertEqual(sampled?.count, 1)
            XCTAssertEqual((sampled?.first?["timestamps"] as? [Double])?.count, 8)
            let timings = try XCTUnwrap(o["timings_ms"] as? [String: Double])
            XCTAssertEqual(Set(timings.keys), ["queue", "decode", "inference", "total"])
            XCTAssertGreaterThan(timings["decode"]!, 0)
        }
    }

    /// The service's answer is the Classifier's for the same frames and labels: stored
    /// embeddings and the similarity (logit / exp(logit_scale)) do not change the ranking.
    func testClassifyMatchesTheClassifier() async throws {
        let video = try TestVideos.mp4()
        let engine = ServiceHarness.clipEngine
        let sample = try engine.sample(.data(video), options: .init(frames: 8), timeBudget: 60)
        let model = try LoadedModel.load(directory: ServiceHarness.clipModel)
        let expected = try Classifier(model: model).classify(pixels: sample.pixels, labels: ["playing guitar", "dancing", "swimming"], topK: 3)
        guard case .clip(let clip) = model.network else { return XCTFail("not CLIP") }
        let core = try ServiceHarness.core()
        try await ServiceHarness.application(core).test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", labels)
            let top = try await client.classify(video, query: "labelset=actions&top_k=3").object["top_k"] as? [[String: Any]] ?? []
            XCTAssertEqual(top.map { $0["label"] as? String }, expected.topK.map(\.label))
            for (entry, want) in zip(top, expected.topK) {
                XCTAssertEqual(entry["score"] as? Double ?? .nan, Double(want.score), accuracy: 1e-5)
                XCTAssertEqual(entry["similarity"] as? Double ?? .nan, Double(want.logit) / exp(Double(clip.logitScale)), accuracy: 1e-5)
            }
        }
    }

    func testClassifyMultipartAndViews() async throws {
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(try ServiceHarness.core()).test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", labels)
            let boundary = "stclip-boundary-42"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\nContent-Type: video/mp4\r\n\r\n".utf8)
            body += video + Data("\r\n--\(boundary)--\r\n".utf8)
            let response = try await client.classify(body, query: "labelset=actions&views=4x3&frames=4",
                                                     contentType: "multipart/form-data; boundary=\(boundary)")
            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
            XCTAssertEqual(response.object["views"] as? String, "4x3")
            XCTAssertEqual((response.object["sampled"] as? [Any])?.count, 12)
            XCTAssertEqual(response.object["frames"] as? Int, 4)

            let noFile = "--\(boundary)\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--\(boundary)--\r\n"
            expectEqual(try await client.classify(Data(noFile.utf8), query: "labelset=actions",
                                                     contentType: "multipart/form-data; boundary=\(boundary)").problem, "bad-request")
            expectEqual(try await client.classify(Data("garbage".utf8), query: "labelset=actions",
                                                     contentType: "multipart/form-data").problem, "bad-request")
        }
    }

    func testClassifyRejectsBadRequests() async throws {
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(try ServiceHarness.core()).test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", labels)
            try await client.json(.put, "/v1/labelsets/empty", #"{"labels": []}"#)
            let cases: [(String, String, String, HTTPResponse.Status)] = [
                ("", "video/mp4", "invalid-parameter", .badRequest),
                ("labelset=actions&top_k=0", "video/mp4", "invalid-parameter", .badRequest),
                ("labelset=actions&top_k=101", "video/mp4", "invalid-parameter", .badRequest),
                ("labelset=actions&top_k=two", "video/mp4", "invalid-parameter", .badRequest),
                ("labelset=actions&views=2x2", "video/mp4", "invalid-parameter", .badRequest),
                ("labelset=actions&frames=0", "video/mp4", "invalid-parameter", .badRequest),
                ("labelset=actions&frames=65", "video/mp4", "invalid-parameter", .badRequest),
                ("labelset=bad/name", "video/mp4", "invalid-parameter", .badRequest),
                ("labelset=missing", "video/mp4", "label-set-not-found", .notFound),
                ("labelset=empty", "video/mp4", "label-set-empty", .unprocessableContent),
                ("labelset=actions", "text/plain", "unsupported-media-type", .unsupportedMediaType),
                ("labelset=actions", "video/", "unsupported-media-type", .unsupportedMediaType),
            ]
            for (query, type, problem, status) in cases {
                let response = try await client.classify(video, query: query, contentType: type)
                XCTAssertEqual(response.problem, problem, "\(query) \(type): \(String(buffer: response.body))")
                XCTAssertEqual(response.status, status, query)
            }
            let notVideo = try await client.classify(Data("this is not a video".utf8), query: "labelset=actions")
            XCTAssertEqual(notVideo.status, .unprocessableContent)
            XCTAssertEqual(notVideo.problem, "unprocessable-video")
            expectEqual(try await client.classify(Data(), query: "labelset=actions").problem, "bad-request")
            let truncated = try await client.classify(video.prefix(video.count / 3), query: "labelset=actions")
            XCTAssertEqual(truncated.status, .unprocessableContent, String(buffer: truncated.body))
        }
    }

    func testBodyLimitIs413() async throws {
        let video = try TestVideos.mp4()
        let core = try ServiceHarness.core(ServiceHarness.configuration { $0.maxBodyBytes = 1000 })
        try await ServiceHarness.application(core).test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", labels)
            let response = try await client.classify(video, query: "labelset=actions")
            XCTAssertEqual(response.status, .contentTooLarge)
            XCTAssertEqual(response.problem, "payload-too-large")
        }
    }

    func testFixedFrameModelsRefuseOtherFrameCounts() async throws {
        let engine = try ModelEngine(directory: ServiceHarness.fixtures.appendingPathComponent("xclip/tiny-p32").path,
                                     limits: .init(), decoderThreads: 1)
        let frames = try XCTUnwrap(engine.info.fixedFrames)
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(try ServiceHarness.core(engine: engine)).test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", labels)
            let wrong = try await client.classify(video, query: "labelset=actions&frames=\(frames + 1)")
            XCTAssertEqual(wrong.problem, "unsupported-frames")
            let right = try await client.classify(video, query: "labelset=actions")
            XCTAssertEqual(right.status, .ok, String(buffer: right.body))
            XCTAssertEqual(right.object["frames"] as? Int, frames)
            XCTAssertEqual((right.object["model"] as? [String: Any])?["type"] as? String, "xclip")
        }
    }

    func testTextEmbeddingsAreNormalised() async throws {
        try await ServiceHarness.application(try ServiceHarness.core()).test(.router) { client in
            let response = try await client.json(.post, "/v1/embeddings/text", #"{"texts": ["a person dancing", "swimming", "a person dancing"]}"#)
            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
            let dimension = try XCTUnwrap(response.object["dimension"] as? Int)
            XCTAssertEqual(dimension, ServiceHarness.clipEngine.info.embeddingDimension)
            let vectors = try XCTUnwrap(response.object["embeddings"] as? [[Double]])
            XCTAssertEqual(vectors.count, 3)
            for v in vectors {
                XCTAssertEqual(v.count, dimension)
                XCTAssertEqual(v.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-4)
            }
            XCTAssertEqual(vectors[0], vectors[2])
            XCTAssertNotEqual(vectors[0], vectors[1])
            expectEqual(try await client.json(.post, "/v1/embeddings/text", #"{"texts": []}"#).problem, "invalid-body")
            expectEqual(try await client.json(.post, "/v1/embeddings/text", #"{"texts": [1]}"#).problem, "invalid-body")
            expectEqual(try await client.json(.post, "/v1/embeddings/text", "[]").problem, "invalid-body")
        }
    }

    /// Class embeddings are computed when a set is written and read back from the store after.
    func testEmbeddingsAreStoredWithTheModelID() async throws {
        let core = try ServiceHarness.core()
        let engine = ServiceHarness.clipEngine
        let key: @Sendable (String) -> String = { engine.embeddingKey(for: ClassDefinition(name: $0), mode: .name) }
        try await ServiceHarness.application(core).test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", labels)
            let stored = try await core.catalog.store.embeddings(modelID: engine.info.id,
                                                                 keys: ["playing guitar", "dancing", "swimming", "absent"].map(key))
            XCTAssertEqual(Set(stored.keys), Set(["playing guitar", "dancing", "swimming"].map(key)))
            // In the `name` mode a class embedding is the label's own text embedding.
            let computed = try engine.textEmbeddings(["dancing"])[0]
            let dancing = try XCTUnwrap(stored[key("dancing")])
            XCTAssertEqual(dancing.count, computed.count)
            for (a, b) in zip(dancing, computed) { XCTAssertEqual(a, b, accuracy: 1e-4) }
            expectEqual(try await core.catalog.store.embeddings(modelID: "sha256:other", keys: [key("dancing")]), [:])
        }
    }

    /// A set made with another embedding mode embeds its descriptions and prompt templates: the
    /// stored key says so, and a description changes the class embedding.
    func testEmbeddingModes() async throws {
        let core = try ServiceHarness.core()
        let engine = ServiceHarness.clipEngine
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(core).test(.router) { client in
            let body = #"{"embedding_mode": "all", "labels": [{"label": "dancing", "descriptions": ["feet moving to music"]}, {"label": "swimming"}]}"#
            let created = try await client.json(.put, "/v1/labelsets/rich", body)
            XCTAssertEqual(created.status, .created, String(buffer: created.body))
            XCTAssertEqual(created.object["embedding_mode"] as? String, "all")
            let response = try await client.classify(video, query: "labelset=rich")
            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
            let dancing = ClassDefinition(name: "dancing", descriptions: ["feet moving to music"])
            let allKey = engine.embeddingKey(for: dancing, mode: .all)
            XCTAssertTrue(allKey.hasPrefix("all:"))
            XCTAssertNotEqual(allKey, engine.embeddingKey(for: ClassDefinition(name: "dancing"), mode: .all))
            let stored = try await core.catalog.store.embeddings(modelID: engine.info.id, keys: [allKey])
            let expected = try engine.classEmbeddings([dancing], mode: .all)[0]
            XCTAssertEqual(stored[allKey]?.count, expected.count)
            for (a, b) in zip(stored[allKey] ?? [], expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
            expectEqual(try await client.json(.put, "/v1/labelsets/bad", #"{"embedding_mode": "words", "labels": []}"#).problem, "invalid-body")
            expectEqual(try await client.json(.put, "/v1/labelsets/bad", #"{"embedding_mode": null, "labels": []}"#).problem, "invalid-body")
            let added = try await client.json(.post, "/v1/labelsets/rich/labels", #"{"label": "rowing", "descriptions": ["oars"]}"#)
            XCTAssertEqual(added.status, .created)
            expectEqual(try await core.catalog.store.embeddings(modelID: engine.info.id,
                                                                 keys: [engine.embeddingKey(for: ClassDefinition(name: "rowing", descriptions: ["oars"]),
                                                                                             mode: .all)]).count, 1)
        }
    }

    /// The shipped label sets (Kinetics-400, UCF101, ...) are served read-only in the `all` mode.
    func testShippedLabelSets() async throws {
        let shipped = try ShippedLabelSets.load()
        XCTAssertEqual(Set(shipped.keys), ["kinetics400", "minikinetics200", "ucf101", "hmdb51"])
        XCTAssertEqual(shipped["kinetics400"]?.labels.count, 400)
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(try ServiceHarness.core(builtins: shipped)).test(.router) { client in
            let hmdb = try await client.execute(uri: "/v1/labelsets/hmdb51", method: .get)
            XCTAssertEqual(hmdb.status, .ok)
            XCTAssertEqual(hmdb.object["builtin"] as? Bool, true)
            XCTAssertEqual(hmdb.object["embedding_mode"] as? String, "all")
            XCTAssertEqual((hmdb.object["labels"] as? [Any])?.count, 51)
            let response = try await client.classify(video, query: "labelset=hmdb51&top_k=3")
            XCTAssertEqual(response.status, .ok, String(buffer: response.body))
            XCTAssertEqual((response.object["top_k"] as? [Any])?.count, 3)
            expectEqual(try await client.json(.post, "/v1/labelsets/ucf101/labels", #"{"label": "x"}"#).problem, "label-set-read-only")
        }
    }
}
