import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import STClipModels
import Synchronization

/// The label store for replicas that share label sets: PostgreSQL through postgres-nio's
/// connection pool. A service of its own (the pool runs beside the server). The schema is
/// created on first use under an advisory lock, so replicas starting together do not collide;
/// writers of one label set are serialised by a per-set advisory lock inside their transaction,
/// and replicas asking a language model about the same class text by a lock of its own.
public final class PostgresLabelStore: SharedDescriptionStore, Service {
    private let client: PostgresClient
    private let logger: Logger
    private let migration = Mutex<Task<Void, any Error>?>(nil)

    /// `postgres://user:password@host:port/database?sslmode=disable|prefer|require`
    /// (`prefer` when not given, as libpq does).
    public init(url: String, logger: Logger) throws(ServiceStartupError) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw .labelStore("'\(Self.redacted(url))' is not a postgres://user:password@host:port/database URL")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require": tls = .require(.makeClientConfiguration())
        default: throw .labelStore("sslmode '\(mode)' is not supported (disable, prefer, require)")
        }
        let configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: tls)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://…"
    }

    /// Runs the connection pool until the service group shuts down.
    public func run() async {
        await cancelWhenGracefulShutdown { await self.client.run() }
    }

    // MARK: - Schema

    private func migrated() async throws {
        let task = migration.withLock { task in
            if let task { return task }
            let new = Task { try await self.migrate() }
            task = new
            return new
        }
        do { try await task.value } catch {
            // Let the next call try again (the server may come up later).
            migration.withLock { if $0 == task { $0 = nil } }
            throw LabelStoreError.unavailable(String(reflecting: error))
        }
    }

    private func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7311004215)", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS label_sets (
                    name TEXT PRIMARY KEY,
                    version BIGINT NOT NULL,
                    embedding_mode TEXT NOT NULL
                )
                """, logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS labels (
                    label_set TEXT NOT NULL REFERENCES label_sets(name) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    label TEXT NOT NULL,
                    descriptions TEXT NOT NULL,
                    PRIMARY KEY (label_set, label)
                )
                """, logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS class_embeddings (
                    model_id TEXT NOT NULL,
                    embedding_key TEXT NOT NULL,
                    dimension INTEGER NOT NULL,
                    vector BYTEA NOT NULL,
                    PRIMARY KEY (model_id, embedding_key)
                )
                """, logger: logger)
            // Runtime expansion's answers; added to a database made before it, whose sets stay as they are.
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS class_descriptions (
                    llm_model TEXT NOT NULL,
                    class_text TEXT NOT NULL,
                    descriptions TEXT NOT NULL,
                    PRIMARY KEY (llm_model, class_text)
                )
                """, logger: logger)
        }
    }

    /// Runs `body` after the schema exists, with database errors as `LabelStoreError.unavailable`.
    private func perform<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await migrated()
        do { return try await body() } catch let error as LabelStoreError { throw error } catch let error as PostgresTransactionError {
            // The transaction was rolled back: a refusal from inside it (a failed precondition,
            // say) is the caller's answer.
            if let refusal = error.closureError as? LabelStoreError, error.rollbackError == nil { throw refusal }
            throw LabelStoreError.unavailable(String(reflecting: error))
        } catch {
            throw LabelStoreError.unavailable(String(reflecting: error))
        }
    }

    /// A write transaction holding the set's advisory lock; `body` gets the set's version.
    private func writeSet<T: Sendable>(_ name: String, _ body: @escaping (PostgresConnection, Int?) async throws -> T) async throws -> T {
        try await perform {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(name)))", logger: logger)
                return try await body(connection, try await self.version(connection, name))
            }
        }
    }

    // MARK: - LabelStore

    /// Fails with `.unavailable` after `pingTimeout` rather than wait for the pool to connect
    /// (a lease request is not cancellable; it ends by itself within the connect timeout).
    public func ping() async throws {
        let answer = FirstAnswer()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            answer.set(continuation)
            Task {
                do {
                    _ = try await self.perform { try await self.client.query("SELECT 1", logger: self.logger) }
                    answer.resume(.success(()))
                } catch {
                    answer.resume(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: Self.pingTimeout)
                answer.resume(.failure(LabelStoreError.unavailable("no answer within \(Self.pingTimeout)")))
            }
        }
    }

    /// Resumes a continuation with whichever result comes first.
    private final class FirstAnswer: Sendable {
        private let continuation = Mutex<CheckedContinuation<Void, any Error>?>(nil)
        func set(_ c: CheckedContinuation<Void, any Error>) { continuation.withLock { $0 = c } }
        func resume(_ result: Result<Void, any Error>) { continuation.withLock { $0.take() }?.resume(with: result) }
    }

    static let pingTimeout = Duration.seconds(3)

    public func listLabelSets() async throws -> [LabelSetSummary] {
        try await perform {
            let rows = try await client.query("""
                SELECT s.name, s.version, (SELECT COUNT(*) FROM labels l WHERE l.label_set = s.name)
                FROM label_sets s ORDER BY s.name
                """, logger: logger)
            var out: [LabelSetSummary] = []
            for try await (name, version, count) in rows.decode((String, Int, Int).self) {
                out.append(LabelSetSummary(name: name, version: version, builtin: false, labelCount: count))
            }
            return out
        }
    }

    public func labelSet(named name: String) async throws -> LabelSet? {
        try await perform { try await client.withConnection { try await self.fetchSet($0, name) } }
    }

    public func putLabelSet(named name: String, labels: [LabelEntry], mode: ClassEmbeddingMode, embeddings: EmbeddingBatch,
                            precondition: VersionPrecondition) async throws -> (set: LabelSet, created: Bool) {
        try await writeSet(name) { connection, current in
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
            try await self.insert(connection, embeddings)
            if current == nil {
                try await connection.query("INSERT INTO label_sets (name, version, embedding_mode) VALUES (\(name), 1, \(mode.rawValue))",
                                           logger: self.logger)
            } else {
                try await connection.query("UPDATE label_sets SET version = version + 1, embedding_mode = \(mode.rawValue) WHERE name = \(name)",
                                           logger: self.logger)
                try await connection.query("DELETE FROM labels WHERE label_set = \(name)", logger: self.logger)
            }
            for (position, entry) in labels.enumerated() { try await self.insert(connection, entry, set: name, position: position) }
            return (try await self.fetchSet(connection, name)!, current == nil)
        }
    }

    public func deleteLabelSet(named name: String, precondition: VersionPrecondition) async throws {
        try await writeSet(name) { connection, current in
            guard current != nil else { throw LabelStoreError.labelSetNotFound(name) }
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
            try await connection.query("DELETE FROM label_sets WHERE name = \(name)", logger: self.logger)
        }
    }

    public func putLabel(_ entry: LabelEntry, inSet name: String, embeddings: EmbeddingBatch,
                         precondition: VersionPrecondition) async throws -> (set: LabelSet, created: Bool) {
        try await writeSet(name) { connection, current in
            guard current != nil else { throw LabelStoreError.labelSetNotFound(name) }
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
            try await self.insert(connection, embeddings)
            let descriptions = try DescriptionsCoding.encode(entry.descriptions)
            let updated = try await connection.query("""
                UPDATE labels SET descriptions = \(descriptions) WHERE label_set = \(name) AND label = \(entry.label) RETURNING position
                """, logger: self.logger).collect().count
            if updated == 0 {
                var next = 0
                for try await value in try await connection.query(
                    "SELECT COALESCE(MAX(position) + 1, 0)::INTEGER FROM labels WHERE label_set = \(name)", logger: self.logger).decode(Int.self) {
                    next = value
                }
                try await self.insert(connection, entry, set: name, position: next)
            }
            try await connection.query("UPDATE label_sets SET version = version + 1 WHERE name = \(name)", logger: self.logger)
            return (try await self.fetchSet(connection, name)!, updated == 0)
        }
    }

    public func deleteLabel(_ label: String, fromSet name: String, precondition: VersionPrecondition) async throws -> LabelSet {
        try await writeSet(name) { connection, current in
            guard current != nil else { throw LabelStoreError.labelSetNotFound(name) }
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
            let deleted = try await connection.query("DELETE FROM labels WHERE label_set = \(name) AND label = \(label) RETURNING label",
                                                     logger: self.logger).collect().count
            guard deleted > 0 else { throw LabelStoreError.labelNotFound(set: name, label: label) }
            try await connection.query("UPDATE label_sets SET version = version + 1 WHERE name = \(name)", logger: self.logger)
            return try await self.fetchSet(connection, name)!
        }
    }

    public func embeddings(modelID: String, keys texts: [String]) async throws -> [String: [Float]] {
        guard !texts.isEmpty else { return [:] }
        return try await perform {
            let rows = try await client.query(
                "SELECT embedding_key, dimension, vector FROM class_embeddings WHERE model_id = \(modelID) AND embedding_key = ANY(\(texts))", logger: logger)
            var out: [String: [Float]] = [:]
            for try await (text, dimension, bytes) in rows.decode((String, Int, ByteBuffer).self) {
                guard let vector = VectorCoding.decode(bytes.readableBytesView, dimension: dimension) else {
                    throw LabelStoreError.corrupt("embedding of '\(text)' for \(modelID) has \(bytes.readableBytes) bytes for \(dimension) floats")
                }
                out[text] = vector
            }
            return out
        }
    }

    public func storeEmbeddings(_ batch: EmbeddingBatch) async throws {
        guard !batch.vectors.isEmpty else { return }
        try await perform { try await client.withTransaction(logger: logger) { try await self.insert($0, batch) } }
    }

    public func cachedDescriptions(llmModel: String, classTexts: [String]) async throws -> [String: [String]] {
        guard !classTexts.isEmpty else { return [:] }
        return try await perform {
            let rows = try await client.query(
                "SELECT class_text, descriptions FROM class_descriptions WHERE llm_model = \(llmModel) AND class_text = ANY(\(classTexts))",
                logger: logger)
            var out: [String: [String]] = [:]
            for try await (text, descriptions) in rows.decode((String, String).self) {
                out[text] = try DescriptionsCoding.decode(descriptions, of: "\(llmModel)'s answer about '\(text)'")
            }
            return out
        }
    }

    public func storeDescriptions(_ descriptions: [String], llmModel: String, classText: String) async throws {
        let encoded = try DescriptionsCoding.encode(descriptions)
        try await perform {
            _ = try await client.query("""
                INSERT INTO class_descriptions (llm_model, class_text, descriptions) VALUES (\(llmModel), \(classText), \(encoded))
                ON CONFLICT (llm_model, class_text) DO NOTHING
                """, logger: logger)
        }
    }

    // MARK: - SharedDescriptionStore

    /// The lock is a transaction-level advisory lock on the two 32-bit hashes of the model and the
    /// text (a key space apart from the one-key locks of the schema and the sets), held in a
    /// transaction that stays open while `body` runs: it is released when `body` ends however it
    /// ends, and by the server when the connection is lost. Two questions whose hashes collide
    /// only take turns.
    public func ifNoneAsking<T: Sendable>(llmModel: String, classText: String,
                                          _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await perform {
            try await client.withTransaction(logger: logger) { connection -> T? in
                var held = false
                for try await locked in try await connection.query(
                    "SELECT pg_try_advisory_xact_lock(hashtext(\(llmModel)), hashtext(\(classText)))", logger: self.logger).decode(Bool.self) {
                    held = locked
                }
                guard held else { return nil }
                return try await body()
            }
        }
    }

    // MARK: - Statements

    private func version(_ connection: PostgresConnection, _ name: String) async throws -> Int? {
        var version: Int?
        for try await value in try await connection.query("SELECT version FROM label_sets WHERE name = \(name)", logger: logger).decode(Int.self) {
            version = value
        }
        return version
    }

    private func fetchSet(_ connection: PostgresConnection, _ name: String) async throws -> LabelSet? {
        var header: (version: Int, mode: String)?
        for try await (version, mode) in try await connection.query(
            "SELECT version, embedding_mode FROM label_sets WHERE name = \(name)", logger: logger).decode((Int, String).self) {
            header = (version, mode)
        }
        guard let header else { return nil }
        guard let mode = ClassEmbeddingMode(rawValue: header.mode) else {
            throw LabelStoreError.corrupt("label set '\(name)' has unknown embedding mode '\(header.mode)'")
        }
        var labels: [LabelEntry] = []
        for try await (label, descriptions) in try await connection.query(
            "SELECT label, descriptions FROM labels WHERE label_set = \(name) ORDER BY position", logger: logger).decode((String, String).self) {
            labels.append(LabelEntry(label: label, descriptions: try DescriptionsCoding.decode(descriptions, of: "label set '\(name)'")))
        }
        return LabelSet(name: name, version: header.version, builtin: false, embeddingMode: mode, labels: labels)
    }

    private func insert(_ connection: PostgresConnection, _ entry: LabelEntry, set: String, position: Int) async throws {
        let descriptions = try DescriptionsCoding.encode(entry.descriptions)
        try await connection.query("""
            INSERT INTO labels (label_set, position, label, descriptions) VALUES (\(set), \(position), \(entry.label), \(descriptions))
            """, logger: logger)
    }

    private func insert(_ connection: PostgresConnection, _ batch: EmbeddingBatch) async throws {
        for (text, vector) in batch.vectors {
            let bytes = ByteBuffer(data: VectorCoding.encode(vector))
            try await connection.query("""
                INSERT INTO class_embeddings (model_id, embedding_key, dimension, vector) VALUES (\(batch.modelID), \(text), \(vector.count), \(bytes))
                ON CONFLICT (model_id, embedding_key) DO NOTHING
                """, logger: logger)
        }
    }
}
