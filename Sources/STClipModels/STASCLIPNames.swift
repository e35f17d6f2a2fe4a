// Checkpoint key strings of the seed paper's model (`stas-clip`, written by Training/stasclip):
// the only place they are spelled. Everything CLIP has keeps CLIP's keys (CLIPNames); the
// communication token's message_* keys are X-CLIP's (XCLIPNames).

/// The temporal-mixing parameters of one vision layer.
struct TemporalMixingNames {
    let prefix: String
    /// TWS's depthwise 1×1 convolution: `.weight` (D, 1, 1), `.bias` (D).
    var tws: String { prefix + "tws" }
    /// The TC ablation's depthwise temporal convolution: `.weight` (D, 1, k), `.bias` (D).
    var temporalConv: String { prefix + "temporal_conv" }
}

/// `stas-clip` keys.
enum STASCLIPNames {
    static func visionLayer(_ i: Int) -> CrossFrameLayerNames { XCLIPNames.visionLayer(i) }
    static func mixing(_ i: Int) -> TemporalMixingNames { .init(prefix: "vision_model.encoder.layers.\(i).") }
    static let mit = MultiframeIntegrationNames(prefix: "mit.")

    // MARK: - Auxiliary head
    static let auxTemporal = MultiframeIntegrationNames(prefix: "aux_head.temporal.")
    static let auxReduce = "aux_head.reduce"
    static let auxFCPooled = "aux_head.fc_pooled"
    static let auxFCVideo = "aux_head.fc_video"
}
