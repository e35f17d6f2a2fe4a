/// The size of one transformer stack.
public struct TransformerSummary: Sendable, Equatable, Encodable {
    public let layers: Int
    /// The residual width.
    public let width: Int
    public let heads: Int
    /// The MLP's hidden width.
    public let intermediateSize: Int

    public init(layers: Int, width: Int, heads: Int, intermediateSize: Int) {
        self.layers = layers
        self.width = width
        self.heads = heads
        self.intermediateSize = intermediateSize
    }

    enum CodingKeys: String, CodingKey {
        case layers, width, heads
        case intermediateSize = "intermediate_size"
    }
}
