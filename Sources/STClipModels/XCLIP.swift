import Foundation
import STClipRuntime

// X-CLIP (Ni et al., "Expanding Language-Image Pretrained Models for General Video Recognition",
// ECCV 2022) in Hugging Face's `XCLIPModel` layout: a ViT whose layers exchange one message token
// per frame, a multi-frame integration transformer over the projected class tokens, and a
// video-specific prompt generator that moves each class's text embedding towards the video.
// Shapes: B clips, T frames, L = N+1 tokens per frame, D vision width, P joint width, C classes.

// MARK: - Config

/// The multi-frame integration transformer's hyper-parameters (`mit_*` in `vision_config`).
public struct MITConfig: Sendable, Equatable {
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var layers = 1
    public var heads = 8

    public init() {}
}

/// A whole `XCLIPModel` config.
public struct XCLIPConfig: Sendable, Equatable {
    public var vision = CLIPVisionConfig()
    /// X-CLIP's text tower is CLIP's, with the legacy `eos_token_id` 2 as its default.
    public var text: CLIPTextConfig = { var t = CLIPTextConfig(); t.eosTokenID = 2; return t }()
    public var projectionDim = 512
    /// T: the clip length the temporal position embedding was trained for.
    public var frames = 8
    public var mit = MITConfig()
    public var promptLayers = 2
    public var promptHeads = 8
    public var promptActivation = Kernels.Activation.quickGELU

    public init() {}
}

// MARK: - Weights

/// One prompt-generator layer: text queries attend to the video's patch features, then an MLP.
struct PromptGeneratorLayer: Sendable {
    let norm1: LayerNorm
    let q: Linear, k: Linear, v: Linear  // (P, P), no bias
    let proj: Linear                     // (P, P)
    let norm3: LayerNorm
    let fc1: Linear                      // (4P, P)
    let fc2: Linear                      // (P, 4P)
    let heads: Int
    let activation: Kernels.Activation

    /// text `(B·C, P)`, visual `(B·N, P)` (already normalised) → `(B·C, P)`.
    func callAsFunction(_ text: Tensor, visual: Tensor, clips: Int, classes: Int, patches: Int) -> Tensor {
        let h = norm1(text)
        let a = proj(Kernels.attention(q: q(h), k: k(visual), v: v(visual), batch: clips, sequence: classes,
                                       keySequence: patches, heads: heads))          // (B·C, P)
        Kernels.addInPlace(a, text)
        let m = fc1(norm3(a))                                                        // (B·C, 4P)
        Kernels.activate(m, activation)
        let y = fc2(m)                                                               // (B·C, P)
        Kernels.addInPlace(y, a)
        return y
    }
}

/// The full X-CLIP model.
public struct XCLIPModel: Sendable {
    public let config: XCLIPConfig
    let vision: VideoVisionTower
    public let text: CLIPTextTower
    let visualProjection: Linear           // (P, D), no bias
    let textProjection: Linear             // (P, Dt), no bias
    let mit: MultiframeIntegration         // position (1, T, P), layers of width P
    let promptsVisualLayerNorm: LayerNorm  // (D)
    let promptsVisualProjection: Tensor    // (D, P)
    let promptLayerNorm: LayerNorm         // (P)
    let promptLayers: [PromptGeneratorLayer]
    let promptAlpha: Tensor                // (P)
    /// log of the similarity scale.
    public let logitScale: Float

    /// Loads every weight from `w`, checking each shape against `c`.
    public init(config c: XCLIPConfig, weights w: some WeightSource) throws {
        config = c
        let v = c.vision, d = v.hiddenSize, p = c.projectionDim
        vision = VideoVisionTower(
            config: v,
            embeddings: try w.patchEmbedding(CLIPNames.visionEmbeddings, config: v),
            preLayerNorm: try w.layerNorm(XCLIPNames.preLayerNorm, dim: d, eps: v.layerNormEps),
            layers: try (0..<v.layers).map { i in
                let names = XCLIPNames.visionLayer(i)
                return CrossFrameLayer(
                    messageFC: try w.linear(names.messageFC, out: d, in: d),
                    mixing: .attention(try w.attentionBlock(layerNorm: names.messageLayerNorm, attention: names.messageAttention,
                                                            dim: d, heads: v.heads, eps: v.layerNormEps)),
                    layer: try w.encoderLayer(names.clip, dim: d, intermediate: v.intermediateSize, heads: v.heads,
                                              activation: v.activation, eps: v.layerNormEps))
            },
            postLayerNorm: try w.layerNorm(CLIPNames.postLayerNorm, dim: d, eps: v.layerNormEps))
        text = try CLIPTextTower(config: c.text, weights: w)
        visualProjection = Linear(weight: try w.tensor(CLIPNames.visualProjection, shape: [p, d]), bias: nil)
        textProjection = Linear(weight: try w.tensor(CLIPNames.textProjection, shape: [p, c.text.hiddenSize]), bias: nil)
        mit = try w.multiframeIntegration(XCLIPNames.mit, config: c.mit, frames: c.frames, activation: v.activation, eps: v.layerNormEps)
        promptsVisualLayerNorm = try w.layerNorm(XCLIPNames.promptsVisualLayerNorm, dim: d, eps: v.layerNormEps)
        promptsVisualProjection = try w.tensor(XCLIPNames.promptsVisualProjection, shape: [d, p])
        promptLayerNorm = try w.layerNorm(XCLIPNames.promptLayerNorm, dim: p, eps: v.layerNormEps)
        promptLayers = try (0..<c.promptLayers).map { i in
            let n = XCLIPNames.promptLayer(i)
            return PromptGeneratorLayer(
                norm1: try w.layerNorm(n.norm1, dim: p, eps: c.text.layerNormEps),
                q: try w.linear(n.query, out: p, in: p, bias: false),
                k: try w.linear(n.key, out: p, in: p, bias: false),
                v: try w.linear(n.value, out: p, in: p, bias: false),
                proj: try w.linear(n.output, out: p, in: p),
                norm3: try w.layerNorm(n.norm3, dim: p, eps: c.text.layerNormEps),
                fc1: try w.linear(n.fc1, out: 4 * p, in: p),
                fc2: try w.linear(n.fc2, out: p, in: 4 * p),
                heads: c.promptHeads, activation: c.promptActivation)
        }
        promptAlpha = try w.tensor(XCLIPNames.promptAlpha, shape: [p])
        logitScale = try w.scalar(CLIPNames.logitScale)
    }
}

// MARK: - Forward: video

/// X-CLIP's video side for B clips.
public struct XCLIPVideoOutput: Sendable {
    /// get_video_features: the integrated, pooled clip embedding `(B, P)`.
    public let videoEmbeds: Tensor
    /// The projected class token of every frame `(B·T, P)`.
    public let frameEmbeds: Tensor
    /// The multi-frame integration transformer's output tokens `(B·T, P)`.
    public let mitTokens: Tensor
    /// The last layer's tokens of every frame, before the post-LN `(B·T, L, D)`: what
    /// `promptVisual(_:)` reads.
    public let lastHiddenState: Tensor
    /// Encoder input and every layer's output `(B·T, L, D)` when recorded.
    public let hiddenStates: [Tensor]
}

extension XCLIPModel {
    /// pixels `(B, T, 3, S, S)` with T = `config.frames` → the clip embeddings (get_video_features).
    public func video(_ pixels: Tensor, recordHiddenStates: Bool = false) throws -> XCLIPVideoOutput {
        let tower = try vision.forward(pixels, frames: config.frames, record: recordHiddenStates)
        let b = pixels.shape[0], t = pixels.shape[1]
        let frames = visualProjection(tower.pooled)                  // (B·T, P)
        let (mitTokens, video) = mit(frames, clips: b, frames: t)    // (B·T, P), (B, P)
        return XCLIPVideoOutput(videoEmbeds: video, frameEmbeds: frames, mitTokens: mitTokens,
                                lastHiddenState: tower.lastHiddenState, hiddenStates: tower.hiddenStates)
    }

    /// get_video_features alone, pixels `(B, T, 3, S, S)` → `(B, P)` and the frame embeddings:
    /// equal to `video(_:)`'s, with the last layer computing the class tokens only.
    public func videoFeatures(_ pixels: Tensor) throws -> VideoFeatures {
        let b = pixels.shape.first ?? 0, t = pixels.rank > 1 ? pixels.shape[1] : 0
        let frames = visualProjection(try vision.pooled(pixels, frames: config.frames))  // (B·T, P)
        return VideoFeatures(videoEmbeds: mit(frames, clips: b, frames: t).pooled, frameEmbeds: frames)
    }

    /// The patch features the prompt generator attends to, averaged over each clip's frames
    /// `(B, N, P)`: patch tokens 1… of every frame → LN → · W (D, P) → mean over the T frames.
    public func promptVisual(_ video: XCLIPVideoOutput) -> Tensor {
        let h = video.lastHiddenState, l = h.shape[1], d = h.shape[2]
        let bt = video.frameEmbeds.shape[0], b = video.videoEmbeds.shape[0], t = bt / max(b, 1)
        let patches = Tensor(uninitialized: [bt * (l - 1), d])      // (B·T·N, D)
        for f in 0..<bt {
            (patches.data + f * (l - 1) * d).update(from: h.data + (f * l + 1) * d, count: (l - 1) * d)
        }
        let projected = Kernels.matmul(promptsVisualLayerNorm(patches), promptsVisualProjection)  // (B·T·N, P)
        let visual = MultiframeIntegration.meanOverFrames(projected.reshaped([bt, (l - 1) * config.projectionDim]),
                                                          clips: b, frames: t)
        return visual.reshaped([b, l - 1, config.projectionDim])
    }

    // MARK: - Forward: text and prompts

    /// Class texts → projected embeddings `(C, P)` before any video-specific prompt; cacheable.
    public func textFeatures(inputIDs: [[Int]], attentionMask: [[Int]]? = nil) throws -> Tensor {
        textProjection(try text.pooled(inputIDs: inputIDs, attentionMask: attentionMask))
    }

    /// text `(C, P)` and a video's patch features `(B, N, P)` → each clip's text embeddings
    /// `(B, C, P)` = text + α ⊙ PromptGenerator(text, LN(visual)).
    public func promptedText(_ text: Tensor, visual: Tensor) -> Tensor {
        let c = text.shape[0], p = text.shape[1], b = visual.shape[0], n = visual.shape[1]
        var h = Tensor(uninitialized: [b * c, p])                    // (B·C, P): the texts for every clip
        for i in 0..<b { (h.data + i * c * p).update(from: text.data, count: c * p) }
        let v = promptLayerNorm(visual.reshaped([b * n, p]))         // (B·N, P)
        for layer in promptLayers { h = layer(h, visual: v, clips: b, classes: c, patches: n) }
        for r in 0..<(b * c) {
            for i in 0..<p { h.data[r * p + i] = text.data[(r % c) * p + i] + promptAlpha.data[i] * h.data[r * p + i] }
        }
        return h.reshaped([b, c, p])
    }

    // MARK: - Similarity

    /// logits_per_video `(B, C)` = cos(video_b, text_{b,c}) · exp(logitScale).
    public func logits(video: Tensor, textPerVideo: Tensor) -> Tensor {
        let b = textPerVideo.shape[0], c = textPerVideo.shape[1], p = textPerVideo.shape[2]
        let out = Tensor(uninitialized: [b, c])
        for i in 0..<b {
            let row = Similarity.logits(video.rows(i..<(i + 1)), textPerVideo.reshaped([b * c, p]).rows((i * c)..<(i * c + c)),
                                        logitScale: logitScale)
            (out.data + i * c).update(from: row.data, count: c)
        }
        return out
    }
}
