import Foundation
import STClipRuntime

// CLIP (Radford et al. 2021) in Hugging Face's `CLIPModel` layout: a ViT image tower and a causal
// text transformer, each pooled to one token and projected into a shared embedding space.
// Shapes: B images or texts, L tokens, D width, P projection dim; N = (S/patch)² patches per image.

// MARK: - Config

/// The vision tower's hyper-parameters (`vision_config` in `config.json`).
public struct CLIPVisionConfig: Sendable, Equatable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var layers = 12
    public var heads = 12
    public var channels = 3
    public var imageSize = 224
    public var patchSize = 32
    public var activation = Kernels.Activation.quickGELU
    public var layerNormEps: Float = 1e-5

    public init() {}

    /// Patches per image side.
    public var grid: Int { imageSize / patchSize }
    /// Tokens per image: the class token and the patches.
    public var tokens: Int { grid * grid + 1 }
}

/// The text tower's hyper-parameters (`text_config` in `config.json`).
public struct CLIPTextConfig: Sendable, Equatable {
    public var vocabSize = 49408
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var layers = 12
    public var heads = 8
    public var maxPositions = 77
    public var activation = Kernels.Activation.quickGELU
    public var layerNormEps: Float = 1e-5
    /// The pooling token; 2 selects transformers' legacy rule (the position of the largest id).
    public var eosTokenID = 49407

    public init() {}
}

/// A whole `CLIPModel` config.
public struct CLIPConfig: Sendable, Equatable {
    public var vision = CLIPVisionConfig()
    public var text = CLIPTextConfig()
    public var projectionDim = 512

    public init() {}
}

// MARK: - Weights

/// The image tower: patch embedding, class and position embeddings, pre-LN, encoder, post-LN.
public struct CLIPVisionTower: Sendable {
    public let config: CLIPVisionConfig
    let embeddings: PatchEmbedding  // patch (D, C, p, p), class (D), positions (N+1, D)
    let preLayerNorm: LayerNorm
    let layers: [EncoderLayer]
    let postLayerNorm: LayerNorm

    /// Loads the tower's weights from `w`, checking every shape against `c`.
    public init(config c: CLIPVisionConfig, weights w: some WeightSource) throws {
        config = c
        let d = c.hiddenSize
        embeddings = try w.patchEmbedding(CLIPNames.visionEmbeddings, config: c)
        preLayerNorm = try w.layerNorm(CLIPNames.preLayerNorm, dim: d, eps: c.layerNormEps)
        layers = try (0..<c.layers).map {
            try w.encoderLayer(CLIPNames.visionLayer($0), dim: d, intermediate: c.intermediateSize,
                               heads: c.heads, activation: c.activation, eps: c.layerNormEps)
        }
        postLayerNorm = try w.layerNorm(CLIPNames.postLayerNorm, dim: d, eps: c.layerNormEps)
    }
}

/// The text tower: token and position embeddings, causal encoder, final LN.
public struct CLIPTextTower: Sendable {
    public let config: CLIPTextConfig
    let tokenEmbedding: Tensor     // (V, D)
    let positionEmbedding: Tensor  // (77, D)
    let layers: [EncoderLayer]
    let finalLayerNorm: LayerNorm

    /// Loads the tower's weights from `w`, checking every shape against `c`.
    public init(config c: CLIPTextConfig, weights w: some WeightSource) throws {
        config = c
        let d = c.hiddenSize
        tokenEmbedding = try w.tensor(CLIPNames.tokenEmbedding, shape: [c.vocabSize, d])
        positionEmbedding = try w.tensor(CLIPNames.textPositionEmbedding, shape: [c.maxPositions, d])
        layers = try (0..<c.layers).map {
            try w.encoderLayer(CLIPNames.textLayer($0), dim: d, intermediate: c.intermediateSize,
                               heads: c.heads, activation: c.activation, eps: c.layerNormEps)
        }
        finalLayerNorm = try w.layerNorm(CLIPNames.finalLayerNorm, dim: d, eps: c.layerNormEps)
    }
}

/// Both towers, their projections into the joint space, and the learned temperature.
public struct CLIPModel: Sendable {
    public let config: CLIPConfig
    public let vision: CLIPVisionTower
    public let text: CLIPTextTower
    let visualProjection: Linear  // (P, Dv), no bias
    let textProjection: Linear    // (P, Dt), no bias
    /// log of the similarity scale; logits = cos · exp(logitScale).
    public let logitScale: Float

    /// Loads both towers, the projections and the temperature from `w`.
    public init(config c: CLIPConfig, weights w: some WeightSource) throws {
        config = c
        vision = try CLIPVisionTower(config: c.vision, weights: w)
        text = try CLIPTextTower(config: c.text, weights: w)
        visualProjection = Linear(weight: try w.tensor(CLIPNames.visualProjection, shape: [c.projectionDim, c.vision.hiddenSize]), bias: nil)
        textProjection = Linear(weight: try w.tensor(CLIPNames.textProjection, shape: [c.projectionDim, c.text.hiddenSize]), bias: nil)
        logitScale = try w.scalar(CLIPNames.logitScale)
    }
}

// MARK: - Forward: vision

/// What a tower returns; `hiddenStates` is filled only when asked for (tests compare it layer by layer).
public struct TowerOutput: Sendable {
    /// The encoder's last layer, after the tower's final norm where it has one: `(B, L, D)`.
    public let lastHiddenState: Tensor
    /// One vector per input before projection: `(B, D)`.
    public let pooled: Tensor
    /// The encoder input and every layer's output, as transformers' `hidden_states`: each `(B, L, D)`.
    public let hiddenStates: [Tensor]
}

extension CLIPVisionTower {
    /// Throws unless pixels are `(B, C, S, S)` at the configured size.
    fileprivate func validate(_ pixels: Tensor) throws {
        let c = config
        guard pixels.rank == 4, pixels.shape[1] == c.channels, pixels.shape[2] == c.imageSize, pixels.shape[3] == c.imageSize else {
            throw ModelError.badInputShape(name: "pixel_values", shape: pixels.shape,
                                           expected: "(frames, \(c.channels), \(c.imageSize), \(c.imageSize))")
        }
    }

    /// pixels `(B, C, S, S)`, already normalised → tokens and the post-LN class token.
    public func forward(_ pixels: Tensor, recordHiddenStates: Bool = false) throws -> TowerOutput {
        let c = config
        try validate(pixels)
        let b = pixels.shape[0], l = c.tokens, d = c.hiddenSize
        var x = embeddings(pixels)                                     // (B·L, D)
        x = preLayerNorm(x)
        var hidden: [Tensor] = recordHiddenStates ? [x.reshaped([b, l, d])] : []
        for layer in layers {
            x = layer(x, batch: b, sequence: l)                        // (B·L, D)
            if recordHiddenStates { hidden.append(x.reshaped([b, l, d])) }
        }
        let cls = AttentionBlock.firstRows(of: x, count: b, sequence: l)  // (B, D): token 0 of each image
        return TowerOutput(lastHiddenState: x.reshaped([b, l, d]), pooled: postLayerNorm(cls), hiddenStates: hidden)
    }
}

extension CLIPVisionTower {
    /// pixels `(B, C, S, S)` → the post-LN class tokens `(B, D)` alone, equal to
    /// `forward(pixels).pooled`: the last layer runs its queries, output projection and MLP on the
    /// class tokens only, since no other token of it reaches the pooled output.
    public func pooled(_ pixels: Tensor) throws -> Tensor {
        let c = config
        try validate(pixels)
        let b = pixels.shape[0], l = c.tokens
        var x = preLayerNorm(embeddings(pixels))                       // (B·L, D)
        for layer in layers.dropLast() { x = layer(x, batch: b, sequence: l) }
        guard let last = layers.last else { return postLayerNorm(AttentionBlock.firstRows(of: x, count: b, sequence: l)) }
        return postLayerNorm(last.tokens(Array(repeating: 0, count: b), of: x, sequence: l))  // (B, D)
    }
}

// MARK: - Forward: text

extension CLIPTextTower {
    /// input ids `(B, L)` with right padding and its attention mask → final-LN tokens and the
    /// pooled token (the first EOS; transformers' rule, legacy rule for `eos_token_id == 2`).
    public func forward(inputIDs: [[Int]], attentionMask: [[Int]]? = nil, recordHiddenStates: Bool = false) throws -> TowerOutput {
        let (embedded, keyLengths) = try embed(inputIDs: inputIDs, attentionMask: attentionMask)
        let b = inputIDs.count, l = inputIDs[0].count, d = config.hiddenSize
        var x = embedded                                               // (B·L, D)
        var hidden: [Tensor] = recordHiddenStates ? [x.reshaped([b, l, d])] : []
        let mask = Kernels.AttentionMask(causal: true, keyLengths: keyLengths)
        for layer in layers {
            x = layer(x, batch: b, sequence: l, mask: mask)            // (B·L, D)
            if recordHiddenStates { hidden.append(x.reshaped([b, l, d])) }
        }
        x = finalLayerNorm(x)
        let pooled = AttentionBlock.rows(inputIDs.map(poolingIndex), of: x, sequence: l)  // (B, D)
        return TowerOutput(lastHiddenState: x.reshaped([b, l, d]), pooled: pooled, hiddenStates: hidden)
    }

    /// The pooled tokens `(B, D)` alone, equal to `forward(...).pooled`: the last layer computes
    /// the pooled token of each text only (its query sees the keys a causal mask leaves it).
    public func pooled(inputIDs: [[Int]], attentionMask: [[Int]]? = nil) throws -> Tensor {
        let (embedded, keyLengths) = try embed(inputIDs: inputIDs, attentionMask: attentionMask)
        let b = inputIDs.count, l = inputIDs[0].count
        var x = embedded                                               // (B·L, D)
        let mask = Kernels.AttentionMask(causal: true, keyLengths: keyLengths)
        for layer in layers.dropLast() { x = layer(x, batch: b, sequence: l, mask: mask) }
        let picks = inputIDs.map(poolingIndex)
        guard let last = layers.last else { return finalLayerNorm(AttentionBlock.rows(picks, of: x, sequence: l)) }
        // Causal: the token at p sees keys 0…p, and none past the padding.
        let visible = picks.enumerated().map { i, p in min(p + 1, keyLengths?[i] ?? l) }
        return finalLayerNorm(last.tokens(picks, of: x, sequence: l, keyLengths: visible))  // (B, D)
    }

    /// Checks the ids and the mask, and embeds them: token + position embeddings `(B·L, D)` and
    /// each text's count of unmasked tokens (nil without a mask).
    private func embed(inputIDs: [[Int]], attentionMask: [[Int]]?) throws -> (Tensor, [Int]?) {
        let c = config
        let b = inputIDs.count, l = inputIDs.first?.count ?? 0, d = c.hiddenSize
        guard b > 0, l > 0, l <= c.maxPositions, inputIDs.allSatisfy({ $0.count == l }) else {
            throw ModelError.badInputShape(name: "input_ids", shape: [b, l], expected: "(texts, 1…\(c.maxPositions)), all rows equally long")
        }
        if let bad = inputIDs.joined().first(where: { $0 < 0 || $0 >= c.vocabSize }) {
            throw ModelError.badInputShape(name: "input_ids", shape: [b, l], expected: "ids in 0..<\(c.vocabSize), found \(bad)")
        }
        var keyLengths: [Int]?
        if let attentionMask {
            guard attentionMask.count == b, attentionMask.allSatisfy({ $0.count == l }) else {
                throw ModelError.badInputShape(name: "attention_mask", shape: [attentionMask.count, attentionMask.first?.count ?? 0],
                                               expected: "the shape of input_ids, (\(b), \(l))")
            }
            keyLengths = attentionMask.map { row in row.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
        }
        let x = Tensor(uninitialized: [b * l, d])
        for (i, ids) in inputIDs.enumerated() {
            for (j, id) in ids.enumerated() {
                let row = x.data + (i * l + j) * d
                let tok = tokenEmbedding.data + id * d, pos = positionEmbedding.data + j * d
                for e in 0..<d { row[e] = tok[e] + pos[e] }
            }
        }
        return (x, keyLengths)
    }

    /// transformers' pooling position: the first maximal id when `eos_token_id == 2` (configs from
    /// before the EOS fix), else the first EOS, else 0 (argmax of an all-false row).
    func poolingIndex(_ ids: [Int]) -> Int {
        if config.eosTokenID == 2 {
            let m = ids.max() ?? 0
            return ids.firstIndex(of: m) ?? 0
        }
        return ids.firstIndex(of: config.eosTokenID) ?? 0
    }
}

// MARK: - Pooling and projection

extension CLIPModel {
    /// transformers' `get_image_features`: projected, not normalised. pixels `(B, C, S, S)` → `(B, P)`.
    public func imageFeatures(_ pixels: Tensor) throws -> Tensor {
        visualProjection(try vision.pooled(pixels))
    }

    /// transformers' `get_text_features`: projected, not normalised. ids `(B, L)` → `(B, P)`.
    public func textFeatures(inputIDs: [[Int]], attentionMask: [[Int]]? = nil) throws -> Tensor {
        textProjection(try text.pooled(inputIDs: inputIDs, attentionMask: attentionMask))
    }

    /// logits_per_image `(I, T)` = cos(image, text) · exp(logitScale), from unnormalised features.
    public func logits(imageFeatures: Tensor, textFeatures: Tensor) -> Tensor {
        Similarity.logits(imageFeatures, textFeatures, logitScale: logitScale)
    }
}
