import Foundation
import STClipPrompts
import STClipTestSupport
import XCTest

/// Runtime expansion against a chat-completions endpoint played by a loopback server: the paper's
/// question goes out, descriptions come back, and every way of failing falls back to the
/// templates with its reason.
final class DescriptionExpanderTests: XCTestCase {
    func configuration(_ server: LoopbackChatServer, timeout: Double = 5) -> LLMConfiguration {
        LLMConfiguration(baseURL: server.baseURL, model: "test-model", apiKey: "sk-test", timeout: timeout)
    }

    func testAsksThePapersQuestionAndParsesTheAnswer() async throws {
        let server = try LoopbackChatServer { _ in
            .completion("""
                Abseiling is a controlled descent down a rope with a friction device.
                The climber wears a harness and helmet and leans back against a cliff.
                A taut rope runs to an anchor above the climber.
                """)
        }
        defer { server.stop() }
        let expansion = await DescriptionExpander(configuration: configuration(server)).expand("abseiling")
        XCTAssertEqual(expansion.source, .languageModel(model: "test-model"))
        XCTAssertTrue(expansion.isExpanded)
        XCTAssertEqual(expansion.descriptions, [
            "Abseiling is a controlled descent down a rope with a friction device.",
            "The climber wears a harness and helmet and leans back against a cliff.",
            "A taut rope runs to an anchor above the climber.",
        ])

        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/v1/chat/completions")
        XCTAssertEqual(request.headers["authorization"], "Bearer sk-test")
        XCTAssertEqual(request.headers["content-type"], "application/json")
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        XCTAssertEqual(body["model"] as? String, "test-model")
        let messages = try XCTUnwrap(body["messages"] as? [[String: String]])
        XCTAssertEqual(messages.map { $0["role"] }, ["system", "user"])
        XCTAssertEqual(messages[1]["content"], "What are useful visual features for distinguishing abseiling in a video?")
        XCTAssertEqual(messages[0]["content"], DescriptionExpander.instructions)
    }

    func testAnAnswerIsAskedForOnce() async throws {
        let server = try LoopbackChatServer { _ in .completion("People stand in a circle and clap their hands to a beat.") }
        defer { server.stop() }
        let expander = DescriptionExpander(configuration: configuration(server))
        let first = await expander.expand("clapping")
        let second = await expander.expand("clapping")
        XCTAssertEqual(first, second)
        XCTAssertEqual(server.requests.count, 1)
        _ = await expander.expand("waving")
        XCTAssertEqual(server.requests.count, 2)
    }

    /// `ask` is for callers that keep answers elsewhere: it asks every time, keeps nothing, and
    /// can be given less time than the configured timeout.
    func testAskNeitherKeepsAnswersNorUsesThemAndTakesAShorterTimeout() async throws {
        let server = try LoopbackChatServer { _ in .completion("People stand in a circle and clap their hands to a beat.") }
        defer { server.stop() }
        let expander = DescriptionExpander(configuration: configuration(server))
        let asked = await expander.ask("clapping")
        XCTAssertEqual(asked.source, .languageModel(model: "test-model"))
        _ = await expander.ask("clapping")
        XCTAssertEqual(server.requests.count, 2)
        _ = await expander.expand("clapping")
        _ = await expander.expand("clapping")
        _ = await expander.ask("clapping")
        XCTAssertEqual(server.requests.count, 4, "expand keeps its own answers; ask neither reads nor fills them")

        let slow = try LoopbackChatServer { _ in .init(status: 200, body: Data(), delay: 3) }
        defer { slow.stop() }
        let started = Date()
        let cut = await DescriptionExpander(configuration: configuration(slow, timeout: 10)).ask("clapping", timeout: 0.5)
        XCTAssertEqual(cut.source, .templates(reason: .timedOut(seconds: 0.5)))
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
        let notLonger = await DescriptionExpander(configuration: configuration(slow, timeout: 0.5)).ask("clapping", timeout: 10)
        XCTAssertEqual(notLonger.source, .templates(reason: .timedOut(seconds: 0.5)), "never longer than the configured timeout")
    }

    func testNotConfiguredFallsBackToTemplatesAndSaysSo() async {
        let none = await DescriptionExpander(configuration: nil).expand("knitting")
        XCTAssertEqual(none.source, .templates(reason: .notConfigured))
        XCTAssertEqual(none.descriptions, [])
        XCTAssertFalse(none.isExpanded)
        let unset = await DescriptionExpander(environment: [:]).expand("knitting")
        XCTAssertEqual(unset.source, .templates(reason: .notConfigured))
        let bad = await DescriptionExpander(environment: ["STCLIP_LLM_BASE_URL": "ftp://example", "STCLIP_LLM_MODEL": "m"]).expand("knitting")
        guard case .templates(.invalidConfiguration(let detail)) = bad.source else { return XCTFail("\(bad.source)") }
        XCTAssertTrue(detail.contains("STCLIP_LLM_BASE_URL"))
    }

    func testHTTPErrorsFallBackAndAreNotKept() async throws {
        let server = try LoopbackChatServer { _ in .init(status: 503, body: Data(#"{"error": "overloaded"}"#.utf8)) }
        defer { server.stop() }
        let expander = DescriptionExpander(configuration: configuration(server))
        let result = await expander.expand("surfing water")
        XCTAssertEqual(result.source, .templates(reason: .httpStatus(code: 503, body: #"{"error": "overloaded"}"#)))
        _ = await expander.expand("surfing water")
        XCTAssertEqual(server.requests.count, 2, "a failure is tried again next time")
    }

    func testUnreadableAndEmptyAnswersFallBack() async throws {
        let notChat = try LoopbackChatServer { _ in .init(status: 200, body: Data(#"{"result": "abseiling"}"#.utf8)) }
        defer { notChat.stop() }
        let malformed = await DescriptionExpander(configuration: configuration(notChat)).expand("abseiling")
        guard case .templates(.malformedResponse) = malformed.source else { return XCTFail("\(malformed.source)") }

        let empty = try LoopbackChatServer { _ in .completion("Sure:\n\n") }
        defer { empty.stop() }
        let nothing = await DescriptionExpander(configuration: configuration(empty)).expand("abseiling")
        XCTAssertEqual(nothing.source, .templates(reason: .noDescriptions(answer: "Sure:\n\n")))
    }

    func testASlowEndpointTimesOut() async throws {
        let server = try LoopbackChatServer { _ in
            var slow = LoopbackChatServer.Response.completion("Too late to matter for anyone at all.")
            slow.delay = 4
            return slow
        }
        defer { server.stop() }
        let started = Date()
        let result = await DescriptionExpander(configuration: configuration(server, timeout: 0.5)).expand("yawning")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(result.source, .templates(reason: .timedOut(seconds: 0.5)))
        XCTAssertGreaterThan(elapsed, 0.45, "the whole half second was given")
        XCTAssertLessThan(elapsed, 3.5, "the timeout, not the server, ended the request")
    }

    /// Fractions of a second count (Foundation on Linux would round 0.8 s down to an immediate timeout).
    func testAnAnswerWithinAFractionalTimeoutArrives() async throws {
        let server = try LoopbackChatServer { _ in
            var late = LoopbackChatServer.Response.completion("A yawn opens the mouth wide while the eyes squeeze shut.")
            late.delay = 0.3
            return late
        }
        defer { server.stop() }
        let result = await DescriptionExpander(configuration: configuration(server, timeout: 0.8)).expand("yawning")
        XCTAssertEqual(result.source, .languageModel(model: "test-model"))
    }

    func testAnUnreachableEndpointIsATransportFailure() async throws {
        let server = try LoopbackChatServer { _ in .completion("unused") }
        let url = server.baseURL
        server.stop()
        let result = await DescriptionExpander(configuration: LLMConfiguration(baseURL: url, model: "m", timeout: 5)).expand("yawning")
        guard case .templates(.transport) = result.source else { return XCTFail("\(result.source)") }
    }
}
