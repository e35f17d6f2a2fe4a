// Checkpoint key strings of Hugging Face's `CLIPModel` layout: the only place they are spelled.

/// Keys of one pre-LN encoder layer under `prefix` (e.g. `vision_model.encoder.layers.3.`); the
/// same inside every CLIP-family model.
struct EncoderLayerNames {
    let prefix: String
    var layerNorm1: String { prefix + "layer_norm1" }
    /// The attention module; its projections are `.q_proj`, `.k_proj`, `.v_proj`, `.out_proj`.
    var selfAttention: String { prefix + "self_attn" }
    var layerNorm2: String { prefix + "layer_norm2" }
    var fc1: String { prefix + "mlp.fc1" }
    var fc2: String { prefix + "mlp.fc2" }
}

/// Keys of a ViT's embeddings under `prefix` (e.g. `vision_model.embeddings.`).
struct PatchEmbeddingNames {
    let prefix: String
    var classEmbedding: String { prefix + "class_embedding" }
    var patchEmbedding: String { prefix + "patch_embedding.weight" }
    var positionEmbedding: String { prefix + "position_embedding.weight" }
    var positionIDs: String { prefix + "position_ids" }
}

/// `CLIPModel` keys. Module names take `.weight` / `.bias` suffixes; parameters are complete keys.
enum CLIPNames {
    // MARK: - Vision tower
    static let visionEmbeddings = PatchEmbeddingNames(prefix: "vision_model.embeddings.")
    static let preLayerNorm = "vision_model.pre_layrnorm"
    static func visionLayer(_ i: Int) -> EncoderLayerNames { .init(prefix: "vision_model.encoder.layers.\(i).") }
    static let postLayerNorm = "vision_model.post_layernorm"
    static let visualProjection = "visual_projection.weight"

    // MARK: - Text tower
    static let tokenEmbedding = "text_model.embeddings.token_embedding.weight"
    static let textPositionEmbedding = "text_model.embeddings.position_embedding.weight"
    static let textPositionIDs = "text_model.embeddings.position_ids"
    static func textLayer(_ i: Int) -> EncoderLayerNames { .init(prefix: "text_model.encoder.layers.\(i).") }
    static let finalLayerNorm = "text_model.final_layer_norm"
    static let textProjection = "text_projection.weight"

    // MARK: - Similarity
    static let logitScale = "logit_scale"

    /// Buffers that checkpoints may carry and the runtime recomputes.
    static let ignorableBuffers: Set<String> = [visionEmbeddings.positionIDs, textPositionIDs]
}
