import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import STClipService
import XCTest

private let requestID = HTTPField.Name("X-Request-ID")!

/// Health, readiness, metrics, the OpenAPI document, routing errors, API keys and request ids.
final class OperationsRouteTests: XCTestCase {

    func testHealthAndReadiness() async throws {
        let core = try ServiceHarness.core()
        try await ServiceHarness.application(core).test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            XCTAssertEqual(health.status, .ok)
            XCTAssertEqual(health.object["status"] as? String, "ok")
            let ready = try await client.execute(uri: "/readyz", method: .get)
            XCTAssertEqual(ready.status, .ok)
            XCTAssertEqual((ready.object["model"] as? [String: Any])?["type"] as? String, "clip")

            core.state.beginDraining()
            let draining = try await client.execute(uri: "/readyz", method: .get)
            XCTAssertEqual(draining.status, .serviceUnavailable)
            XCTAssertEqual(draining.problem, "draining")
            XCTAssertNotNil(draining.headers[.retryAfter])
            expectEqual(try await client.execute(uri: "/healthz", method: .get).status, .ok)
            let refused = try await client.execute(uri: "/v1/labelsets", method: .get)
            XCTAssertEqual(refused.problem, "draining")
            XCTAssertEqual(refused.headers[.connection], "close")
        }
    }

    func testNotReadyWhileLoading() async throws {
        let configuration = ServiceHarness.configuration()
        let core = ServiceCore(configuration: configuration, state: ServiceState(),
                               catalog: LabelCatalog(store: try SQLiteLabelStore(path: configuration.effectiveLabelsDatabase)),
                               logger: ServiceHarness.logger)
        try await ServiceHarness.application(core).test(.router) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            XCTAssertEqual(ready.status, .serviceUnavailable)
            XCTAssertEqual(ready.problem, "not-ready")
            let classify = try await client.classify(Data("x".utf8), query: "labelset=a")
            XCTAssertEqual(classify.problem, "not-ready")
            XCTAssertEqual(classify.headers[.retryAfter], "5")
        }
    }

    func testMetrics() async throws {
        let core = try ServiceHarness.core()
        try await ServiceHarness.application(core).test(.router) { client in
            try await client.execute(uri: "/v1/labelsets", method: .get)
            try await client.execute(uri: "/v1/labelsets/none", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            XCTAssertEqual(metrics.status, .ok)
            XCTAssertTrue(metrics.headers[.contentType]?.hasPrefix("text/plain") ?? false)
            let text = String(buffer: metrics.body)
            for expected in [
                #"stclip_http_requests_total{route="/v1/labelsets",method="GET",status="200"} 1"#,
                #"stclip_http_requests_total{route="/v1/labelsets/{name}",method="GET",status="404"} 1"#,
                "# TYPE stclip_http_request_duration_seconds histogram",
                "# TYPE stclip_queue_wait_duration_seconds histogram",
                "# TYPE stclip_decode_duration_seconds histogram",
                "# TYPE stclip_inference_duration_seconds histogram",
                "stclip_queue_depth 0", "stclip_workers_busy 0", "stclip_workers 2", "stclip_queue_capacity 8",
            ] {
                XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)")
            }
        }
    }

    func testOpenAPIDocumentIsTheRepositoryFile() async throws {
        let file = try String(contentsOf: ServiceHarness.fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi.yaml"), encoding: .utf8)
        try await ServiceHarness.application(try ServiceHarness.core()).test(.router) { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .get)
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "application/yaml")
            XCTAssertEqual(String(buffer: response.body), file)
            XCTAssertTrue(file.hasPrefix("openapi: 3.1"))
        }
    }

    func testUnknownPathsAndMethods() async throws {
        try await ServiceHarness.application(try ServiceHarness.core()).test(.router) { client in
            let missing = try await client.execute(uri: "/v2/nothing", method: .get)
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertEqual(missing.problem, "not-found")
            XCTAssertEqual(missing.object["instance"] as? String, "/v2/nothing")
            let method = try await client.execute(uri: "/v1/classify", method: .get)
            XCTAssertEqual(method.status, .methodNotAllowed)
            XCTAssertEqual(method.headers[.allow], "POST")
            let setMethod = try await client.execute(uri: "/v1/labelsets/abc", method: .post)
            XCTAssertEqual(setMethod.headers[.allow], "GET, PUT, DELETE")
        }
    }

    func testRequestIDs() async throws {
        try await ServiceHarness.application(try ServiceHarness.core()).test(.router) { client in
            let kept = try await client.execute(uri: "/healthz", method: .get, headers: [requestID: "trace.1:a-b_c"])
            XCTAssertEqual(kept.headers[requestID], "trace.1:a-b_c")
            let generated = try await client.execute(uri: "/healthz", method: .get, headers: [requestID: "bad id with spaces"])
            let id = try XCTUnwrap(generated.headers[requestID])
            XCTAssertNotNil(UUID(uuidString: id), id)
            let problem = try await client.execute(uri: "/v1/labelsets/none", method: .get, headers: [requestID: "r-42"])
            XCTAssertEqual(problem.object["request_id"] as? String, "r-42")
        }
    }

    func testAPIKeysAndScopes() async throws {
        let core = try ServiceHarness.core(ServiceHarness.configuration {
            $0.inferenceKeys = ["infer-key"]
            $0.adminKeys = ["admin-key"]
            $0.metricsKeys = ["metrics-key"]
        })
        let infer: HTTPFields = [.authorization: "Bearer infer-key"], admin: HTTPFields = [.authorization: "Bearer admin-key"]
        let body = #"{"labels": [{"label": "dancing"}]}"#
        try await ServiceHarness.application(core).test(.router) { client in
            let none = try await client.json(.put, "/v1/labelsets/a", body)
            XCTAssertEqual(none.status, .unauthorized)
            XCTAssertEqual(none.problem, "unauthorized")
            XCTAssertTrue(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") ?? false)
            let wrongKey = try await client.json(.put, "/v1/labelsets/a", body, headers: [.authorization: "Bearer nope"])
            XCTAssertEqual(wrongKey.status, .unauthorized)
            XCTAssertTrue(wrongKey.headers[.wwwAuthenticate]?.contains("invalid_token") ?? false)
            let basic = try await client.json(.put, "/v1/labelsets/a", body, headers: [.authorization: "Basic YTpi"])
            XCTAssertEqual(basic.status, .unauthorized)
            let wrongScope = try await client.json(.put, "/v1/labelsets/a", body, headers: infer)
            XCTAssertEqual(wrongScope.status, .forbidden)
            XCTAssertTrue(wrongScope.headers[.wwwAuthenticate]?.contains("insufficient_scope") ?? false)
            expectEqual(try await client.json(.put, "/v1/labelsets/a", body, headers: admin).status, .created)

            expectEqual(try await client.execute(uri: "/v1/labelsets/a", method: .get, headers: infer).status, .ok)
            expectEqual(try await client.execute(uri: "/v1/labelsets/a", method: .get, headers: admin).status, .ok)
            expectEqual(try await client.execute(uri: "/v1/labelsets", method: .get).status, .unauthorized)
            let embed = #"{"texts": ["a"]}"#
            expectEqual(try await client.json(.post, "/v1/embeddings/text", embed, headers: admin).status, .forbidden)
            expectEqual(try await client.json(.post, "/v1/embeddings/text", embed, headers: infer).status, .ok)

            expectEqual(try await client.execute(uri: "/healthz", method: .get).status, .ok)
            expectEqual(try await client.execute(uri: "/openapi.yaml", method: .get).status, .ok)
            expectEqual(try await client.execute(uri: "/metrics", method: .get).status, .unauthorized)
            expectEqual(try await client.execute(uri: "/metrics", method: .get, headers: infer).status, .forbidden)
            expectEqual(try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer metrics-key"]).status, .ok)
        }
    }

    func testClientAddressBelievesOnlyTrustedProxies() {
        let trusted = ["10.0.0.0/8", "::1"].compactMap(IPAddressRange.init)
        XCTAssertEqual(ClientAddress.resolve(peer: "192.0.2.7", forwardedFor: ["203.0.113.9"], trusted: trusted), "192.0.2.7")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.1.2.3", forwardedFor: ["203.0.113.9"], trusted: trusted), "203.0.113.9")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.1.2.3", forwardedFor: ["198.51.100.1, 203.0.113.9, 10.9.9.9"], trusted: trusted),
                       "203.0.113.9")
        XCTAssertEqual(ClientAddress.resolve(peer: "::1", forwardedFor: ["not-an-ip"], trusted: trusted), "::1")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.1.2.3", forwardedFor: [], trusted: trusted), "10.1.2.3")
        XCTAssertNil(IPAddressRange("10.0.0.0/33"))
        XCTAssertNil(IPAddressRange("example.com"))
        XCTAssertTrue(IPAddressRange("fd00::/8")!.contains("fd12::1"))
        XCTAssertTrue(IPAddressRange("127.0.0.0/8")!.contains("::ffff:127.0.0.5"))
        XCTAssertFalse(IPAddressRange("127.0.0.0/8")!.contains("128.0.0.1"))
    }
}
