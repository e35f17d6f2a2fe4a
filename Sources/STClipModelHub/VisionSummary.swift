/// The vision tower: its transformer and how it cuts a frame into patches.
public struct VisionSummary: Sendable, Equatable, Encodable {
    public let transformer: TransformerSummary
    /// The side of a square patch, in pixels.
    public let patchSize: Int
    /// The side of the square frame the tower takes, in pixels.
    public let imageSize: Int
    /// Patches per frame: (image / patch)².
    public let patches: Int

    enum CodingKeys: String, CodingKey {
        case transformer
        case patchSize = "patch_size", imageSize = "image_size", patches
    }
}
