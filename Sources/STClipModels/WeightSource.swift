import STClipRuntime

/// Where a model's weights come from: a checkpoint directory in the product. Every lookup names the
/// shape the config implies, so a checkpoint that disagrees with its config fails at load, by name.
public protocol WeightSource {
    /// The tensor `name`, which must have exactly `shape`.
    func tensor(_ name: String, shape: [Int]) throws -> Tensor
}

extension WeightSource {
    /// The value of scalar tensor `name` (shape `[]`). Copied out while the tensor is alive: a converted
    /// F16/BF16 tensor owns its buffer, so reading `.data` of a temporary would read freed memory.
    func scalar(_ name: String) throws -> Float {
        try tensor(name, shape: []).toArray()[0]
    }

    /// `name.weight` `(out, in)` and, when `bias`, `name.bias` `(out)`.
    func linear(_ name: String, out: Int, in inFeatures: Int, bias: Bool = true) throws -> Linear {
        Linear(weight: try tensor(name + ".weight", shape: [out, inFeatures]),
               bias: bias ? try tensor(name + ".bias", shape: [out]) : nil)
    }

    /// `name.weight` and `name.bias`, both `(dim)`.
    func layerNorm(_ name: String, dim: Int, eps: Float) throws -> LayerNorm {
        LayerNorm(weight: try tensor(name + ".weight", shape: [dim]), bias: try tensor(name + ".bias", shape: [dim]), eps: eps)
    }

    /// A pre-LN attention block: `layerNorm` and the q/k/v/out projections under `attention`.
    func attentionBlock(layerNorm: String, attention: String, dim: Int, heads: Int, eps: Float) throws -> AttentionBlock {
        AttentionBlock(
            layerNorm: try self.layerNorm(layerNorm, dim: dim, eps: eps),
            q: try linear(attention + ".q_proj", out: dim, in: dim),
            k: try linear(attention + ".k_proj", out: dim, in: dim),
            v: try linear(attention + ".v_proj", out: dim, in: dim),
            out: try linear(attention + ".out_proj", out: dim, in: dim),
            heads: heads)
    }

    /// One pre-LN encoder layer of width `dim` with an MLP of width `intermediate`.
    func encoderLayer(_ names: EncoderLayerNames, dim: Int, intermediate: Int, heads: Int,
                      activation: Kernels.Activation, eps: Float) throws -> EncoderLayer {
        EncoderLayer(
            attention: try attentionBlock(layerNorm: names.layerNorm1, attention: names.selfAttention, dim: dim, heads: heads, eps: eps),
            mlp: MLPBlock(
                layerNorm: try layerNorm(names.layerNorm2, dim: dim, eps: eps),
                fc1: try linear(names.fc1, out: intermediate, in: dim),
                fc2: try linear(names.fc2, out: dim, in: intermediate),
                activation: activation))
    }

    /// Class token, patch and position embeddings of a ViT under `names`.
    func patchEmbedding(_ names: PatchEmbeddingNames, config c: CLIPVisionConfig) throws -> PatchEmbedding {
        PatchEmbedding(
            patchWeight: try tensor(names.patchEmbedding, shape: [c.hiddenSize, c.channels, c.patchSize, c.patchSize]),
            classEmbedding: try tensor(names.classEmbedding, shape: [c.hiddenSize]),
            positionEmbedding: try tensor(names.positionEmbedding, shape: [c.tokens, c.hiddenSize]))
    }
}

extension WeightSource {
    /// The multi-frame integration transformer under `names`, for clips of `frames` frames.
    func multiframeIntegration(_ names: MultiframeIntegrationNames, config c: MITConfig, frames: Int,
                               activation: Kernels.Activation, eps: Float) throws -> MultiframeIntegration {
        MultiframeIntegration(
            positionEmbedding: try tensor(names.positionEmbedding, shape: [1, frames, c.hiddenSize]),
            layers: try (0..<c.layers).map {
                try encoderLayer(names.layer($0), dim: c.hiddenSize, intermediate: c.intermediateSize, heads: c.heads,
                                 activation: activation, eps: eps)
            })
    }
}
