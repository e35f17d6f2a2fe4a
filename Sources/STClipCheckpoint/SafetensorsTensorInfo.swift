/// One tensor's header entry in a safetensors file, validated.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    /// The tensor's name (the header key).
    public let name: String
    /// The element type.
    public let dtype: SafetensorsDType
    /// The extent of each dimension, outermost first; empty for a scalar.
    public let shape: [Int]
    /// The number of elements: the product of `shape` (1 for a scalar).
    public let elementCount: Int
    /// The tensor's bytes, as offsets from the start of the data buffer (just after the header).
    public let dataOffsets: Range<Int>
}
