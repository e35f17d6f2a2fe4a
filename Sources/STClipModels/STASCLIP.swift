import Foundation
import STClipRuntime

// The seed paper's model ("Contrastive language–video learning based on spatio-temporal
// information auxiliary supervision", here `stas-clip`): CLIP's towers, a communication token per
// frame and layer mixed over time by TWS (or an ablation of it), X-CLIP's end temporal transformer,
// and an auxiliary covariance-pooling head trained beside the contrastive loss.
// Shapes: B clips, T frames, L = N+1 tokens, D vision width, P joint width, D' aux width, K aux classes.

// MARK: - Config

/// The temporal modelling of the communication tokens (seed table 1).
public enum TemporalModeling: String, Sendable, CaseIterable {
    case none, tc, ts, transformer, tws
}

/// The auxiliary head's pooling (seed table 3).
public enum AuxiliaryHead: String, Sendable, CaseIterable {
    case none
    case firstOrder = "first_order"
    case covariance
}

/// A whole `stas-clip` config.
public struct STASCLIPConfig: Sendable, Equatable {
    public var vision = CLIPVisionConfig()
    public var text = CLIPTextConfig()
    public var projectionDim = 512
    /// T: the clip length the temporal position embeddings were trained for.
    public var frames = 8
    /// Eq. 3: a communication token per frame and layer; false gives plain CLIP layers.
    public var communicationToken = true
    public var temporalModeling = TemporalModeling.tws
    /// a/D = c/D of eq. 7–8.
    public var shiftFraction = 0.125
    public var tcKernelSize = 3
    /// Eq. 12's h_δ; false: v is the plain mean of the frames' embeddings.
    public var endTransformer = true
    public var mit = MITConfig()
    public var auxHead = AuxiliaryHead.covariance
    /// D'.
    public var auxDim = 128
    public var auxLayers = 1
    public var auxHeads = 12
    /// The MLP width of the aux head's temporal transformer.
    public var auxIntermediateSize = 3072
    /// Newton–Schulz iterations of iSQRT-COV.
    public var auxIterations = 5
    /// The classes the aux head was trained on (its output order).
    public var auxLabels: [String] = []

    public init() {}

    /// F: the pooled feature width, D'(D'+1)/2 for covariance, D' for first order.
    public var auxPooledWidth: Int { auxHead == .covariance ? auxDim * (auxDim + 1) / 2 : auxDim }
}

// MARK: - Weights

/// The auxiliary head (eq. 18–21): a temporal transformer over each patch position's T tokens,
/// a 1×1 reduction to D', covariance pooling normalised by its matrix square root, fused with v.
struct STASAuxiliaryHead: Sendable {
    let pooling: AuxiliaryHead
    let temporal: MultiframeIntegration  // position (1, T, D), layers of width D
    let reduce: Linear                   // (D', D)
    let fcPooled: Linear                 // (K, F)
    let fcVideo: Linear                  // (K, P)
    let iterations: Int
}

/// The full `stas-clip` model.
public struct STASCLIPModel: Sendable {
    public let config: STASCLIPConfig
    let vision: VideoVisionTower
    public let text: CLIPTextTower
    let visualProjection: Linear  // (P, D), no bias
    let textProjection: Linear    // (P, Dt), no bias
    let mit: MultiframeIntegration?
    let aux: STASAuxiliaryHead?
    public let logitScale: Float

    /// Loads every weight the config implies from `w`, checking each shape.
    public init(config c: STASCLIPConfig, weights w: some WeightSource) throws {
        config = c
        let v = c.vision, d = v.hiddenSize, p = c.projectionDim
        vision = VideoVisionTower(
            config: v,
            embeddings: try w.patchEmbedding(CLIPNames.visionEmbeddings, config: v),
            preLayerNorm: try w.layerNorm(CLIPNames.preLayerNorm, dim: d, eps: v.layerNormEps),
            layers: try (0..<v.layers).map { i in
                let names = STASCLIPNames.visionLayer(i), mixing = STASCLIPNames.mixing(i)
                let layer = try w.encoderLayer(names.clip, dim: d, intermediate: v.intermediateSize, heads: v.heads,
                                               activation: v.activation, eps: v.layerNormEps)
                guard c.communicationToken else { return CrossFrameLayer(messageFC: nil, mixing: .none, layer: layer) }
                let temporal: TemporalMixing
                switch c.temporalModeling {
                case .none: temporal = .none
                case .ts: temporal = .shift(fraction: c.shiftFraction)
                case .tws:
                    temporal = .weightedShift(weight: try w.tensor(mixing.tws + ".weight", shape: [d, 1, 1]).reshaped([d]),
                                              bias: try w.tensor(mixing.tws + ".bias", shape: [d]), fraction: c.shiftFraction)
                case .tc:
                    temporal = .temporalConv(
                        weight: try w.tensor(mixing.temporalConv + ".weight", shape: [d, 1, c.tcKernelSize]).reshaped([d, c.tcKernelSize]),
                        bias: try w.tensor(mixing.temporalConv + ".bias", shape: [d]))
                case .transformer:
                    temporal = .attention(try w.attentionBlock(layerNorm: names.messageLayerNorm, attention: names.messageAttention,
                                                               dim: d, heads: v.heads, eps: v.layerNormEps))
                }
                return CrossFrameLayer(messageFC: try w.linear(names.messageFC, out: d, in: d), mixing: temporal, layer: layer)
            },
            postLayerNorm: try w.layerNorm(CLIPNames.postLayerNorm, dim: d, eps: v.layerNormEps))
        text = try CLIPTextTower(config: c.text, weights: w)
        visualProjection = Linear(weight: try w.tensor(CLIPNames.visualProjection, shape: [p, d]), bias: nil)
        textProjection = Linear(weight: try w.tensor(CLIPNames.textProjection, shape: [p, c.text.hiddenSize]), bias: nil)
        mit = c.endTransformer
            ? try w.multiframeIntegration(STASCLIPNames.mit, config: c.mit, frames: c.frames, activation: v.activation, eps: v.layerNormEps)
            : nil
        if c.auxHead == .none {
            aux = nil
        } else {
            let k = c.auxLabels.count
            aux = STASAuxiliaryHead(
                pooling: c.auxHead,
                temporal: try w.multiframeIntegration(
                    STASCLIPNames.auxTemporal,
                    config: { var m = MITConfig(); m.hiddenSize = d; m.intermediateSize = c.auxIntermediateSize
                              m.layers = c.auxLayers; m.heads = c.auxHeads; return m }(),
                    frames: c.frames, activation: v.activation, eps: v.layerNormEps),
                reduce: try w.linear(STASCLIPNames.auxReduce, out: c.auxDim, in: d),
                fcPooled: try w.linear(STASCLIPNames.auxFCPooled, out: k, in: c.auxPooledWidth),
                fcVideo: try w.linear(STASCLIPNames.auxFCVideo, out: k, in: p),
                iterations: c.auxIterations)
        }
        logitScale = try w.scalar(CLIPNames.logitScale)
    }
}

// MARK: - Forward: video

/// The video side of `stas-clip` for B clips.
public struct STASCLIPVideoOutput: Sendable {
    /// v (eq. 12): `(B, P)`.
    public let videoEmbeds: Tensor
    /// Projected class tokens Z: `(B·T, P)`.
    public let frameEmbeds: Tensor
    /// The last layer's tokens before the post-LN: `(B·T, L, D)`.
    public let lastHiddenState: Tensor
    /// Encoder input and every layer's output `(B·T, L, D)`, when recorded.
    public let hiddenStates: [Tensor]
    /// Each layer's M̂ `(B·T, D)`, when recorded.
    public let communication: [Tensor]
}

extension STASCLIPModel {
    /// pixels `(B, T, 3, S, S)` with T = `config.frames` → v and the tokens the aux head reads.
    public func video(_ pixels: Tensor, recordHiddenStates: Bool = false) throws -> STASCLIPVideoOutput {
        let tower = try vision.forward(pixels, frames: config.frames, record: recordHiddenStates)
        let b = pixels.shape[0], t = pixels.shape[1]
        let frames = visualProjection(tower.pooled)                           // (B·T, P)
        let video = mit.map { $0(frames, clips: b, frames: t).pooled }
            ?? MultiframeIntegration.meanOverFrames(frames, clips: b, frames: t)  // (B, P)
        return STASCLIPVideoOutput(videoEmbeds: video, frameEmbeds: frames, lastHiddenState: tower.lastHiddenState,
                                   hiddenStates: tower.hiddenStates, communication: tower.communication)
    }

    /// v alone, pixels `(B, T, 3, S, S)` → `(B, P)` and Z: equal to `video(_:)`'s, with the last
    /// layer computing the class tokens only (the aux head, which reads the others, is not run).
    public func videoFeatures(_ pixels: Tensor) throws -> VideoFeatures {
        let b = pixels.shape.first ?? 0, t = pixels.rank > 1 ? pixels.shape[1] : 0
        let frames = visualProjection(try vision.pooled(pixels, frames: config.frames))  // (B·T, P)
        let video = mit.map { $0(frames, clips: b, frames: t).pooled }
            ?? MultiframeIntegration.meanOverFrames(frames, clips: b, frames: t)            // (B, P)
        return VideoFeatures(videoEmbeds: video, frameEmbeds: frames)
    }

    /// Class texts → projected embeddings `(C, P)`.
    public func textFeatures(inputIDs: [[Int]], attentionMask: [[Int]]? = nil) throws -> Tensor {
        textProjection(try text.pooled(inputIDs: inputIDs, attentionMask: attentionMask))
    }

    /// logits `(B, C)` = cos(v, c) · exp(logitScale).
    public func logits(video: Tensor, text: Tensor) -> Tensor {
        Similarity.logits(video, text, logitScale: logitScale)
    }
}

// MARK: - Pooling: the auxiliary head

/// What the auxiliary head computes for B clips.
public struct STASAuxiliaryOutput: Sendable {
    /// The reduced tokens X of each clip, frame-major: `(B, T·N, D')`.
    public let tokens: Tensor
    /// ẑ: the upper triangle of √Σ (covariance) or the token mean (first order): `(B, F)`.
    public let pooled: Tensor
    /// softmax(FC(ẑ) + FC(v)) over `config.auxLabels`: `(B, K)`.
    public let probabilities: Tensor
}

extension STASCLIPModel {
    /// The closed-set auxiliary head on a video's output; nil when the model has none.
    public func auxiliary(_ video: STASCLIPVideoOutput) -> STASAuxiliaryOutput? {
        guard let aux else { return nil }
        let bt = video.lastHiddenState.shape[0], l = video.lastHiddenState.shape[1], d = video.lastHiddenState.shape[2]
        let t = config.frames, b = bt / t, n = l - 1, dr = config.auxDim
        // H regrouped per patch position: (B·N, T, D), each row block one position's T tokens.
        let h = Tensor(uninitialized: [b * n * t, d])
        for clip in 0..<b {
            for frame in 0..<t {
                for i in 0..<n {
                    (h.data + ((clip * n + i) * t + frame) * d)
                        .update(from: video.lastHiddenState.data + ((clip * t + frame) * l + 1 + i) * d, count: d)
                }
            }
        }
        let temporal = aux.temporal(h, clips: b * n, frames: t).tokens             // (B·N·T, D)
        let reducedByPosition = aux.reduce(temporal)                               // (B·N·T, D')
        let tokens = Tensor(uninitialized: [b, t * n, dr])                         // (B, T·N, D'), frame-major
        for clip in 0..<b {
            for i in 0..<n {
                for frame in 0..<t {
                    (tokens.data + ((clip * t + frame) * n + i) * dr)
                        .update(from: reducedByPosition.data + ((clip * n + i) * t + frame) * dr, count: dr)
                }
            }
        }
        let f = config.auxPooledWidth
        let pooled = Tensor(uninitialized: [b, f])
        for clip in 0..<b {
            let x = tokens.rows(clip..<(clip + 1)).reshaped([t * n, dr])
            let z = aux.pooling == .covariance
                ? Self.upperTriangle(Self.iSQRT(Self.covariance(x), iterations: aux.iterations))
                : Self.mean(x)
            (pooled.data + clip * f).update(from: z, count: f)
        }
        let scores = aux.fcPooled(pooled)                                          // (B, K)
        Kernels.addInPlace(scores, aux.fcVideo(video.videoEmbeds))
        Kernels.softmax(scores)
        return STASAuxiliaryOutput(tokens: tokens, pooled: pooled, probabilities: scores)
    }

    /// Σ = (1/M)·(X − x̄)ᵀ(X − x̄) for tokens X `(M, D')` → `(D', D')`.
    static func covariance(_ x: Tensor) -> Tensor {
        let m = x.shape[0], d = x.shape[1]
        let centred = x.copy()
        for j in 0..<d {
            var s: Float = 0
            for i in 0..<m { s += centred.data[i * d + j] }
            let mean = s / Float(m)
            for i in 0..<m { centred.data[i * d + j] -= mean }
        }
        let sigma = Tensor(uninitialized: [d, d])
        BLAS.sgemm(transA: true, m: d, n: d, k: m, alpha: 1 / Float(m), a: centred.data, lda: d,
                   b: centred.data, ldb: d, c: sigma.data, ldc: d)
        return sigma
    }

    /// iSQRT-COV (Li et al. 2018): A = Σ/tr Σ; Y₀ = A, Z₀ = I; Tₖ = ½(3I − Zₖ₋₁Yₖ₋₁),
    /// Yₖ = Yₖ₋₁Tₖ, Zₖ = TₖZₖ₋₁; √Σ ≈ √(tr Σ)·Y_K.
    static func iSQRT(_ sigma: Tensor, iterations: Int) -> Tensor {
        let d = sigma.shape[0]
        var trace: Float = 0
        for i in 0..<d { trace += sigma.data[i * d + i] }
        var y = sigma.copy()
        for i in 0..<(d * d) { y.data[i] /= trace }
        var z = Tensor(zeros: [d, d])
        for i in 0..<d { z.data[i * d + i] = 1 }
        let tk = Tensor(uninitialized: [d, d])
        for _ in 0..<iterations {
            BLAS.sgemm(m: d, n: d, k: d, alpha: -0.5, a: z.data, lda: d, b: y.data, ldb: d, c: tk.data, ldc: d)
            for i in 0..<d { tk.data[i * d + i] += 1.5 }                       // Tₖ = 1.5 I − ½ Z Y
            let ny = Tensor(uninitialized: [d, d]), nz = Tensor(uninitialized: [d, d])
            BLAS.sgemm(m: d, n: d, k: d, a: y.data, lda: d, b: tk.data, ldb: d, c: ny.data, ldc: d)
            BLAS.sgemm(m: d, n: d, k: d, a: tk.data, lda: d, b: z.data, ldb: d, c: nz.data, ldc: d)
            (y, z) = (ny, nz)
        }
        let scale = trace.squareRoot()
        for i in 0..<(d * d) { y.data[i] *= scale }
        return y
    }

    /// The upper triangle of a `(D', D')` matrix with its diagonal, row by row: D'(D'+1)/2 values.
    static func upperTriangle(_ s: Tensor) -> [Float] {
        let d = s.shape[0]
        var out: [Float] = []
        out.reserveCapacity(d * (d + 1) / 2)
        for i in 0..<d { for j in i..<d { out.append(s.data[i * d + j]) } }
        return out
    }

    /// The mean token of X `(M, D')`: D' values.
    static func mean(_ x: Tensor) -> [Float] {
        let m = x.shape[0], d = x.shape[1]
        var out = [Float](repeating: 0, count: d)
        for i in 0..<m { for j in 0..<d { out[j] += x.data[i * d + j] } }
        return out.map { $0 / Float(m) }
    }
}
