import Foundation
import STClipTestSupport
import XCTest

/// `stclip describe` against the loopback endpoint, configured through the environment.
final class DescribeCommandTests: XCTestCase {
    static let binary: URL = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("stclip") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// Runs `stclip describe` with the caller's STCLIP_LLM_* variables replaced by `llm`.
    func describe(_ texts: [String], llm: [String: String]) throws -> (status: Int32, json: [String: Any], stderr: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["describe"] + texts
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STCLIP_LLM_") }.merging(llm) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = (try? JSONSerialization.jsonObject(with: stdout)) as? [String: Any] ?? [:]
        return (process.terminationStatus, json, String(decoding: stderr, as: UTF8.self))
    }

    func testDescribesEachClassWithTheConfiguredModel() throws {
        let server = try LoopbackChatServer { request in
            let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
            let question = ((body?["messages"] as? [[String: String]])?.last?["content"]) ?? ""
            return .completion(question.contains("yawning") ? "The mouth opens wide while the eyes squeeze shut." : "Feet leave the ground together and land again.")
        }
        defer { server.stop() }
        let run = try describe(["yawning", "jumping"], llm: ["STCLIP_LLM_BASE_URL": server.baseURL.absoluteString, "STCLIP_LLM_MODEL": "tiny-llm"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let classes = try XCTUnwrap(run.json["classes"] as? [[String: Any]])
        XCTAssertEqual(classes.map { $0["text"] as? String }, ["yawning", "jumping"])
        XCTAssertEqual(classes.map { $0["source"] as? String }, ["language_model", "language_model"])
        XCTAssertEqual(classes[0]["model"] as? String, "tiny-llm")
        XCTAssertEqual(classes[0]["descriptions"] as? [String], ["The mouth opens wide while the eyes squeeze shut."])
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertTrue(run.stderr.isEmpty, run.stderr)
    }

    func testWithoutAnEndpointEveryClassFallsBackAndSaysWhy() throws {
        let run = try describe(["yawning"], llm: [:])
        XCTAssertEqual(run.status, 0, run.stderr)
        let classes = try XCTUnwrap(run.json["classes"] as? [[String: Any]])
        XCTAssertEqual(classes.first?["source"] as? String, "templates")
        XCTAssertEqual(classes.first?["descriptions"] as? [String], [])
        XCTAssertTrue((classes.first?["reason"] as? String ?? "").contains("no language model is configured"))
        XCTAssertTrue(run.stderr.contains("1 of 1 classes fall back to templates"), run.stderr)
    }
}
