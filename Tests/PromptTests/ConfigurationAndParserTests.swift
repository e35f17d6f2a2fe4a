import Foundation
import STClipPrompts
import XCTest

/// The environment configuration and the reading of descriptions out of free-text answers.
final class ConfigurationAndParserTests: XCTestCase {
    func testConfigurationComesFromTheEnvironment() throws {
        XCTAssertNil(try LLMConfiguration.fromEnvironment([:]))
        XCTAssertNil(try LLMConfiguration.fromEnvironment(["STCLIP_LLM_MODEL": "gpt-4o-mini"]), "no base URL: not configured")
        let full = try XCTUnwrap(LLMConfiguration.fromEnvironment([
            "STCLIP_LLM_BASE_URL": "https://llm.example.com/v1", "STCLIP_LLM_MODEL": "gpt-4o-mini",
            "STCLIP_LLM_API_KEY": "sk-1", "STCLIP_LLM_TIMEOUT": "7.5",
        ]))
        XCTAssertEqual(full, LLMConfiguration(baseURL: URL(string: "https://llm.example.com/v1")!, model: "gpt-4o-mini", apiKey: "sk-1", timeout: 7.5))
        let keyless = try XCTUnwrap(LLMConfiguration.fromEnvironment(["STCLIP_LLM_BASE_URL": "http://127.0.0.1:8000/v1", "STCLIP_LLM_MODEL": "local"]))
        XCTAssertNil(keyless.apiKey)
        XCTAssertEqual(keyless.timeout, LLMConfiguration.defaultTimeout)
    }

    func testUnusableConfigurationIsATypedError() {
        let cases: [([String: String], String)] = [
            (["STCLIP_LLM_BASE_URL": "not a url", "STCLIP_LLM_MODEL": "m"], "STCLIP_LLM_BASE_URL"),
            (["STCLIP_LLM_BASE_URL": "http://127.0.0.1:8000/v1"], "STCLIP_LLM_MODEL"),
            (["STCLIP_LLM_BASE_URL": "http://127.0.0.1:8000/v1", "STCLIP_LLM_MODEL": "m", "STCLIP_LLM_TIMEOUT": "-1"], "STCLIP_LLM_TIMEOUT"),
            (["STCLIP_LLM_BASE_URL": "http://127.0.0.1:8000/v1", "STCLIP_LLM_MODEL": "m", "STCLIP_LLM_TIMEOUT": "soon"], "STCLIP_LLM_TIMEOUT"),
        ]
        for (environment, variable) in cases {
            XCTAssertThrowsError(try LLMConfiguration.fromEnvironment(environment)) {
                guard case ExpansionFailure.invalidConfiguration(let detail) = $0 else { return XCTFail("\($0)") }
                XCTAssertTrue(detail.contains(variable), detail)
            }
        }
    }

    func testOneDescriptionPerLineWithoutListMarkers() {
        let answer = """
            Here are some useful visual features:
            1. A person holds a bow side-on to a round target.
            2) The string is drawn back to the cheek and released.
            - **Arrows** stick in rings of **colour** at a distance
            • The archer stands still, braced, before each shot.
            * An extra fifth line that goes beyond the limit of four.
            """
        XCTAssertEqual(DescriptionParser.descriptions(in: answer), [
            "A person holds a bow side-on to a round target.",
            "The string is drawn back to the cheek and released.",
            "Arrows stick in rings of colour at a distance.",
            "The archer stands still, braced, before each shot.",
        ])
    }

    func testAParagraphIsCutIntoRunsOfAtMostThreeSentences() {
        let answer = "A: Abseiling is a descent on a rope. The climber wears a harness. The rope is anchored above. "
            + "The climber leans back. Feet walk down the wall."
        XCTAssertEqual(DescriptionParser.descriptions(in: answer), [
            "Abseiling is a descent on a rope. The climber wears a harness. The rope is anchored above.",
            "The climber leans back. Feet walk down the wall.",
        ])
    }

    func testReasoningBlocksQuotesAndRepeatsAreDropped() {
        let answer = """
            <think>The user wants features of juggling. Let me list them.</think>
            "Several balls rise and fall between two hands in an arc."
            Several balls rise and fall between two hands in an arc.
            ok
            """
        XCTAssertEqual(DescriptionParser.descriptions(in: answer), ["Several balls rise and fall between two hands in an arc."])
        XCTAssertEqual(DescriptionParser.descriptions(in: ""), [])
        XCTAssertEqual(DescriptionParser.descriptions(in: "Features include:\n\n"), [])
    }

    func testFailuresDescribeThemselves() {
        XCTAssertTrue(ExpansionFailure.notConfigured.description.contains("STCLIP_LLM_BASE_URL"))
        XCTAssertTrue(ExpansionFailure.timedOut(seconds: 2).description.contains("2.0 s"))
        XCTAssertTrue(ExpansionFailure.httpStatus(code: 401, body: "bad key").description.contains("401"))
        XCTAssertEqual(DescriptionExpander.question(about: "abseiling"), "What are useful visual features for distinguishing abseiling in a video?")
    }
}
