import STClipRuntime

/// The class embeddings of one list of classes under one model and mode, in a form that can be
/// stored and reused: unit-length rows, the mode and templates they came from, and the scale of
/// the raw text embeddings.
public struct ClassEmbeddings: Sendable, Equatable, Codable {
    /// The model the texts were encoded by (by default its directory).
    public let modelID: String
    /// Which texts were averaged.
    public let mode: ClassEmbeddingMode
    /// The prompt templates used by the `templates` and `all` modes (and by `descriptions` for
    /// classes in `templateFallbacks`).
    public let templates: [String]
    /// The class names, in row order.
    public let names: [String]
    /// The embedding width P.
    public let dimension: Int
    /// Row-major `(C, P)`: per class, the mean of its texts' L2-normalised embeddings, renormalised.
    public let vectors: [Float]
    /// Per class, the mean L2 norm of its texts' raw embeddings. Cosine scoring ignores it; X-CLIP
    /// needs it because its prompt generator adds to the raw text features.
    public let norms: [Float]
    /// Per class, how many texts were averaged.
    public let textCounts: [Int]
    /// Classes without descriptions that the `descriptions` mode embedded from the templates instead.
    public let templateFallbacks: [String]

    public init(modelID: String, mode: ClassEmbeddingMode, templates: [String], names: [String], dimension: Int,
                vectors: [Float], norms: [Float], textCounts: [Int], templateFallbacks: [String]) throws(ClassEmbeddingError) {
        guard !names.isEmpty else { throw .noClasses }
        guard dimension > 0, vectors.count == names.count * dimension else {
            throw .malformedEmbeddings(detail: "\(vectors.count) values for \(names.count) classes of width \(dimension)")
        }
        guard norms.count == names.count, textCounts.count == names.count else {
            throw .malformedEmbeddings(detail: "\(norms.count) norms and \(textCounts.count) text counts for \(names.count) classes")
        }
        self.modelID = modelID
        self.mode = mode
        self.templates = templates
        self.names = names
        self.dimension = dimension
        self.vectors = vectors
        self.norms = norms
        self.textCounts = textCounts
        self.templateFallbacks = templateFallbacks
    }

    private enum CodingKeys: String, CodingKey {
        case modelID = "model_id", mode, templates, names, dimension, vectors, norms
        case textCounts = "text_counts", templateFallbacks = "template_fallbacks"
    }

    /// Decodes and checks that the shapes agree, so a damaged store cannot yield a wrong-sized tensor.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(modelID: try c.decode(String.self, forKey: .modelID), mode: try c.decode(ClassEmbeddingMode.self, forKey: .mode),
                          templates: try c.decode([String].self, forKey: .templates), names: try c.decode([String].self, forKey: .names),
                          dimension: try c.decode(Int.self, forKey: .dimension), vectors: try c.decode([Float].self, forKey: .vectors),
                          norms: try c.decode([Float].self, forKey: .norms), textCounts: try c.decode([Int].self, forKey: .textCounts),
                          templateFallbacks: try c.decode([String].self, forKey: .templateFallbacks))
        } catch let error as ClassEmbeddingError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// The number of classes C.
    public var count: Int { names.count }

    /// The unit rows as a `(C, P)` tensor.
    public func tensor() -> Tensor {
        Tensor(shape: [count, dimension], values: vectors)
    }

    /// Each unit row times its class's mean raw norm: the direction of the averaged embedding at
    /// the scale of a single text's embedding, which is what the models' text heads produce.
    public func scaledTensor() -> Tensor {
        let out = tensor()
        for r in 0..<count { for i in 0..<dimension { out.data[r * dimension + i] *= norms[r] } }
        return out
    }
}
