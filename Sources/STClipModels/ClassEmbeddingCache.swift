import Foundation

/// Text and class embeddings already computed, shared by every `ClassTextEncoder` given it, so
/// that a label set is encoded once per model however often it is scored.
///
/// Keys carry the model id: one cache can serve several models. Entries are never evicted on
/// their own; `removeAll(modelID:)` drops a model's entries when it is unloaded. Thread-safe.
public final class ClassEmbeddingCache: @unchecked Sendable {
    struct TextKey: Hashable {
        let modelID: String
        let text: String
    }

    struct ClassKey: Hashable {
        let modelID: String
        let mode: ClassEmbeddingMode
        let texts: [String]
    }

    struct ClassVector {
        let unit: [Float]
        let norm: Float
    }

    private let lock = NSLock()
    private var texts: [TextKey: [Float]] = [:]       // raw projected text embeddings; guarded by `lock`
    private var classes: [ClassKey: ClassVector] = [:] // guarded by `lock`

    public init() {}

    /// How many text embeddings are held.
    public var textCount: Int { lock.withLock { texts.count } }

    /// How many class embeddings are held.
    public var classCount: Int { lock.withLock { classes.count } }

    /// Forgets everything computed with `modelID`.
    public func removeAll(modelID: String) {
        lock.withLock {
            texts = texts.filter { $0.key.modelID != modelID }
            classes = classes.filter { $0.key.modelID != modelID }
        }
    }

    func text(_ key: TextKey) -> [Float]? { lock.withLock { texts[key] } }

    func store(_ value: [Float], for key: TextKey) { lock.withLock { texts[key] = value } }

    func classVector(_ key: ClassKey) -> ClassVector? { lock.withLock { classes[key] } }

    func store(_ value: ClassVector, for key: ClassKey) { lock.withLock { classes[key] = value } }
}
