import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import STClipService
import ServiceLifecycle
import XCTest

private let labels = #"{"labels": [{"label": "playing guitar"}, {"label": "dancing"}]}"#

/// The service over loopback sockets: real classification, overload, deadlines and draining.
final class LiveServiceTests: XCTestCase {
    func testClassifyOverLoopback() async throws {
        let video = try TestVideos.mp4()
        try await ServiceHarness.application(try ServiceHarness.core()).test(.live) { client in
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", labels).status, .created)
            for _ in 0..<3 {
                let response = try await client.classify(video, query: "labelset=actions")
                XCTAssertEqual(response.status, .ok, String(buffer: response.body))
                XCTAssertEqual((response.object["top_k"] as? [Any])?.count, 2)
            }
        }
    }

    /// More concurrent requests than workers + queue: the excess is refused at once with 503
    /// and Retry-After, every other request is answered correctly, and the server stays up.
    func testOverloadGives503WithRetryAfter() async throws {
        let engine = ScriptedEngine(decodeSeconds: 0.3)
        let core = try ServiceHarness.core(ServiceHarness.configuration { $0.workers = 1; $0.queueDepth = 2 }, engine: engine)
        try await ServiceHarness.application(core).test(.live) { client in
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", labels).status, .created)
            let port = try XCTUnwrap(client.port)
            let statuses = try await withThrowingTaskGroup(of: (Int, String?, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let connection = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(30)))
                        connection.connect()
                        defer { Task { try await connection.shutdown() } }
                        let response = try await connection.execute(.init("/v1/classify?labelset=actions", method: .post,
                                                                          headers: [.contentType: "video/mp4"],
                                                                          body: ByteBuffer(string: "video")))
                        let body = response.body.map { String(buffer: $0) } ?? ""
                        let top = body.contains("\"top_k\":[{\"label\":\"playing guitar\"") ? "ok" : body
                        return (Int(response.head.status.code), response.head.headerFields[.retryAfter], top)
                    }
                }
                var out: [(Int, String?, String?)] = []
                for try await result in group { out.append(result) }
                return out
            }
            let ok = statuses.filter { $0.0 == 200 }, refused = statuses.filter { $0.0 == 503 }
            XCTAssertEqual(ok.count + refused.count, 8, "\(statuses)")
            XCTAssertGreaterThanOrEqual(ok.count, 3, "\(statuses)")
            XCTAssertGreaterThanOrEqual(refused.count, 1, "\(statuses)")
            XCTAssertTrue(ok.allSatisfy { $0.2 == "ok" }, "\(ok)")
            XCTAssertTrue(refused.allSatisfy { Int($0.1 ?? "") ?? 0 >= 1 }, "\(refused)")
            expectEqual(try await client.execute(uri: "/healthz", method: .get).status, .ok)
            expectEqual(try await client.classify(Data("video".utf8), query: "labelset=actions").status, .ok)
        }
    }

    func testDeadlineGives503() async throws {
        let engine = ScriptedEngine(decodeSeconds: 1.0)
        let core = try ServiceHarness.core(ServiceHarness.configuration { $0.requestTimeout = 0.3 }, engine: engine)
        try await ServiceHarness.application(core).test(.live) { client in
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", labels).status, .created)
            let start = ContinuousClock.now
            let response = try await client.classify(Data("video".utf8), query: "labelset=actions")
            XCTAssertEqual(response.status, .serviceUnavailable)
            XCTAssertEqual(response.problem, "deadline-exceeded")
            XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(900))
        }
    }

    /// `/healthz` is answered on the event loop while every worker is busy.
    func testHealthAnswersWhileWorkersAreBusy() async throws {
        let engine = ScriptedEngine(decodeSeconds: 1.0)
        let core = try ServiceHarness.core(ServiceHarness.configuration { $0.workers = 1; $0.queueDepth = 4 }, engine: engine)
        try await ServiceHarness.application(core).test(.live) { client in
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", labels).status, .created)
            let port = try XCTUnwrap(client.port)
            let busy = Task {
                let connection = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(30)))
                connection.connect()
                defer { Task { try await connection.shutdown() } }
                return try await connection.execute(.init("/v1/classify?labelset=actions", method: .post,
                                                          headers: [.contentType: "video/mp4"], body: ByteBuffer(string: "v")))
            }
            try await waitUntil { core.pool.load.busy == 1 }
            let start = ContinuousClock.now
            expectEqual(try await client.execute(uri: "/healthz", method: .get).status, .ok)
            XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(200))
            expectEqual(try await busy.value.head.status, .ok)
        }
    }

    /// A queued request whose client hangs up is dropped before it reaches the engine.
    func testQueuedWorkOfADepartedClientIsDropped() async throws {
        let engine = ScriptedEngine(decodeSeconds: 0.8)
        let core = try ServiceHarness.core(ServiceHarness.configuration { $0.workers = 1; $0.queueDepth = 4 }, engine: engine)
        try await ServiceHarness.application(core).test(.live) { client in
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", labels).status, .created)
            let port = try XCTUnwrap(client.port)
            func send() -> (TestClient, Task<TestClient.Response, any Error>) {
                let connection = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(30)))
                connection.connect()
                return (connection, Task {
                    try await connection.execute(.init("/v1/classify?labelset=actions", method: .post,
                                                       headers: [.contentType: "video/mp4"], body: ByteBuffer(string: "v")))
                })
            }
            let (first, answered) = send()
            try await waitUntil { engine.started == 1 }
            let (second, abandoned) = send()
            try await waitUntil { core.pool.load.queued == 1 }
            try await second.shutdown()
            _ = try? await abandoned.value
            expectEqual(try await answered.value.head.status, .ok)
            try await first.shutdown()
            try await waitUntil { core.pool.load.busy == 0 && core.pool.load.queued == 0 }
            XCTAssertEqual(engine.started, 1, "the departed client's video was decoded")
        }
    }

    /// SIGTERM's path: readiness turns 503, new API requests are refused, the request in flight
    /// is answered, then the server stops.
    func testGracefulShutdownDrainsInFlightRequests() async throws {
        let engine = ScriptedEngine(decodeSeconds: 1.0)
        let configuration = ServiceHarness.configuration { $0.shutdownGracePeriod = 10 }
        let core = try ServiceHarness.core(configuration, engine: engine)
        let application = ServiceApplication(core: core, storeServices: [], loader: nil)
        let port = Locked<Int?>(nil)
        let group = application.serviceGroup(signals: []) { channel in port.withLock { $0 = channel.localAddress?.port } }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await waitUntil { port.withLock { $0 } != nil }
            let client = TestClient(host: "127.0.0.1", port: port.withLock { $0 }!, configuration: .init(timeout: .seconds(30)))
            client.connect()
            let put = try await client.execute(.init("/v1/labelsets/actions", method: .put, headers: [.contentType: "application/json"],
                                                     body: ByteBuffer(string: labels)))
            XCTAssertEqual(put.head.status, .created)
            let inFlight = Task {
                let connection = TestClient(host: "127.0.0.1", port: port.withLock { $0 }!, configuration: .init(timeout: .seconds(30)))
                connection.connect()
                defer { Task { try await connection.shutdown() } }
                return try await connection.execute(.init("/v1/classify?labelset=actions", method: .post,
                                                          headers: [.contentType: "video/mp4"], body: ByteBuffer(string: "v")))
            }
            try await waitUntil { engine.started == 1 }
            await group.triggerGracefulShutdown()
            try await waitUntil { core.state.phase == .draining }
            let ready = try await client.execute(.init("/readyz", method: .get))
            XCTAssertEqual(ready.head.status, .serviceUnavailable)
            let refused = try await client.execute(.init("/v1/labelsets", method: .get))
            XCTAssertEqual(refused.head.status, .serviceUnavailable)
            try? await client.shutdown()
            let answered = try await inFlight.value
            XCTAssertEqual(answered.head.status, .ok)
            XCTAssertEqual(engine.finished, 1)
            try await tasks.waitForAll()
        }
    }
}
