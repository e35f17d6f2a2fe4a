/// What an API key may do. A key belongs to exactly the scopes whose key list names it.
public enum APIScope: String, Sendable, Hashable, CaseIterable {
    /// `POST /v1/classify`, `POST /v1/embeddings/text`, and reading label sets.
    case inference
    /// Creating, changing and deleting label sets (and reading them).
    case admin
    /// `GET /metrics`, when metrics keys are configured.
    case metrics
}
