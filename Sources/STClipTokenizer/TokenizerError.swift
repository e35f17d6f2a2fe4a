/// Errors raised while loading or running the CLIP BPE tokenizer.
public enum TokenizerError: Error, Equatable, Sendable {
    /// A tokenizer file (`vocab.json`, `merges.txt`) is missing or unreadable.
    case unreadableFile(path: String, reason: String)
    /// A tokenizer file exists but its content is malformed; `detail` says where.
    case malformedFile(path: String, detail: String)
    /// A special token the tokenizer needs is absent from the vocabulary.
    case missingSpecialToken(String)
}
