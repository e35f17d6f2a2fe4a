import Foundation
import STClipRuntime

/// Turns classes into class embeddings with one model's text tower: each class embedding is the
/// mean of the L2-normalised embeddings of its texts (its name in every prompt template and/or its
/// descriptions, by mode), renormalised.
///
/// Texts and classes already encoded come from the cache, so a label set costs one pass through the
/// text tower per model; concurrent callers wait for one another rather than encode twice.
public final class ClassTextEncoder: @unchecked Sendable {
    public let model: LoadedModel
    /// The key this model's entries are cached under.
    public let modelID: String
    public let templates: PromptTemplates
    public let cache: ClassEmbeddingCache

    /// Texts per pass through the text tower. A batch is padded to its longest text, so texts are
    /// sorted by length first; 64 keeps a batch's activations small on real-size models.
    public static let batchSize = 64

    private let encodeLock = NSLock()    // serialises encoding, so a text is never encoded twice
    private let counterLock = NSLock()
    private var encoded = 0              // guarded by `counterLock`

    public init(model: LoadedModel, modelID: String? = nil, templates: PromptTemplates = .standard,
                cache: ClassEmbeddingCache = ClassEmbeddingCache()) {
        self.model = model
        self.modelID = modelID ?? model.directory
        self.templates = templates
        self.cache = cache
    }

    /// How many texts this encoder has run through the text tower (cache misses).
    public var encodedTextCount: Int { counterLock.withLock { encoded } }

    /// The texts `definition` contributes under `mode`, and whether the templates stood in for
    /// missing descriptions (only in the `descriptions` mode).
    public func texts(for definition: ClassDefinition, mode: ClassEmbeddingMode) -> (texts: [String], templateFallback: Bool) {
        switch mode {
        case .name:
            return ([definition.text], false)
        case .templates:
            return (templates.filled(with: definition.text), false)
        case .descriptions:
            return definition.descriptions.isEmpty ? (templates.filled(with: definition.text), true) : (definition.descriptions, false)
        case .all:
            return (templates.filled(with: definition.text) + definition.descriptions, false)
        }
    }

    /// The class embeddings of `classes` under `mode`, in the order given.
    public func embeddings(for classes: [ClassDefinition], mode: ClassEmbeddingMode) throws -> ClassEmbeddings {
        guard !classes.isEmpty else { throw ClassEmbeddingError.noClasses }
        var seen = Set<String>()
        for c in classes {
            guard !c.name.isEmpty, !c.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ClassEmbeddingError.emptyClassText(name: c.name)
            }
            guard seen.insert(c.name).inserted else { throw ClassEmbeddingError.duplicateClassName(c.name) }
        }
        let perClass = classes.map { texts(for: $0, mode: mode) }
        let keys = perClass.map { ClassEmbeddingCache.ClassKey(modelID: modelID, mode: mode, texts: $0.texts) }
        let missing = keys.filter { cache.classVector($0) == nil }
        if !missing.isEmpty {
            try encodeMissing(Set(missing.flatMap(\.texts)))
            for key in missing { cache.store(try average(key.texts), for: key) }
        }
        let p = model.embeddingDimension
        var vectors = [Float](), norms = [Float]()
        vectors.reserveCapacity(classes.count * p)
        for key in keys {
            guard let v = cache.classVector(key) else {
                throw ClassEmbeddingError.malformedEmbeddings(detail: "the cache lost a class of model \(modelID)")
            }
            vectors += v.unit
            norms.append(v.norm)
        }
        return try ClassEmbeddings(modelID: modelID, mode: mode, templates: mode == .name ? [] : templates.templates,
                                   names: classes.map(\.name), dimension: p, vectors: vectors, norms: norms,
                                   textCounts: perClass.map(\.texts.count),
                                   templateFallbacks: zip(classes, perClass).filter { $0.1.templateFallback }.map { $0.0.name })
    }

    /// Encodes every text of `texts` that is not cached yet, shortest first, in batches.
    private func encodeMissing(_ texts: Set<String>) throws {
        try encodeLock.withLock {
            let todo = texts.filter { cache.text(.init(modelID: modelID, text: $0)) == nil }
                .sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count < $1.utf8.count : $0 < $1 }
            let p = model.embeddingDimension
            for start in stride(from: 0, to: todo.count, by: Self.batchSize) {
                let batch = Array(todo[start..<min(start + Self.batchSize, todo.count)])
                let out = try model.textEmbeddings(batch)                                    // (B, P)
                for (i, text) in batch.enumerated() {
                    cache.store(Array(out.buffer[(i * p)..<(i * p + p)]), for: .init(modelID: modelID, text: text))
                }
                counterLock.withLock { encoded += batch.count }
            }
        }
    }

    /// The renormalised mean of the normalised embeddings of `texts`, and their mean raw norm.
    private func average(_ texts: [String]) throws -> ClassEmbeddingCache.ClassVector {
        let p = model.embeddingDimension
        var sum = [Double](repeating: 0, count: p), normSum = 0.0
        for text in texts {
            guard let raw = cache.text(.init(modelID: modelID, text: text)) else {
                throw ClassEmbeddingError.malformedEmbeddings(detail: "no embedding for \"\(text)\"")
            }
            let norm = raw.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            guard norm > 0 else { throw ClassEmbeddingError.malformedEmbeddings(detail: "\"\(text)\" embeds to the zero vector") }
            for i in 0..<p { sum[i] += Double(raw[i]) / norm }
            normSum += norm
        }
        let length = sum.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        guard length > 0 else { throw ClassEmbeddingError.malformedEmbeddings(detail: "the texts of a class cancel out") }
        return .init(unit: sum.map { Float($0 / length) }, norm: Float(normSum / Double(texts.count)))
    }
}
