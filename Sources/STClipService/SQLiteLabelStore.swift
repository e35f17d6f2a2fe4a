import Foundation
import GRDB
import STClipModels

/// The embedded label store: one SQLite file through GRDB, created (with its directory) on
/// first start. WAL journal with `synchronous = FULL`, so a committed change survives the
/// process being killed, and the machine losing power.
public final class SQLiteLabelStore: LabelStore {
    private let pool: DatabasePool

    /// Opens or creates the database at `path` and brings its schema up to date.
    public init(path: String) throws(ServiceStartupError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw .labelStore("SQLite database \(path): \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE label_sets (
                    name TEXT PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL,
                    embedding_mode TEXT NOT NULL
                );
                CREATE TABLE labels (
                    label_set TEXT NOT NULL REFERENCES label_sets(name) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    label TEXT NOT NULL,
                    descriptions TEXT NOT NULL,
                    PRIMARY KEY (label_set, label)
                );
                CREATE TABLE class_embeddings (
                    model_id TEXT NOT NULL,
                    embedding_key TEXT NOT NULL,
                    dimension INTEGER NOT NULL,
                    vector BLOB NOT NULL,
                    PRIMARY KEY (model_id, embedding_key)
                );
                """)
        }
        // Runtime expansion's answers; a database made before it gains the table and keeps its sets.
        migrator.registerMigration("v2-class-descriptions") { db in
            try db.execute(sql: """
                CREATE TABLE class_descriptions (
                    llm_model TEXT NOT NULL,
                    class_text TEXT NOT NULL,
                    descriptions TEXT NOT NULL,
                    PRIMARY KEY (llm_model, class_text)
                );
                """)
        }
        return migrator
    }

    /// Runs `body` in a write transaction, turning database errors into `LabelStoreError`.
    private func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch let error as LabelStoreError { throw error } catch {
            throw LabelStoreError.unavailable(String(describing: error))
        }
    }

    private func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let error as LabelStoreError { throw error } catch {
            throw LabelStoreError.unavailable(String(describing: error))
        }
    }

    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func listLabelSets() async throws -> [LabelSetSummary] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.name, s.version, (SELECT COUNT(*) FROM labels l WHERE l.label_set = s.name) AS count
                FROM label_sets s ORDER BY s.name
                """).map { LabelSetSummary(name: $0["name"], version: $0["version"], builtin: false, labelCount: $0["count"]) }
        }
    }

    public func labelSet(named name: String) async throws -> LabelSet? {
        try await read { db in try Self.fetchSet(db, name) }
    }

    public func putLabelSet(named name: String, labels: [LabelEntry], mode: ClassEmbeddingMode, embeddings: EmbeddingBatch,
                            precondition: VersionPrecondition) async throws -> (set: LabelSet, created: Bool) {
        try await write { db in
            let current = try Self.version(db, name)
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
            try Self.insert(db, embeddings)
            if current == nil {
                try db.execute(sql: "INSERT INTO label_sets (name, version, embedding_mode) VALUES (?, 1, ?)",
                               arguments: [name, mode.rawValue])
            } else {
                try db.execute(sql: "UPDATE label_sets SET version = version + 1, embedding_mode = ? WHERE name = ?",
                               arguments: [mode.rawValue, name])
                try db.execute(sql: "DELETE FROM labels WHERE label_set = ?", arguments: [name])
            }
            for (position, entry) in labels.enumerated() {
                try Self.insert(db, entry, set: name, position: position)
            }
            return (try Self.fetchSet(db, name)!, current == nil)
        }
    }

    public func deleteLabelSet(named name: String, precondition: VersionPrecondition) async throws {
        try await write { db in
            let current = try Self.version(db, name)
            guard current != nil else { throw LabelStoreError.labelSetNotFound(name) }
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
            try db.execute(sql: "DELETE FROM label_sets WHERE name = ?", arguments: [name])
        }
    }

    public func putLabel(_ entry: LabelEntry, inSet name: String, embeddings: EmbeddingBatch,
                         precondition: VersionPrecondition) async throws -> (set: LabelSet, created: Bool) {
        try await write { db in
            let current = try Self.version(db, name)
            guard current != nil else { throw LabelStoreError.labelSetNotFound(name) }
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
            try Self.insert(db, embeddings)
            let existing = try Int.fetchOne(db, sql: "SELECT position FROM labels WHERE label_set = ? AND label = ?",
                                            arguments: [name, entry.label])
            if existing != nil {
                try db.execute(sql: "UPDATE labels SET descriptions = ? WHERE label_set = ? AND label = ?",
                               arguments: [try DescriptionsCoding.encode(entry.descriptions), name, entry.label])
            } else {
                let next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(position) + 1, 0) FROM labels WHERE label_set = ?",
                                            arguments: [name]) ?? 0
                try Self.insert(db, entry, set: name, position: next)
            }
            try db.execute(sql: "UPDATE label_sets SET version = version + 1 WHERE name = ?", arguments: [name])
            return (try Self.fetchSet(db, name)!, existing == nil)
        }
    }

    public func deleteLabel(_ label: String, fromSet name: String, precondition: VersionPrecondition) async throws -> LabelSet {
        try await write { db in
            let current = try Self.version(db, name)
            guard current != nil else { throw LabelStoreError.labelSetNotFound(name) }
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
            try db.execute(sql: "DELETE FROM labels WHERE label_set = ? AND label = ?", arguments: [name, label])
            guard db.changesCount > 0 else { throw LabelStoreError.labelNotFound(set: name, label: label) }
            try db.execute(sql: "UPDATE label_sets SET version = version + 1 WHERE name = ?", arguments: [name])
            return try Self.fetchSet(db, name)!
        }
    }

    public func embeddings(modelID: String, keys texts: [String]) async throws -> [String: [Float]] {
        guard !texts.isEmpty else { return [:] }
        return try await read { db in
            var out: [String: [Float]] = [:]
            // SQLite bounds host parameters per statement; 500 texts a query stays well under it.
            for start in stride(from: 0, to: texts.count, by: 500) {
                let chunk = Array(texts[start..<min(start + 500, texts.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let rows = try Row.fetchAll(db, sql: "SELECT embedding_key, dimension, vector FROM class_embeddings WHERE model_id = ? AND embedding_key IN (\(marks))",
                                            arguments: StatementArguments([modelID] + chunk))
                for row in rows {
                    let text: String = row["embedding_key"], dimension: Int = row["dimension"], bytes: Data = row["vector"]
                    guard let vector = VectorCoding.decode(bytes, dimension: dimension) else {
                        throw LabelStoreError.corrupt("embedding of '\(text)' for \(modelID) has \(bytes.count) bytes for \(dimension) floats")
                    }
                    out[text] = vector
                }
            }
            return out
        }
    }

    public func storeEmbeddings(_ batch: EmbeddingBatch) async throws {
        guard !batch.vectors.isEmpty else { return }
        try await write { db in try Self.insert(db, batch) }
    }

    public func cachedDescriptions(llmModel: String, classTexts: [String]) async throws -> [String: [String]] {
        guard !classTexts.isEmpty else { return [:] }
        return try await read { db in
            var out: [String: [String]] = [:]
            // As for embeddings: 500 host parameters a query.
            for start in stride(from: 0, to: classTexts.count, by: 500) {
                let chunk = Array(classTexts[start..<min(start + 500, classTexts.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let rows = try Row.fetchAll(db, sql: "SELECT class_text, descriptions FROM class_descriptions WHERE llm_model = ? AND class_text IN (\(marks))",
                                            arguments: StatementArguments([llmModel] + chunk))
                for row in rows {
                    let text: String = row["class_text"]
                    out[text] = try DescriptionsCoding.decode(row["descriptions"], of: "\(llmModel)'s answer about '\(text)'")
                }
            }
            return out
        }
    }

    public func storeDescriptions(_ descriptions: [String], llmModel: String, classText: String) async throws {
        let encoded = try DescriptionsCoding.encode(descriptions)
        try await write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO class_descriptions (llm_model, class_text, descriptions) VALUES (?, ?, ?)",
                           arguments: [llmModel, classText, encoded])
        }
    }

    // MARK: - Statements

    private static func version(_ db: Database, _ name: String) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT version FROM label_sets WHERE name = ?", arguments: [name])
    }

    private static func fetchSet(_ db: Database, _ name: String) throws -> LabelSet? {
        guard let row = try Row.fetchOne(db, sql: "SELECT version, embedding_mode FROM label_sets WHERE name = ?", arguments: [name]) else {
            return nil
        }
        let modeName: String = row["embedding_mode"]
        guard let mode = ClassEmbeddingMode(rawValue: modeName) else {
            throw LabelStoreError.corrupt("label set '\(name)' has unknown embedding mode '\(modeName)'")
        }
        let labels = try Row.fetchAll(db, sql: "SELECT label, descriptions FROM labels WHERE label_set = ? ORDER BY position",
                                      arguments: [name]).map { row in
            LabelEntry(label: row["label"], descriptions: try DescriptionsCoding.decode(row["descriptions"], of: "label set '\(name)'"))
        }
        return LabelSet(name: name, version: row["version"], builtin: false, embeddingMode: mode, labels: labels)
    }

    private static func insert(_ db: Database, _ entry: LabelEntry, set: String, position: Int) throws {
        try db.execute(sql: "INSERT INTO labels (label_set, position, label, descriptions) VALUES (?, ?, ?, ?)",
                       arguments: [set, position, entry.label, try DescriptionsCoding.encode(entry.descriptions)])
    }

    private static func insert(_ db: Database, _ batch: EmbeddingBatch) throws {
        for (text, vector) in batch.vectors {
            try db.execute(sql: "INSERT OR IGNORE INTO class_embeddings (model_id, embedding_key, dimension, vector) VALUES (?, ?, ?, ?)",
                           arguments: [batch.modelID, text, vector.count, VectorCoding.encode(vector)])
        }
    }
}
