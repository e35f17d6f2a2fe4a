/// Which texts a class embedding averages.
public enum ClassEmbeddingMode: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The class text alone, as plain CLIP zero-shot classification uses it.
    case name
    /// The class text placed in every prompt template (ActionCLIP-style ensembling).
    case templates
    /// The class's descriptions (the seed paper's LLM-expanded class text).
    case descriptions
    /// The templates and the descriptions together.
    case all

    public var description: String { rawValue }
}
