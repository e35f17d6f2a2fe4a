import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
@testable import STClipService
import XCTest

/// The same contract for both label stores: SQLite in a temporary file, and PostgreSQL at
/// `STCLIP_TEST_POSTGRES_URL` (Scripts/test.sh starts a throwaway server on loopback and sets
/// it; without it the PostgreSQL cases are skipped and say so).
final class LabelStoreTests: XCTestCase {
    func testSQLiteContract() async throws {
        let store = try SQLiteLabelStore(path: ServiceHarness.temporaryDirectory().appendingPathComponent("labels.sqlite").path)
        try await Self.contract(store)
        try await Self.concurrentWriters(store)
    }

    func testSQLiteReopensWhatItStored() async throws {
        let path = ServiceHarness.temporaryDirectory().appendingPathComponent("nested/dir/labels.sqlite").path
        let batch = EmbeddingBatch(modelID: "m", vectors: ["a": [1, 2, 3]])
        do {
            let store = try SQLiteLabelStore(path: path)
            _ = try await store.putLabelSet(named: "s", labels: [LabelEntry(label: "a", descriptions: ["x"])], mode: .name,
                                            embeddings: batch, precondition: .none)
        }
        let reopened = try SQLiteLabelStore(path: path)
        let set = try await reopened.labelSet(named: "s")
        XCTAssertEqual(set?.labels, [LabelEntry(label: "a", descriptions: ["x"])])
        expectEqual(try await reopened.embeddings(modelID: "m", keys: ["a"]), ["a": [1, 2, 3]])
    }

    func testPostgresContract() async throws {
        let store = try PostgresLabelStore(url: try await Self.freshPostgres(), logger: ServiceHarness.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            try await Self.contract(store)
            try await Self.concurrentWriters(store)
            group.cancelAll()
        }
    }

    /// Two replicas on one PostgreSQL database see each other's label sets.
    func testReplicasShareLabelSetsThroughPostgres() async throws {
        let video = try TestVideos.mp4()
        let url = try await Self.freshPostgres()
        let first = try PostgresLabelStore(url: url, logger: ServiceHarness.logger)
        let second = try PostgresLabelStore(url: url, logger: ServiceHarness.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await first.run() }
            group.addTask { await second.run() }
            let a = ServiceHarness.application(try ServiceHarness.core(store: first))
            let b = ServiceHarness.application(try ServiceHarness.core(store: second))
            try await a.test(.router) { client in
                expectEqual(try await client.json(.put, "/v1/labelsets/shared", #"{"labels": [{"label": "dancing"}, {"label": "surfing"}]}"#).status,
                            .created)
                expectEqual(try await client.execute(uri: "/readyz", method: .get).status, .ok)
            }
            try await b.test(.router) { client in
                let response = try await client.classify(video, query: "labelset=shared")
                XCTAssertEqual(response.status, .ok, String(buffer: response.body))
                XCTAssertEqual((response.object["labelset"] as? [String: Any])?["version"] as? Int, 1)
                expectEqual(try await client.json(.post, "/v1/labelsets/shared/labels", #"{"label": "rowing"}"#).status, .created)
            }
            let set = try await first.labelSet(named: "shared")
            XCTAssertEqual(set?.labels.map(\.label), ["dancing", "surfing", "rowing"])
            group.cancelAll()
        }
    }

    func testPostgresUnreachableIsUnavailable() async throws {
        let store = try PostgresLabelStore(url: "postgres://nobody@127.0.0.1:1/none?sslmode=disable", logger: ServiceHarness.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            let start = ContinuousClock.now
            defer { XCTAssertLessThan(ContinuousClock.now - start, .seconds(6)) }
            do {
                try await store.ping()
                XCTFail("ping succeeded")
            } catch let error as LabelStoreError {
                guard case .unavailable = error else { return XCTFail("\(error)") }
            }
            group.cancelAll()
        }
        XCTAssertThrowsError(try PostgresLabelStore(url: "postgres:///x?sslmode=verify-full", logger: ServiceHarness.logger))
    }

    // MARK: - The contract

    static func contract(_ store: some LabelStore) async throws {
        try await store.ping()
        expectEqual(try await store.listLabelSets(), [])
        expectEqual(try await store.labelSet(named: "actions"), nil)
        let model = "sha256:model-a"
        let labels = [LabelEntry(label: "dancing", descriptions: ["a person dancing", "line\nbreak"]), LabelEntry(label: "swimming")]
        let batch = EmbeddingBatch(modelID: model, vectors: ["dancing": [0.5, -1, 2.25], "swimming": [1, 0, -0]])

        let (created, isNew) = try await store.putLabelSet(named: "actions", labels: labels, mode: .name, embeddings: batch, precondition: .absent)
        XCTAssertTrue(isNew)
        XCTAssertEqual(created, LabelSet(name: "actions", version: 1, builtin: false, embeddingMode: .name, labels: labels))
        expectEqual(try await store.embeddings(modelID: model, keys: ["dancing", "swimming", "absent"]), batch.vectors)
        expectEqual(try await store.embeddings(modelID: "sha256:model-b", keys: ["dancing"]), [:])
        expectEqual(try await store.embeddings(modelID: model, keys: []), [:])

        await assertPrecondition(current: 1) {
            _ = try await store.putLabelSet(named: "actions", labels: [], mode: .name, embeddings: batch, precondition: .absent)
        }
        await assertPrecondition(current: 1) {
            _ = try await store.putLabel(LabelEntry(label: "x"), inSet: "actions", embeddings: batch, precondition: .version([2, 3]))
        }
        let (added, addedNew) = try await store.putLabel(LabelEntry(label: "climbing"), inSet: "actions",
                                                         embeddings: EmbeddingBatch(modelID: model, vectors: ["climbing": [7, 8, 9]]),
                                                         precondition: .version([1]))
        XCTAssertTrue(addedNew)
        XCTAssertEqual(added.version, 2)
        XCTAssertEqual(added.labels.map(\.label), ["dancing", "swimming", "climbing"])
        let (replaced, replacedNew) = try await store.putLabel(LabelEntry(label: "dancing", descriptions: ["ballet"]), inSet: "actions",
                                                               embeddings: EmbeddingBatch(modelID: model, vectors: [:]), precondition: .exists)
        XCTAssertFalse(replacedNew)
        XCTAssertEqual(replaced.labels.map(\.label), ["dancing", "swimming", "climbing"])
        XCTAssertEqual(replaced.labels[0].descriptions, ["ballet"])
        XCTAssertEqual(replaced.version, 3)

        let removed = try await store.deleteLabel("swimming", fromSet: "actions", precondition: .none)
        XCTAssertEqual(removed.labels.map(\.label), ["dancing", "climbing"])
        XCTAssertEqual(removed.version, 4)
        await assertError(LabelStoreError.labelNotFound(set: "actions", label: "swimming")) {
            _ = try await store.deleteLabel("swimming", fromSet: "actions", precondition: .none)
        }
        await assertError(LabelStoreError.labelSetNotFound("none")) {
            _ = try await store.putLabel(LabelEntry(label: "x"), inSet: "none", embeddings: batch, precondition: .none)
        }

        // Embeddings already stored are kept: the store never overwrites a model's vector.
        try await store.storeEmbeddings(EmbeddingBatch(modelID: model, vectors: ["dancing": [9, 9, 9], "new": [1, 1, 1]]))
        expectEqual(try await store.embeddings(modelID: model, keys: ["dancing", "new"]), ["dancing": [0.5, -1, 2.25], "new": [1, 1, 1]])

        let (second, _) = try await store.putLabelSet(named: "b-set", labels: [LabelEntry(label: "zeta"), LabelEntry(label: "alpha")],
                                                      mode: .name, embeddings: EmbeddingBatch(modelID: model, vectors: [:]), precondition: .none)
        XCTAssertEqual(second.labels.map(\.label), ["zeta", "alpha"], "labels keep the order they were given in")
        expectEqual(try await store.listLabelSets(), [
            LabelSetSummary(name: "actions", version: 4, builtin: false, labelCount: 2),
            LabelSetSummary(name: "b-set", version: 1, builtin: false, labelCount: 2),
        ])
        let (again, againNew) = try await store.putLabelSet(named: "b-set", labels: [], mode: .name,
                                                            embeddings: EmbeddingBatch(modelID: model, vectors: [:]), precondition: .none)
        XCTAssertFalse(againNew)
        XCTAssertEqual(again.version, 2)
        XCTAssertEqual(again.labels, [])

        await assertPrecondition(current: 4) { try await store.deleteLabelSet(named: "actions", precondition: .version([3])) }
        try await store.deleteLabelSet(named: "actions", precondition: .version([4]))
        expectEqual(try await store.labelSet(named: "actions"), nil)
        await assertError(LabelStoreError.labelSetNotFound("actions")) { try await store.deleteLabelSet(named: "actions", precondition: .none) }
        let (recreated, recreatedNew) = try await store.putLabelSet(named: "actions", labels: [LabelEntry(label: "solo")], mode: .name,
                                                                    embeddings: EmbeddingBatch(modelID: model, vectors: [:]), precondition: .none)
        XCTAssertTrue(recreatedNew)
        XCTAssertEqual(recreated.version, 1)
        XCTAssertEqual(recreated.labels.map(\.label), ["solo"], "a deleted set's labels are gone with it")
        try await store.deleteLabelSet(named: "actions", precondition: .none)
        try await store.deleteLabelSet(named: "b-set", precondition: .none)

        // Language models' descriptions of class texts: by model and text, the first answer kept.
        expectEqual(try await store.cachedDescriptions(llmModel: "llm-a", classTexts: ["juggling"]), [:])
        try await store.storeDescriptions(["Balls rise and fall.", "Hands toss in a rhythm."], llmModel: "llm-a", classText: "juggling")
        try await store.storeDescriptions(["A later answer."], llmModel: "llm-a", classText: "juggling")
        try await store.storeDescriptions(["Another model's answer."], llmModel: "llm-b", classText: "juggling")
        expectEqual(try await store.cachedDescriptions(llmModel: "llm-a", classTexts: ["juggling", "rowing"]),
                    ["juggling": ["Balls rise and fall.", "Hands toss in a rhythm."]])
        expectEqual(try await store.cachedDescriptions(llmModel: "llm-b", classTexts: ["juggling"]), ["juggling": ["Another model's answer."]])
        expectEqual(try await store.cachedDescriptions(llmModel: "llm-a", classTexts: []), [:])
    }

    /// A database written before descriptions were cached opens with its sets as they were and
    /// gains the cache.
    func testSQLiteFromBeforeTheDescriptionCacheMigrates() async throws {
        let path = ServiceHarness.temporaryDirectory().appendingPathComponent("labels.sqlite").path
        let old = try DatabaseQueue(path: path)
        try await old.write { db in
            // The schema of the first release, as GRDB's migrator recorded it.
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations (identifier) VALUES ('v1');
                CREATE TABLE label_sets (name TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, embedding_mode TEXT NOT NULL);
                CREATE TABLE labels (
                    label_set TEXT NOT NULL REFERENCES label_sets(name) ON DELETE CASCADE,
                    position INTEGER NOT NULL, label TEXT NOT NULL, descriptions TEXT NOT NULL,
                    PRIMARY KEY (label_set, label));
                CREATE TABLE class_embeddings (
                    model_id TEXT NOT NULL, embedding_key TEXT NOT NULL, dimension INTEGER NOT NULL, vector BLOB NOT NULL,
                    PRIMARY KEY (model_id, embedding_key));
                INSERT INTO label_sets VALUES ('old', 3, 'all');
                INSERT INTO labels VALUES ('old', 0, 'dancing', '["A person dancing."]');
                """)
        }
        try old.close()
        let store = try SQLiteLabelStore(path: path)
        let set = try await store.labelSet(named: "old")
        XCTAssertEqual(set, LabelSet(name: "old", version: 3, builtin: false, embeddingMode: .all,
                                     labels: [LabelEntry(label: "dancing", descriptions: ["A person dancing."])]))
        try await store.storeDescriptions(["Balls rise and fall."], llmModel: "llm", classText: "juggling")
        expectEqual(try await store.cachedDescriptions(llmModel: "llm", classTexts: ["juggling"]), ["juggling": ["Balls rise and fall."]])
    }

    func testPostgresFromBeforeTheDescriptionCacheMigrates() async throws {
        let url = try await Self.freshPostgres()
        let components = try XCTUnwrap(URLComponents(string: url))
        let client = PostgresClient(configuration: .init(host: components.host ?? "127.0.0.1", port: components.port ?? 5432,
                                                         username: components.user ?? "postgres", password: components.password,
                                                         database: String(components.path.dropFirst()), tls: .disable),
                                    backgroundLogger: ServiceHarness.logger)
        let store = try PostgresLabelStore(url: url, logger: ServiceHarness.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            group.addTask { await store.run() }
            // The schema of the first release.
            try await client.query("CREATE TABLE label_sets (name TEXT PRIMARY KEY, version BIGINT NOT NULL, embedding_mode TEXT NOT NULL)")
            try await client.query("""
                CREATE TABLE labels (label_set TEXT NOT NULL REFERENCES label_sets(name) ON DELETE CASCADE, position INTEGER NOT NULL,
                                     label TEXT NOT NULL, descriptions TEXT NOT NULL, PRIMARY KEY (label_set, label))
                """)
            try await client.query("""
                CREATE TABLE class_embeddings (model_id TEXT NOT NULL, embedding_key TEXT NOT NULL, dimension INTEGER NOT NULL,
                                               vector BYTEA NOT NULL, PRIMARY KEY (model_id, embedding_key))
                """)
            try await client.query("INSERT INTO label_sets VALUES ('old', 3, 'all')")
            try await client.query(#"INSERT INTO labels VALUES ('old', 0, 'dancing', '["A person dancing."]')"#)

            let set = try await store.labelSet(named: "old")
            XCTAssertEqual(set, LabelSet(name: "old", version: 3, builtin: false, embeddingMode: .all,
                                         labels: [LabelEntry(label: "dancing", descriptions: ["A person dancing."])]))
            try await store.storeDescriptions(["Balls rise and fall."], llmModel: "llm", classText: "juggling")
            expectEqual(try await store.cachedDescriptions(llmModel: "llm", classTexts: ["juggling"]), ["juggling": ["Balls rise and fall."]])
            group.cancelAll()
        }
    }

    /// The lock on asking one question: held by one replica at a time, let go however its holder ends.
    func testPostgresAskingLockIsExclusiveAcrossReplicas() async throws {
        let url = try await Self.freshPostgres()
        let first = try PostgresLabelStore(url: url, logger: ServiceHarness.logger)
        let second = try PostgresLabelStore(url: url, logger: ServiceHarness.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await first.run() }
            group.addTask { await second.run() }
            let inside = try await first.ifNoneAsking(llmModel: "llm", classText: "juggling") {
                let other = try await second.ifNoneAsking(llmModel: "llm", classText: "juggling") { "second asked" }
                let otherText = try await second.ifNoneAsking(llmModel: "llm", classText: "rowing") { "rowing asked" }
                return [other ?? "busy", otherText ?? "busy"]
            }
            XCTAssertEqual(inside, ["busy", "rowing asked"])
            expectEqual(try await second.ifNoneAsking(llmModel: "llm", classText: "juggling") { "free again" }, "free again")
            do {
                _ = try await first.ifNoneAsking(llmModel: "llm", classText: "juggling") { () async throws -> String in
                    throw LabelStoreError.unavailable("the holder failed")
                }
                XCTFail("the holder's error was not passed on")
            } catch let error as LabelStoreError {
                XCTAssertEqual(error, .unavailable("the holder failed"))
            }
            expectEqual(try await second.ifNoneAsking(llmModel: "llm", classText: "juggling") { "free after a failure" }, "free after a failure")
            group.cancelAll()
        }
    }

    /// Writers racing on one set each get a distinct version, and none of their labels is lost.
    static func concurrentWriters(_ store: some LabelStore) async throws {
        _ = try await store.putLabelSet(named: "race", labels: [], mode: .name, embeddings: EmbeddingBatch(modelID: "m", vectors: [:]),
                                        precondition: .none)
        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<12 {
                group.addTask {
                    try await store.putLabel(LabelEntry(label: "label \(i)"), inSet: "race",
                                             embeddings: EmbeddingBatch(modelID: "m", vectors: ["label \(i)": [Float(i)]]),
                                             precondition: .none).set.version
                }
            }
            var out: [Int] = []
            for try await version in group { out.append(version) }
            return out
        }
        XCTAssertEqual(versions.sorted(), Array(2...13))
        let set = try await store.labelSet(named: "race")
        XCTAssertEqual(Set(set?.labels.map(\.label) ?? []), Set((0..<12).map { "label \($0)" }))
        try await store.deleteLabelSet(named: "race", precondition: .none)
    }

    static func assertPrecondition(current: Int?, file: StaticString = #filePath, line: UInt = #line,
                                   _ body: () async throws -> Void) async {
        await assertError(LabelStoreError.preconditionFailed(current: current), file: file, line: line, body)
    }

    static func assertError(_ expected: LabelStoreError, file: StaticString = #filePath, line: UInt = #line,
                            _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("no error; expected \(expected)", file: file, line: line)
        } catch let error as LabelStoreError {
            XCTAssertEqual(error, expected, file: file, line: line)
        } catch {
            XCTFail("\(error); expected \(expected)", file: file, line: line)
        }
    }

    /// The test server's URL, with the service's tables dropped.
    static func freshPostgres() async throws -> String {
        guard let url = ProcessInfo.processInfo.environment["STCLIP_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw XCTSkip("STCLIP_TEST_POSTGRES_URL is not set (Scripts/test.sh starts a PostgreSQL server and sets it)")
        }
        let components = try XCTUnwrap(URLComponents(string: url))
        let client = PostgresClient(configuration: .init(host: components.host ?? "127.0.0.1", port: components.port ?? 5432,
                                                         username: components.user ?? "postgres", password: components.password,
                                                         database: String(components.path.dropFirst()), tls: .disable),
                                    backgroundLogger: ServiceHarness.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query("DROP TABLE IF EXISTS labels, label_sets, class_embeddings, class_descriptions CASCADE")
            group.cancelAll()
        }
        return url
    }
}
