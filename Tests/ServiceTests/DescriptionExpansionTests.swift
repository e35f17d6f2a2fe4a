import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import STClipModels
import STClipPrompts
@testable import STClipService
import STClipTestSupport
import XCTest

/// Runtime expansion through the service: labels registered without descriptions into a set
/// that uses them are described by a chat-completions endpoint (a loopback server here), the
/// answers cached in the label store, and every failure registered with its templates and
/// reported.
final class DescriptionExpansionTests: XCTestCase {
    static let question = "What are useful visual features for distinguishing {} in a video?"

    /// The class text a chat-completions request asks about.
    static func classText(of request: LoopbackChatServer.Request) -> String {
        let question = request.question ?? ""
        let prefix = "What are useful visual features for distinguishing ", suffix = " in a video?"
        guard question.hasPrefix(prefix), question.hasSuffix(suffix) else { return "" }
        return String(question.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// The two descriptions the describing server gives of `text`.
    static func descriptions(of text: String) -> [String] {
        ["A person is \(text) with steady, repeated arm movements.", "The scene shows the equipment used for \(text) in full view."]
    }

    /// An endpoint that describes every class in two lines, after `delay` seconds.
    static func describingServer(delay: Double = 0) throws -> LoopbackChatServer {
        try LoopbackChatServer { request in
            var response = LoopbackChatServer.Response.completion(descriptions(of: classText(of: request)).joined(separator: "\n"))
            response.delay = delay
            return response
        }
    }

    static func llm(_ server: LoopbackChatServer, timeout: Double = 5) -> LLMConfiguration {
        LLMConfiguration(baseURL: server.baseURL, model: "test-llm", apiKey: "sk-test", timeout: timeout)
    }

    /// A ready core with the tiny CLIP model asking `llm`, on `store` (a fresh SQLite one when nil).
    static func core(_ llm: LLMConfiguration?, store: (any LabelStore)? = nil,
                     _ edit: (inout ServiceConfiguration) -> Void = { _ in }) throws -> ServiceCore {
        try ServiceHarness.core(ServiceHarness.configuration {
            $0.languageModel = llm
            edit(&$0)
        }, store: store)
    }

    static func sqliteStore() throws -> SQLiteLabelStore {
        try SQLiteLabelStore(path: ServiceHarness.temporaryDirectory().appendingPathComponent("labels.sqlite").path)
    }

    /// The labels of a label set answer, by label.
    static func labels(_ response: TestResponse) -> [String: [String: Any]] {
        let list = response.object["labels"] as? [[String: Any]] ?? []
        return Dictionary(list.map { ($0["label"] as? String ?? "", $0) }) { first, _ in first }
    }

    static func source(_ label: [String: Any]?) -> String? { label?["description_source"] as? String }
    static func fallbackCode(_ label: [String: Any]?) -> String? { (label?["fallback_reason"] as? [String: Any])?["code"] as? String }
    static func fallbackDetail(_ label: [String: Any]?) -> String { (label?["fallback_reason"] as? [String: Any])?["detail"] as? String ?? "" }

    // MARK: - Answers

    func testLabelsWithoutDescriptionsAreDescribedStoredAndReported() async throws {
        let server = try Self.describingServer()
        defer { server.stop() }
        let core = try Self.core(Self.llm(server))
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(core).test(.router) { client in
            let created = try await client.json(.put, "/v1/labelsets/actions", """
                {"embedding_mode": "all", "labels": [{"label": "juggling"}, {"label": "dancing", "descriptions": ["A person dancing."]}]}
                """)
            XCTAssertEqual(created.status, .created, String(buffer: created.body))
            let labels = Self.labels(created)
            XCTAssertEqual(labels["juggling"]?["descriptions"] as? [String], Self.descriptions(of: "juggling"))
            XCTAssertEqual(Self.source(labels["juggling"]), "llm")
            XCTAssertNil(labels["juggling"]?["fallback_reason"])
            XCTAssertEqual(labels["dancing"]?["descriptions"] as? [String], ["A person dancing."])
            XCTAssertEqual(Self.source(labels["dancing"]), "client")

            // One question, the paper's, about the label that came without descriptions.
            XCTAssertEqual(server.requests.map(Self.classText), ["juggling"])
            XCTAssertEqual(server.requests.first?.question, Self.question.replacingOccurrences(of: "{}", with: "juggling"))
            XCTAssertEqual(server.requests.first?.headers["authorization"], "Bearer sk-test")

            // Stored as the label's descriptions (reads do not repeat where they came from) and cached.
            let read = try await client.execute(uri: "/v1/labelsets/actions", method: .get)
            let stored = Self.labels(read)
            XCTAssertEqual(stored["juggling"]?["descriptions"] as? [String], Self.descriptions(of: "juggling"))
            XCTAssertNil(stored["juggling"]?["description_source"])
            expectEqual(try await core.catalog.store.cachedDescriptions(llmModel: "test-llm", classTexts: ["juggling", "dancing"]),
                        ["juggling": Self.descriptions(of: "juggling")])

            // The class embedding stored averages the templates and the answer: an `all` one.
            let key = ServiceHarness.clipEngine.embeddingKey(
                for: ClassDefinition(name: "juggling", descriptions: Self.descriptions(of: "juggling")), mode: .all)
            XCTAssertTrue(key.hasPrefix("all:"), key)
            expectEqual(try await core.catalog.store.embeddings(modelID: ServiceHarness.clipEngine.info.id, keys: [key]).count, 1)

            // One more label through POST: asked too, and reported on that label alone.
            let added = try await client.json(.post, "/v1/labelsets/actions/labels", #"{"label": "rowing"}"#)
            XCTAssertEqual(added.status, .created, String(buffer: added.body))
            let afterAdd = Self.labels(added)
            XCTAssertEqual(Self.source(afterAdd["rowing"]), "llm")
            XCTAssertEqual(afterAdd["rowing"]?["descriptions"] as? [String], Self.descriptions(of: "rowing"))
            XCTAssertNil(afterAdd["juggling"]?["description_source"], "only the registered label says where its descriptions came from")
            XCTAssertEqual(server.requests.count, 2)

            let classified = try await client.classify(video, query: "labelset=actions&top_k=3")
            XCTAssertEqual(classified.status, .ok, String(buffer: classified.body))
            XCTAssertEqual((classified.object["top_k"] as? [[String: Any]])?.count, 3)
        }
    }

    /// Another registration of the same class text, even by a fresh process on the same store,
    /// takes the cached answer and asks nothing.
    func testTheSameClassTextIsAskedOnce() async throws {
        let server = try Self.describingServer()
        defer { server.stop() }
        let store = try Self.sqliteStore()
        try await ServiceHarness.application(try Self.core(Self.llm(server), store: store)).test(.router) { client in
            let first = try await client.json(.put, "/v1/labelsets/a", #"{"embedding_mode": "all", "labels": [{"label": "juggling"}]}"#)
            XCTAssertEqual(Self.source(Self.labels(first)["juggling"]), "llm")
        }
        XCTAssertEqual(server.requests.count, 1)

        try await ServiceHarness.application(try Self.core(Self.llm(server), store: store)).test(.router) { client in
            let second = try await client.json(.put, "/v1/labelsets/b",
                                               #"{"embedding_mode": "descriptions", "labels": [{"label": "juggling"}, {"label": "surfing"}]}"#)
            XCTAssertEqual(second.status, .created, String(buffer: second.body))
            let labels = Self.labels(second)
            XCTAssertEqual(Self.source(labels["juggling"]), "llm-cache")
            XCTAssertEqual(labels["juggling"]?["descriptions"] as? [String], Self.descriptions(of: "juggling"))
            XCTAssertEqual(Self.source(labels["surfing"]), "llm")
            XCTAssertEqual(server.requests.map(Self.classText), ["juggling", "surfing"], "only surfing was asked the second time")

            let again = try await client.json(.post, "/v1/labelsets/a/labels", #"{"label": "surfing"}"#)
            XCTAssertEqual(Self.source(Self.labels(again)["surfing"]), "llm-cache")
            XCTAssertEqual(server.requests.count, 2)
        }

        // Another language model is asked for itself.
        var other = Self.llm(server)
        other.model = "other-llm"
        try await ServiceHarness.application(try Self.core(other, store: store)).test(.router) { client in
            let third = try await client.json(.put, "/v1/labelsets/c", #"{"embedding_mode": "all", "labels": [{"label": "juggling"}]}"#)
            XCTAssertEqual(Self.source(Self.labels(third)["juggling"]), "llm")
            XCTAssertEqual(server.requests.count, 3)
        }
    }

    /// Two registrations of one class text at once in one process: one asks, the other waits
    /// for its answer.
    func testConcurrentRegistrationsShareOneQuestion() async throws {
        let server = try Self.describingServer(delay: 0.5)
        defer { server.stop() }
        let app = ServiceHarness.application(try Self.core(Self.llm(server)))
        try await app.test(.router) { client in
            let sources = try await withThrowingTaskGroup(of: String?.self) { group in
                for name in ["first", "second"] {
                    group.addTask {
                        let response = try await client.json(.put, "/v1/labelsets/\(name)", #"{"embedding_mode": "all", "labels": [{"label": "juggling"}]}"#)
                        XCTAssertEqual(response.status, .created, String(buffer: response.body))
                        return Self.source(Self.labels(response)["juggling"])
                    }
                }
                var out: [String?] = []
                for try await source in group { out.append(source) }
                return out
            }
            XCTAssertEqual(sources.compactMap { $0 }.sorted(), ["llm", "llm-cache"])
            XCTAssertEqual(server.requests.count, 1)
        }
    }

    func testAskingIsLimitedToTheConfiguredConcurrency() async throws {
        let server = try Self.describingServer(delay: 0.3)
        defer { server.stop() }
        let core = try Self.core(Self.llm(server)) { $0.languageModelConcurrency = 2 }
        try await ServiceHarness.application(core).test(.router) { client in
            let names = ["juggling", "rowing", "surfing", "knitting", "skiing", "boxing"]
            let body = #"{"embedding_mode": "descriptions", "labels": ["# + names.map { #"{"label": "\#($0)"}"# }.joined(separator: ", ") + "]}"
            let response = try await client.json(.put, "/v1/labelsets/sports", body)
            XCTAssertEqual(response.status, .created, String(buffer: response.body))
            XCTAssertEqual(Set(Self.labels(response).values.map { Self.source($0) }), ["llm"])
        }
        XCTAssertEqual(server.requests.count, 6)
        XCTAssertEqual(server.mostConcurrentRequests, 2, "two questions at a time, never more")
    }

    /// Modes that do not use descriptions ask for none.
    func testNameAndTemplatesModesAskNothing() async throws {
        let server = try Self.describingServer()
        defer { server.stop() }
        try await ServiceHarness.application(try Self.core(Self.llm(server))).test(.router) { client in
            let named = try await client.json(.put, "/v1/labelsets/named", #"{"labels": [{"label": "juggling"}, {"label": "rowing", "descriptions": ["Oars pull."]}]}"#)
            XCTAssertEqual(named.status, .created)
            XCTAssertEqual(Self.source(Self.labels(named)["juggling"]), "none")
            XCTAssertNil(Self.labels(named)["juggling"]?["fallback_reason"])
            XCTAssertEqual(Self.labels(named)["juggling"]?["descriptions"] as? [String], [])
            XCTAssertEqual(Self.source(Self.labels(named)["rowing"]), "client")
            try await client.json(.put, "/v1/labelsets/templated", #"{"embedding_mode": "templates", "labels": []}"#)
            let added = try await client.json(.post, "/v1/labelsets/templated/labels", #"{"label": "surfing"}"#)
            XCTAssertEqual(Self.source(Self.labels(added)["surfing"]), "none")
        }
        XCTAssertEqual(server.requests.count, 0)
    }

    // MARK: - Fallbacks

    func testNotConfiguredFallsBackToTemplatesAndSaysSo() async throws {
        let core = try Self.core(nil)
        try await ServiceHarness.application(core).test(.router) { client in
            let created = try await client.json(.put, "/v1/labelsets/actions", #"{"embedding_mode": "descriptions", "labels": [{"label": "juggling"}]}"#)
            XCTAssertEqual(created.status, .created, String(buffer: created.body))
            let juggling = Self.labels(created)["juggling"]
            XCTAssertEqual(Self.source(juggling), "templates")
            XCTAssertEqual(Self.fallbackCode(juggling), "not-configured")
            XCTAssertTrue(Self.fallbackDetail(juggling).contains("STCLIP_LLM_BASE_URL"), Self.fallbackDetail(juggling))
            XCTAssertEqual(juggling?["descriptions"] as? [String], [])
        }
        // Embedded from its templates, and recorded as such.
        let key = ServiceHarness.clipEngine.embeddingKey(for: ClassDefinition(name: "juggling"), mode: .descriptions)
        XCTAssertEqual(key, ServiceHarness.clipEngine.embeddingKey(for: ClassDefinition(name: "juggling"), mode: .templates))
        XCTAssertTrue(key.hasPrefix("templates:"), key)
        expectEqual(try await core.catalog.store.embeddings(modelID: ServiceHarness.clipEngine.info.id, keys: [key]).count, 1)
    }

    /// An endpoint that is down: the labels are registered with their templates, nothing the
    /// client sent is lost, nothing is cached, and the next registration asks again.
    func testUnreachableEndpointFallsBackAndKeepsEverything() async throws {
        let gone = try LoopbackChatServer { _ in .completion("unused") }
        gone.stop()
        let store = try Self.sqliteStore()
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(try Self.core(Self.llm(gone), store: store)).test(.router) { client in
            let created = try await client.json(.put, "/v1/labelsets/actions", """
                {"embedding_mode": "all", "labels": [{"label": "juggling"}, {"label": "dancing", "descriptions": ["A person dancing."]}]}
                """)
            XCTAssertEqual(created.status, .created, String(buffer: created.body))
            let labels = Self.labels(created)
            XCTAssertEqual(Self.source(labels["juggling"]), "templates")
            XCTAssertEqual(Self.fallbackCode(labels["juggling"]), "transport")
            XCTAssertFalse(Self.fallbackDetail(labels["juggling"]).contains("127.0.0.1"), "the endpoint's address stays in the log")
            XCTAssertEqual(Self.source(labels["dancing"]), "client")

            let read = Self.labels(try await client.execute(uri: "/v1/labelsets/actions", method: .get))
            XCTAssertEqual(read["juggling"]?["descriptions"] as? [String], [])
            XCTAssertEqual(read["dancing"]?["descriptions"] as? [String], ["A person dancing."])
            let classified = try await client.classify(video, query: "labelset=actions")
            XCTAssertEqual(classified.status, .ok, String(buffer: classified.body))
        }
        expectEqual(try await store.cachedDescriptions(llmModel: "test-llm", classTexts: ["juggling"]), [:])

        let server = try Self.describingServer()
        defer { server.stop() }
        try await ServiceHarness.application(try Self.core(Self.llm(server), store: store)).test(.router) { client in
            let again = try await client.json(.post, "/v1/labelsets/actions/labels", #"{"label": "juggling"}"#)
            XCTAssertEqual(again.status, .ok, String(buffer: again.body))
            XCTAssertEqual(Self.source(Self.labels(again)["juggling"]), "llm", "a failure is not cached")
            XCTAssertEqual(Self.labels(again)["juggling"]?["descriptions"] as? [String], Self.descriptions(of: "juggling"))
        }
    }

    func testSlowEndpointTimesOut() async throws {
        let server = try Self.describingServer(delay: 5)
        defer { server.stop() }
        let started = Date()
        try await ServiceHarness.application(try Self.core(Self.llm(server, timeout: 0.5))).test(.router) { client in
            let created = try await client.json(.put, "/v1/labelsets/actions", #"{"embedding_mode": "all", "labels": [{"label": "juggling"}]}"#)
            XCTAssertEqual(created.status, .created, String(buffer: created.body))
            let juggling = Self.labels(created)["juggling"]
            XCTAssertEqual(Self.source(juggling), "templates")
            XCTAssertEqual(Self.fallbackCode(juggling), "timed-out")
            XCTAssertTrue(Self.fallbackDetail(juggling).contains("0.5 s"), Self.fallbackDetail(juggling))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 4, "the timeout, not the endpoint, ended the question")
    }

    /// A request gives asking half its time: a question is cut short to fit, however long the
    /// configured timeout.
    func testTheRequestDeadlineBoundsAsking() async throws {
        let server = try Self.describingServer(delay: 8)
        defer { server.stop() }
        let started = Date()
        let core = try Self.core(Self.llm(server, timeout: 20)) { $0.requestTimeout = 4 }
        try await ServiceHarness.application(core).test(.router) { client in
            let created = try await client.json(.put, "/v1/labelsets/actions", #"{"embedding_mode": "all", "labels": [{"label": "juggling"}]}"#)
            XCTAssertEqual(created.status, .created, String(buffer: created.body))
            XCTAssertEqual(Self.fallbackCode(Self.labels(created)["juggling"]), "timed-out")
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(elapsed, 1.5)
        XCTAssertLessThan(elapsed, 3.5, "about half of the request's 4 s went to asking")
    }

    /// Once the endpoint has failed (here HTTP 503), the request's other classes are not asked.
    func testAFailingEndpointIsNotAskedAgainInTheSameRequest() async throws {
        let server = try LoopbackChatServer { _ in .init(status: 503, body: Data(#"{"error": "overloaded, key sk-secret"}"#.utf8)) }
        defer { server.stop() }
        let core = try Self.core(Self.llm(server)) { $0.languageModelConcurrency = 1 }
        try await ServiceHarness.application(core).test(.router) { client in
            let created = try await client.json(.put, "/v1/labelsets/actions",
                                                #"{"embedding_mode": "all", "labels": [{"label": "juggling"}, {"label": "rowing"}, {"label": "surfing"}]}"#)
            XCTAssertEqual(created.status, .created, String(buffer: created.body))
            let labels = Self.labels(created)
            XCTAssertEqual(Self.fallbackCode(labels["juggling"]), "http-status")
            XCTAssertEqual(Self.fallbackDetail(labels["juggling"]), "the language model endpoint answered HTTP 503")
            XCTAssertEqual(Self.fallbackCode(labels["rowing"]), "endpoint-failing")
            XCTAssertEqual(Self.fallbackCode(labels["surfing"]), "endpoint-failing")
            XCTAssertTrue(Self.fallbackDetail(labels["surfing"]).contains("HTTP 503"), Self.fallbackDetail(labels["surfing"]))
            XCTAssertFalse(String(buffer: created.body).contains("sk-secret"), "the endpoint's answer is not passed on")
            XCTAssertEqual(labels.count, 3)
        }
        XCTAssertEqual(server.requests.count, 1)
    }

    func testUnreadableAnswersFallBackPerClass() async throws {
        let server = try LoopbackChatServer { request in
            Self.classText(of: request) == "juggling" ? .init(status: 200, body: Data(#"{"result": "juggling"}"#.utf8))
                                                      : .completion("Sure:\n\n")
        }
        defer { server.stop() }
        try await ServiceHarness.application(try Self.core(Self.llm(server))).test(.router) { client in
            let created = try await client.json(.put, "/v1/labelsets/actions",
                                                #"{"embedding_mode": "descriptions", "labels": [{"label": "juggling"}, {"label": "rowing"}]}"#)
            XCTAssertEqual(created.status, .created, String(buffer: created.body))
            let labels = Self.labels(created)
            XCTAssertEqual(Self.fallbackCode(labels["juggling"]), "malformed-response")
            XCTAssertEqual(Self.fallbackCode(labels["rowing"]), "no-descriptions")
        }
        XCTAssertEqual(server.requests.count, 2, "an unusable answer says nothing about the endpoint: every class is asked")
    }

    /// A precondition that already fails is refused before the language model is asked.
    func testAFailedPreconditionAsksNothing() async throws {
        let server = try Self.describingServer()
        defer { server.stop() }
        try await ServiceHarness.application(try Self.core(Self.llm(server))).test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", #"{"embedding_mode": "all", "labels": [{"label": "dancing", "descriptions": ["A dance."]}]}"#)
            let put = try await client.json(.put, "/v1/labelsets/actions", #"{"embedding_mode": "all", "labels": [{"label": "juggling"}]}"#,
                                            headers: [.ifMatch: "\"7\""])
            XCTAssertEqual(put.status, .preconditionFailed)
            let post = try await client.json(.post, "/v1/labelsets/actions/labels", #"{"label": "juggling"}"#, headers: [.ifMatch: "\"7\""])
            XCTAssertEqual(post.status, .preconditionFailed)
        }
        XCTAssertEqual(server.requests.count, 0)
    }

    // MARK: - PostgreSQL

    /// Two replicas on one PostgreSQL database registering the same class at once: one asks,
    /// the other takes its answer from the shared cache; later registrations ask nothing.
    func testReplicasOnPostgresAskOnce() async throws {
        let server = try Self.describingServer(delay: 0.5)
        defer { server.stop() }
        let url = try await LabelStoreTests.freshPostgres()
        let first = try PostgresLabelStore(url: url, logger: ServiceHarness.logger)
        let second = try PostgresLabelStore(url: url, logger: ServiceHarness.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await first.run() }
            group.addTask { await second.run() }
            let replicas = [try Self.core(Self.llm(server), store: first), try Self.core(Self.llm(server), store: second)]
            let sources = try await withThrowingTaskGroup(of: String?.self) { registrations in
                for (i, core) in replicas.enumerated() {
                    registrations.addTask {
                        try await ServiceHarness.application(core).test(.router) { client in
                            let response = try await client.json(.put, "/v1/labelsets/set-\(i)", #"{"embedding_mode": "all", "labels": [{"label": "juggling"}]}"#)
                            XCTAssertEqual(response.status, .created, String(buffer: response.body))
                            return Self.source(Self.labels(response)["juggling"])
                        }
                    }
                }
                var out: [String?] = []
                for try await source in registrations { out.append(source) }
                return out
            }
            XCTAssertEqual(sources.compactMap { $0 }.sorted(), ["llm", "llm-cache"])
            XCTAssertEqual(server.requests.count, 1)

            try await ServiceHarness.application(try Self.core(Self.llm(server), store: second)).test(.router) { client in
                let added = try await client.json(.post, "/v1/labelsets/set-0/labels", #"{"label": "juggling"}"#)
                XCTAssertEqual(added.status, .ok, String(buffer: added.body))
                XCTAssertEqual(Self.source(Self.labels(added)["juggling"]), "llm-cache")
            }
            XCTAssertEqual(server.requests.count, 1)
            expectEqual(try await first.cachedDescriptions(llmModel: "test-llm", classTexts: ["juggling"]),
                        ["juggling": Self.descriptions(of: "juggling")])
            let set = try await second.labelSet(named: "set-1")
            XCTAssertEqual(set?.labels.first?.descriptions, Self.descriptions(of: "juggling"))
            group.cancelAll()
        }
    }
}
