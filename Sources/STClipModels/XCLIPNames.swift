// Checkpoint key strings of Hugging Face's `XCLIPModel` layout: the only place they are spelled
// (the text tower, its projection and `logit_scale` are CLIP's, in CLIPNames).

/// Keys of one cross-frame vision layer: CLIP's layer keys plus the communication token's.
struct CrossFrameLayerNames {
    let prefix: String
    var clip: EncoderLayerNames { .init(prefix: prefix) }
    var messageFC: String { prefix + "message_fc" }
    var messageLayerNorm: String { prefix + "message_ln" }
    /// X-CLIP's message attention; projections `.q_proj`, `.k_proj`, `.v_proj`, `.out_proj`.
    var messageAttention: String { prefix + "message_attn" }
}

/// Keys of the multi-frame integration transformer under `prefix` (`mit.`).
struct MultiframeIntegrationNames {
    let prefix: String
    var positionEmbedding: String { prefix + "position_embedding" }
    func layer(_ j: Int) -> EncoderLayerNames { .init(prefix: prefix + "encoder.layers.\(j).") }
}

/// Keys of one layer of X-CLIP's video-specific prompt generator.
struct PromptGeneratorLayerNames {
    let prefix: String
    var norm1: String { prefix + "norm1" }
    var query: String { prefix + "cross_attn.q_proj" }
    var key: String { prefix + "cross_attn.k_proj" }
    var value: String { prefix + "cross_attn.v_proj" }
    var output: String { prefix + "cross_attn.proj" }
    var norm3: String { prefix + "norm3" }
    var fc1: String { prefix + "mlp.0" }
    var fc2: String { prefix + "mlp.3" }
}

/// `XCLIPModel` keys.
enum XCLIPNames {
    // MARK: - Vision tower
    static let preLayerNorm = "vision_model.pre_layernorm"
    static func visionLayer(_ i: Int) -> CrossFrameLayerNames { .init(prefix: "vision_model.encoder.layers.\(i).") }
    static let mit = MultiframeIntegrationNames(prefix: "mit.")

    // MARK: - Video-specific prompts
    static let promptsVisualLayerNorm = "prompts_visual_layernorm"
    static let promptsVisualProjection = "prompts_visual_projection"
    static let promptLayerNorm = "prompts_generator.layernorm"
    static func promptLayer(_ i: Int) -> PromptGeneratorLayerNames { .init(prefix: "prompts_generator.decoder.\(i).") }
    static let promptAlpha = "prompts_generator.alpha"
}
