/// `POST /v1/embeddings/text`: one L2-normalised vector per text, in order.
struct TextEmbeddingsDocument: Encodable, Sendable {
    var model: ModelDocument
    var dimension: Int
    var embeddings: [[Float]]
}
