import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import STClipService
import XCTest

private let body = #"{"labels": [{"label": "playing guitar"}, {"label": "dancing", "descriptions": ["a person dancing"]}]}"#

/// The label set endpoints in process (HummingbirdTesting's router framework).
final class LabelSetRouteTests: XCTestCase {

    func testCreateReadReplaceDelete() async throws {
        let app = ServiceHarness.application(try ServiceHarness.core())
        try await app.test(.router) { client in
            let created = try await client.json(.put, "/v1/labelsets/actions", body)
            XCTAssertEqual(created.status, .created)
            XCTAssertEqual(created.headers[.eTag], "\"1\"")
            XCTAssertEqual(created.headers[.location], "/v1/labelsets/actions")
            XCTAssertEqual(created.object["version"] as? Int, 1)
            XCTAssertEqual(created.object["embedding_mode"] as? String, "name")
            let labels = created.object["labels"] as? [[String: Any]]
            XCTAssertEqual(labels?.map { $0["label"] as? String }, ["playing guitar", "dancing"])
            XCTAssertEqual(labels?[1]["descriptions"] as? [String], ["a person dancing"])

            let read = try await client.execute(uri: "/v1/labelsets/actions", method: .get)
            XCTAssertEqual(read.status, .ok)
            XCTAssertEqual(read.headers[.eTag], "\"1\"")

            let replaced = try await client.json(.put, "/v1/labelsets/actions", #"{"labels": [{"label": "swimming"}]}"#)
            XCTAssertEqual(replaced.status, .ok)
            XCTAssertEqual(replaced.headers[.eTag], "\"2\"")
            XCTAssertEqual((replaced.object["labels"] as? [[String: Any]])?.count, 1)

            let list = try await client.execute(uri: "/v1/labelsets", method: .get)
            let sets = list.object["labelsets"] as? [[String: Any]]
            XCTAssertEqual(sets?.count, 1)
            XCTAssertEqual(sets?.first?["label_count"] as? Int, 1)
            XCTAssertEqual(sets?.first?["version"] as? Int, 2)

            let deleted = try await client.execute(uri: "/v1/labelsets/actions", method: .delete)
            XCTAssertEqual(deleted.status, .noContent)
            let gone = try await client.execute(uri: "/v1/labelsets/actions", method: .get)
            XCTAssertEqual(gone.status, .notFound)
            XCTAssertEqual(gone.problem, "label-set-not-found")
        }
    }

    func testRegisterAndRemoveOneLabel() async throws {
        let app = ServiceHarness.application(try ServiceHarness.core())
        try await app.test(.router) { client in
            try await client.json(.put, "/v1/labelsets/actions", body)
            let added = try await client.json(.post, "/v1/labelsets/actions/labels", #"{"label": "rock climbing"}"#)
            XCTAssertEqual(added.status, .created)
            XCTAssertEqual(added.headers[.eTag], "\"2\"")
            XCTAssertEqual((added.object["labels"] as? [[String: Any]])?.last?["label"] as? String, "rock climbing")

            let updated = try await client.json(.post, "/v1/labelsets/actions/labels", #"{"label": "dancing", "descriptions": ["ballet"]}"#)
            XCTAssertEqual(updated.status, .ok)
            let labels = updated.object["labels"] as? [[String: Any]]
            XCTAssertEqual(labels?.map { $0["label"] as? String }, ["playing guitar", "dancing", "rock climbing"])
            XCTAssertEqual(labels?[1]["descriptions"] as? [String], ["ballet"])

            let removed = try await client.execute(uri: "/v1/labelsets/actions/labels/playing%20guitar", method: .delete)
            XCTAssertEqual(removed.status, .ok)
            XCTAssertEqual(removed.headers[.eTag], "\"4\"")
            XCTAssertEqual((removed.object["labels"] as? [[String: Any]])?.count, 2)

            let missing = try await client.execute(uri: "/v1/labelsets/actions/labels/playing%20guitar", method: .delete)
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertEqual(missing.problem, "label-not-found")
            let noSet = try await client.json(.post, "/v1/labelsets/nothing/labels", #"{"label": "x"}"#)
            XCTAssertEqual(noSet.problem, "label-set-not-found")
        }
    }

    func testIfMatchAndIfNoneMatch() async throws {
        let app = ServiceHarness.application(try ServiceHarness.core())
        try await app.test(.router) { client in
            let absent = try await client.json(.put, "/v1/labelsets/actions", body, headers: [.ifMatch: "*"])
            XCTAssertEqual(absent.status, .preconditionFailed)
            XCTAssertEqual(absent.problem, "precondition-failed")
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", body, headers: [.ifNoneMatch: "*"]).status, .created)
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", body, headers: [.ifNoneMatch: "*"]).status, .preconditionFailed)

            let stale = try await client.json(.post, "/v1/labelsets/actions/labels", #"{"label": "x"}"#, headers: [.ifMatch: "\"7\""])
            XCTAssertEqual(stale.status, .preconditionFailed)
            XCTAssertTrue((stale.object["detail"] as? String)?.contains("version 1") ?? false)
            let weak = try await client.json(.post, "/v1/labelsets/actions/labels", #"{"label": "x"}"#, headers: [.ifMatch: "W/\"1\""])
            XCTAssertEqual(weak.status, .preconditionFailed)
            let fresh = try await client.json(.post, "/v1/labelsets/actions/labels", #"{"label": "x"}"#, headers: [.ifMatch: "\"0\", \"1\""])
            XCTAssertEqual(fresh.status, .created)
            expectEqual(try await client.execute(uri: "/v1/labelsets/actions", method: .delete, headers: [.ifMatch: "\"1\""]).status,
                           .preconditionFailed)
            expectEqual(try await client.execute(uri: "/v1/labelsets/actions", method: .delete, headers: [.ifMatch: "garbage"]).status,
                        .preconditionFailed)
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", body, headers: [.ifNoneMatch: "\"2\""]).problem,
                        "invalid-parameter")
            expectEqual(try await client.json(.put, "/v1/labelsets/actions", body, headers: [.ifMatch: "\"2\"", .ifNoneMatch: "*"]).status,
                        .preconditionFailed)
            expectEqual(try await client.execute(uri: "/v1/labelsets/actions", method: .delete, headers: [.ifNoneMatch: "*"]).problem,
                        "invalid-parameter")
            expectEqual(try await client.execute(uri: "/v1/labelsets/actions", method: .delete, headers: [.ifMatch: "\"2\""]).status,
                           .noContent)
        }
    }

    func testInvalidBodiesAndNames() async throws {
        let app = ServiceHarness.application(try ServiceHarness.core())
        try await app.test(.router) { client in
            let cases: [(String, String, String)] = [
                ("/v1/labelsets/a", "{", "bad-request"),
                ("/v1/labelsets/a", #"{"labels": "x"}"#, "invalid-body"),
                ("/v1/labelsets/a", #"{"nothing": []}"#, "invalid-body"),
                ("/v1/labelsets/a", #"{"labels": [{"label": ""}]}"#, "invalid-body"),
                ("/v1/labelsets/a", #"{"labels": [{"label": " padded"}]}"#, "invalid-body"),
                ("/v1/labelsets/a", #"{"labels": [{"label": "bell\u0007"}]}"#, "invalid-body"),
                ("/v1/labelsets/a", #"{"labels": [{"label": "twice"}, {"label": "twice"}]}"#, "invalid-body"),
                ("/v1/labelsets/a", #"{"labels": [{"label": "x", "descriptions": [""]}]}"#, "invalid-body"),
                ("/v1/labelsets/-a", body, "invalid-parameter"),
                ("/v1/labelsets/a%2Fb", body, "invalid-parameter"),
            ]
            for (uri, body, problem) in cases {
                let response = try await client.json(.put, uri, body)
                XCTAssertEqual(response.problem, problem, "\(uri) \(body): \(String(buffer: response.body))")
                XCTAssertEqual(response.object["instance"] as? String, String(uri.prefix { $0 != "?" }))
            }
            let tooMany = "{\"labels\": [" + (0...1000).map { "{\"label\": \"l\($0)\"}" }.joined(separator: ",") + "]}"
            expectEqual(try await client.json(.put, "/v1/labelsets/a", tooMany).problem, "invalid-body")
            let text = try await client.execute(uri: "/v1/labelsets/a", method: .put, headers: [.contentType: "text/plain"],
                                                 body: ByteBuffer(string: body))
            XCTAssertEqual(text.status, .unsupportedMediaType)
            XCTAssertEqual(text.problem, "unsupported-media-type")
        }
    }

    func testBuiltinSetsAreReadOnly() async throws {
        let builtin = LabelSet(name: "kinetics-demo", version: 1, builtin: true, embeddingMode: .name,
                               labels: [LabelEntry(label: "archery"), LabelEntry(label: "bowling")])
        let app = ServiceHarness.application(try ServiceHarness.core(builtins: ["kinetics-demo": builtin]))
        try await app.test(.router) { client in
            let read = try await client.execute(uri: "/v1/labelsets/kinetics-demo", method: .get)
            XCTAssertEqual(read.status, .ok)
            XCTAssertEqual(read.object["builtin"] as? Bool, true)
            expectEqual(try await client.json(.put, "/v1/labelsets/kinetics-demo", body).problem, "label-set-read-only")
            expectEqual(try await client.json(.post, "/v1/labelsets/kinetics-demo/labels", #"{"label": "x"}"#).status, .conflict)
            expectEqual(try await client.execute(uri: "/v1/labelsets/kinetics-demo", method: .delete).status, .conflict)
            expectEqual(try await client.execute(uri: "/v1/labelsets/kinetics-demo/labels/archery", method: .delete).status, .conflict)
            let list = try await client.execute(uri: "/v1/labelsets", method: .get)
            XCTAssertEqual((list.object["labelsets"] as? [[String: Any]])?.first?["builtin"] as? Bool, true)
        }
    }

    func testBuiltinSetsLoadFromADirectory() throws {
        let directory = ServiceHarness.temporaryDirectory()
        try Data(#"{"labels": [{"label": "archery"}, {"label": "bowling", "descriptions": ["ten pins"]}]}"#.utf8)
            .write(to: directory.appendingPathComponent("sports.json"))
        let sets = try LabelSetDirectory.load(directory: directory.path)
        XCTAssertEqual(sets["sports"]?.labels, [LabelEntry(label: "archery"), LabelEntry(label: "bowling", descriptions: ["ten pins"])])
        XCTAssertEqual(sets["sports"]?.builtin, true)

        try Data(#"{"labels": [{"label": "x"}, {"label": "x"}]}"#.utf8).write(to: directory.appendingPathComponent("twice.json"))
        XCTAssertThrowsError(try LabelSetDirectory.load(directory: directory.path)) { error in
            XCTAssertTrue(String(describing: error).contains("twice.json"), "\(error)")
        }
        XCTAssertEqual(try LabelSetDirectory.load(directory: directory.appendingPathComponent("absent").path), [:])
    }
}
