/// The body of `POST /v1/embeddings/text`.
struct TextEmbeddingsBody: Decodable, Sendable {
    var texts: [String]
}
