import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import STClipTestSupport
import XCTest

/// `stclip serve` as a process: start-up errors, SIGTERM, and `kill -9` durability.
final class ServeProcessTests: XCTestCase {
    /// The stclip binary SwiftPM built beside the test bundle.
    static let binary: URL = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("stclip") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// A running `stclip serve` on a free loopback port.
    final class Server: @unchecked Sendable {
        let process = Process()
        let log: URL
        private(set) var port = 0

        /// `model` nil: no `--model` and no `STCLIP_MODEL`, so the embedded default model.
        init(data: URL, model: String? = ServiceHarness.clipModel, environment: [String: String] = [:]) throws {
            log = data.appendingPathComponent("server-\(UUID().uuidString).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = ServeProcessTests.binary
            process.arguments = ["serve"] + (model.map { ["--model", $0] } ?? []) + ["--data", data.path, "--port", "0", "--workers", "1"]
            process.environment = ProcessInfo.processInfo.environment.filter { model != nil || $0.key != "STCLIP_MODEL" }
                .merging(["STCLIP_LOG_LEVEL": "notice"]) { $1 }.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits for the listening line and for `/readyz` to answer 200.
        func waitUntilReady() async throws {
            for _ in 0..<400 {
                if port == 0, let line = output.split(separator: "\n").first(where: { $0.contains("stclip listening on") }),
                   let number = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                    port = number
                }
                if port != 0, let response = try? await request("/readyz", method: .get), response.head.status == .ok { return }
                guard process.isRunning else { throw TestVideoError(description: "stclip serve exited: \(output)") }
                try await Task.sleep(for: .milliseconds(25))
            }
            throw TestVideoError(description: "stclip serve did not become ready: \(output)")
        }

        func request(_ uri: String, method: HTTPRequest.Method, json: String? = nil) async throws -> TestClient.Response {
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20)))
            client.connect()
            defer { Task { try await client.shutdown() } }
            return try await client.execute(.init(uri, method: method, headers: json == nil ? [:] : [.contentType: "application/json"],
                                                  body: json.map { ByteBuffer(string: $0) }))
        }

        func stop(signal: Int32) -> Int32 {
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    func testNoModelServesTheEmbeddedDefaultModel() async throws {
        let server = try Server(data: ServiceHarness.temporaryDirectory(), model: nil)
        defer { _ = server.stop(signal: SIGKILL) }
        try await server.waitUntilReady()
        let set = try await server.request("/v1/labelsets/synthmotion", method: .get)
        XCTAssertEqual(set.head.status, .ok, server.output)
        let body = try JSONSerialization.jsonObject(with: Data(set.body.map { Array($0.readableBytesView) } ?? [])) as? [String: Any]
        XCTAssertEqual(body?["builtin"] as? Bool, true)
        XCTAssertEqual((body?["labels"] as? [Any])?.count, 12)
    }

    func testBadModelDirectoryExitsWithTheReason() async throws {
        let data = ServiceHarness.temporaryDirectory()
        let run = try StclipBinary.run(["serve", "--model", data.appendingPathComponent("missing").path, "--data", data.path, "--port", "0"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("model:"), run.stderr)
    }

    /// `serve` asks the chat-completions endpoint its `STCLIP_LLM_*` variables name.
    func testServeDescribesNewClassesWithTheLanguageModelOfItsEnvironment() async throws {
        let chat = try DescriptionExpansionTests.describingServer()
        defer { chat.stop() }
        let server = try Server(data: ServiceHarness.temporaryDirectory(),
                                environment: ["STCLIP_LLM_BASE_URL": chat.baseURL.absoluteString, "STCLIP_LLM_MODEL": "env-llm"])
        try await server.waitUntilReady()
        let response = try await server.request("/v1/labelsets/actions", method: .put,
                                                json: #"{"embedding_mode": "all", "labels": [{"label": "juggling"}]}"#)
        XCTAssertEqual(response.head.status, .created)
        let object = try JSONSerialization.jsonObject(with: Data(response.body.map { Array($0.readableBytesView) } ?? [])) as? [String: Any]
        let label = (object?["labels"] as? [[String: Any]])?.first
        XCTAssertEqual(label?["description_source"] as? String, "llm")
        XCTAssertEqual(label?["descriptions"] as? [String], DescriptionExpansionTests.descriptions(of: "juggling"))
        XCTAssertEqual(chat.requests.count, 1)
        XCTAssertEqual(server.stop(signal: SIGTERM), 0, server.output)
    }

    func testAnUnusableLanguageModelSettingStopsServe() throws {
        let data = ServiceHarness.temporaryDirectory()
        let run = try StclipBinary.run(["serve", "--model", ServiceHarness.clipModel, "--data", data.path, "--port", "0"],
                                       environment: ["STCLIP_LLM_BASE_URL": "ftp://example/v1", "STCLIP_LLM_MODEL": "m"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("STCLIP_LLM_BASE_URL"), run.stderr)
    }

    func testSIGTERMDrainsAndExitsCleanly() async throws {
        let server = try Server(data: ServiceHarness.temporaryDirectory())
        try await server.waitUntilReady()
        expectEqual(try await server.request("/healthz", method: .get).head.status, .ok)
        XCTAssertEqual(server.stop(signal: SIGTERM), 0, server.output)
        XCTAssertTrue(server.output.contains("drained"), server.output)
    }

    /// Every write answered 2xx survives `kill -9` at an arbitrary moment, with more writes in
    /// flight; the store reopens cleanly.
    func testKill9LosesNoAcknowledgedWrite() async throws {
        try await killNineRounds(data: ServiceHarness.temporaryDirectory(), environment: [:])
    }

    /// The same with the PostgreSQL store.
    func testKill9LosesNoAcknowledgedWriteWithPostgres() async throws {
        let url = try await LabelStoreTests.freshPostgres()
        try await killNineRounds(data: ServiceHarness.temporaryDirectory(), environment: ["STCLIP_LABELS_DB": url])
    }

    private func killNineRounds(data: URL, environment: [String: String]) async throws {
        let acknowledged = Locked<[String]>([])
        for round in 0..<3 {
            let server = try Server(data: data, environment: environment)
            try await server.waitUntilReady()
            if round == 0 {
                expectEqual(try await server.request("/v1/labelsets/grow", method: .put, json: #"{"labels": []}"#).head.status, .created)
            }
            let killAfter = 6 + 5 * round
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<3 {
                    group.addTask {
                        for i in 0..<40 {
                            let label = "r\(round)-w\(writer)-\(i)"
                            guard let response = try? await server.request("/v1/labelsets/grow/labels", method: .post,
                                                                           json: #"{"label": "\#(label)"}"#),
                                  response.head.status == .created else { return }
                            let count = acknowledged.withLock { $0.append(label); return $0.count }
                            if count >= killAfter * (round + 1) { _ = server.stop(signal: SIGKILL) }
                        }
                    }
                }
            }
            if server.process.isRunning { _ = server.stop(signal: SIGKILL) }
            XCTAssertEqual(server.process.terminationReason, .uncaughtSignal, "round \(round): not killed")

            let check = try Server(data: data, environment: environment)
            try await check.waitUntilReady()
            let response = try await check.request("/v1/labelsets/grow", method: .get)
            XCTAssertEqual(response.head.status, .ok)
            let object = try JSONSerialization.jsonObject(with: Data(response.body.map { Array($0.readableBytesView) } ?? [])) as? [String: Any]
            let stored = Set((object?["labels"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String })
            let lost = acknowledged.withLock { $0 }.filter { !stored.contains($0) }
            XCTAssertEqual(lost, [], "round \(round): acknowledged labels lost after kill -9")
            XCTAssertEqual(check.stop(signal: SIGTERM), 0)
        }
        XCTAssertGreaterThanOrEqual(acknowledged.withLock { $0.count }, 18)
    }
}
