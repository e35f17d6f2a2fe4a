/// Errors raised while loading or running the CLIP BPE tokenizer.
public enum TokenizerError: Error, Equatable, Sendable {
    /// A tokenizer file (`vocab.json`, `merges.txt`, or a config file that was named
    /// explicitly) is missing or unreadable; `reason` says why.
    case unreadableFile(path: String, reason: String)
    /// A tokenizer file exists but its content is malformed; `detail` says where.
    case malformedFile(path: String, detail: String)
    /// A special token the tokenizer needs (BOS, EOS, pad or unk, as configured) is absent
    /// from the vocabulary; the associated value is the token's text.
    case missingSpecialToken(String)
}
