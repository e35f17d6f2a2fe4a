import STClipRuntime

// Blocks shared by the video families (X-CLIP and stas-clip): a ViT whose layers pass one
// communication token per frame between the frames of a clip, and the temporal transformer that
// pools the frames' embeddings. Shapes: B clips, T frames per clip, L = N+1 tokens per frame,
// D vision width, P joint width.

// MARK: - Temporal mixing

/// How a layer mixes the T communication tokens of each clip over time: the ablations of the seed
/// paper's table 1, and X-CLIP's message attention.
enum TemporalMixing: Sendable {
    /// M̂ = M: each frame's token stays its own.
    case none
    /// M̂ = M + DWConv_k(M): a depthwise convolution over time, zero-padded to keep T.
    case temporalConv(weight: Tensor, bias: Tensor)        // (D, k), (D)
    /// M̂ = M + TS(M): the parameter-free shift.
    case shift(fraction: Double)
    /// M̂ = M + TS(ω ⊙ M + β): TWS, a per-channel (depthwise 1×1) weighting, then the shift.
    case weightedShift(weight: Tensor, bias: Tensor, fraction: Double)  // (D), (D)
    /// M̂ = M + Attn(LN(M)) over the T tokens: X-CLIP's cross-frame message attention.
    case attention(AttentionBlock)

    /// m `(B·T, D)` → M̂ `(B·T, D)`.
    func callAsFunction(_ m: Tensor, clips: Int, frames: Int) -> Tensor {
        let d = m.shape[1]
        switch self {
        case .none:
            return m
        case let .attention(block):
            return block(m, batch: clips, sequence: frames)
        case let .shift(fraction):
            let y = m.copy()
            Self.addShifted(m, into: y, clips: clips, frames: frames, fold: Self.fold(d, fraction))
            return y
        case let .weightedShift(weight, bias, fraction):
            let weighted = Tensor(uninitialized: m.shape)            // (B·T, D): ω ⊙ m + β
            for r in 0..<(clips * frames) {
                for c in 0..<d { weighted.data[r * d + c] = weight.data[c] * m.data[r * d + c] + bias.data[c] }
            }
            let y = m.copy()
            Self.addShifted(weighted, into: y, clips: clips, frames: frames, fold: Self.fold(d, fraction))
            return y
        case let .temporalConv(weight, bias):
            let k = weight.shape[1], pad = k / 2
            let y = m.copy()
            for b in 0..<clips {
                for t in 0..<frames {
                    let row = y.data + (b * frames + t) * d
                    for c in 0..<d {
                        // PyTorch Conv1d(groups = D, padding = k/2): Σ_j w[c, j] · m[t + j − pad, c] + β[c].
                        var s = bias.data[c]
                        for j in 0..<k where t + j - pad >= 0 && t + j - pad < frames {
                            s += weight.data[c * k + j] * m.data[(b * frames + t + j - pad) * d + c]
                        }
                        row[c] += s
                    }
                }
            }
            return y
        }
    }

    /// Channels moved each way: ⌊D · fraction⌋ (D/8 for the paper's 1/8).
    static func fold(_ d: Int, _ fraction: Double) -> Int { Int((Double(d) * fraction).rounded(.down)) }

    /// y += TS(x) per clip: the first `fold` channels move forward in time (out[t] = x[t−1]), the
    /// last `fold` backward (out[t] = x[t+1]), the rest stay; zero where t±1 leaves the clip.
    static func addShifted(_ x: Tensor, into y: Tensor, clips: Int, frames: Int, fold: Int) {
        let d = x.shape[1]
        for b in 0..<clips {
            for t in 0..<frames {
                let out = y.data + (b * frames + t) * d, here = x.data + (b * frames + t) * d
                if t > 0 { let prev = here - d; for c in 0..<fold { out[c] += prev[c] } }
                for c in fold..<(d - fold) { out[c] += here[c] }
                if t + 1 < frames { let next = here + d; for c in (d - fold)..<d { out[c] += next[c] } }
            }
        }
    }
}

// MARK: - Cross-frame layer

/// A CLIP layer that also carries a communication token per frame (seed eq. 3, 9, 10; X-CLIP's
/// cross-frame attention block): m = Linear(class token), mixed over time, appended to the frame's
/// tokens for the attention, and dropped again before the MLP.
struct CrossFrameLayer: Sendable {
    /// nil: no communication token — a plain CLIP layer, frames fully independent.
    let messageFC: Linear?  // (D, D)
    let mixing: TemporalMixing
    let layer: EncoderLayer

    /// x `(B·T·L, D)` → `(B·T·L, D)`; `communication` receives M̂ `(B·T, D)` when there is one.
    func callAsFunction(_ x: Tensor, clips: Int, frames: Int, tokens l: Int,
                        communication: ((Tensor) -> Void)? = nil) -> Tensor {
        let m = messageFC.map { communicationTokens(x, $0, clips: clips, frames: frames, tokens: l) }  // (B·T, D)
        if let m { communication?(m) }
        // [y_t, m̂_t] through the attention; m̂_t's own output is dropped, so it is only a key and value.
        return layer.mlp(layer.attention(x, batch: clips * frames, sequence: l, extra: m))  // (B·T·L, D)
    }

    /// The layer's output for each frame's class token only, x `(B·T·L, D)` → `(B·T, D)`: equal
    /// to token 0 of every frame of the full output, for a last layer whose other tokens nothing reads.
    func classTokens(_ x: Tensor, clips: Int, frames: Int, tokens l: Int) -> Tensor {
        let m = messageFC.map { communicationTokens(x, $0, clips: clips, frames: frames, tokens: l) }  // (B·T, D)
        return layer.mlp(layer.attention.tokens(Array(repeating: 0, count: clips * frames), of: x, sequence: l, extra: m))
    }

    /// M̂ `(B·T, D)`: m = Linear(class token) per frame of x `(B·T·L, D)`, mixed over time.
    private func communicationTokens(_ x: Tensor, _ messageFC: Linear, clips: Int, frames: Int, tokens l: Int) -> Tensor {
        let cls = AttentionBlock.firstRows(of: x, count: clips * frames, sequence: l)  // (B·T, D): token 0 of each frame
        return mixing(messageFC(cls), clips: clips, frames: frames)
    }
}

// MARK: - Video vision tower

/// What the video tower returns for B clips of T frames.
struct VideoTowerOutput: Sendable {
    /// The last layer's tokens, before the post-LN: `(B·T, L, D)`.
    let lastHiddenState: Tensor
    /// post_layernorm(class token) per frame: `(B·T, D)`.
    let pooled: Tensor
    /// The encoder input and each layer's output, `(B·T, L, D)` each, when recorded.
    let hiddenStates: [Tensor]
    /// Each layer's mixed communication tokens M̂, `(B·T, D)` each, when recorded.
    let communication: [Tensor]
}

/// A ViT of cross-frame layers: CLIP's embeddings and norms around layers that talk across frames.
struct VideoVisionTower: Sendable {
    let config: CLIPVisionConfig
    let embeddings: PatchEmbedding  // patch (D, C, p, p), class (D), positions (N+1, D)
    let preLayerNorm: LayerNorm
    let layers: [CrossFrameLayer]
    let postLayerNorm: LayerNorm

    /// Throws unless pixels are `(B, T, C, S, S)` with B, T ≥ 1 (T = `expected` where given).
    fileprivate func validate(_ pixels: Tensor, frames expected: Int?) throws {
        let c = config
        guard pixels.rank == 5, pixels.shape[2] == c.channels, pixels.shape[3] == c.imageSize, pixels.shape[4] == c.imageSize,
              pixels.shape[0] > 0, pixels.shape[1] > 0, expected.map({ $0 == pixels.shape[1] }) ?? true else {
            throw ModelError.badInputShape(name: "pixel_values", shape: pixels.shape,
                                           expected: "(clips, \(expected.map(String.init) ?? "frames"), \(c.channels), \(c.imageSize), \(c.imageSize))")
        }
    }

    /// pixels `(B, T, C, S, S)` → tokens and pooled class tokens of every frame.
    func forward(_ pixels: Tensor, frames expected: Int?, record: Bool = false) throws -> VideoTowerOutput {
        let c = config
        try validate(pixels, frames: expected)
        let b = pixels.shape[0], t = pixels.shape[1], l = c.tokens, d = c.hiddenSize
        var x = preLayerNorm(embeddings(pixels.reshaped([b * t, c.channels, c.imageSize, c.imageSize])))  // (B·T·L, D)
        var hidden: [Tensor] = record ? [x.reshaped([b * t, l, d])] : []
        var communication: [Tensor] = []
        for layer in layers {
            x = layer(x, clips: b, frames: t, tokens: l, communication: record ? { communication.append($0) } : nil)
            if record { hidden.append(x.reshaped([b * t, l, d])) }
        }
        let cls = AttentionBlock.firstRows(of: x, count: b * t, sequence: l)  // (B·T, D)
        return VideoTowerOutput(lastHiddenState: x.reshaped([b * t, l, d]), pooled: postLayerNorm(cls),
                                hiddenStates: hidden, communication: communication)
    }
}

extension VideoVisionTower {
    /// pixels `(B, T, C, S, S)` → the post-LN class token of every frame `(B·T, D)` alone, equal to
    /// `forward(...).pooled`; the last layer computes the class tokens only.
    func pooled(_ pixels: Tensor, frames expected: Int?) throws -> Tensor {
        let c = config
        try validate(pixels, frames: expected)
        let b = pixels.shape[0], t = pixels.shape[1], l = c.tokens
        var x = preLayerNorm(embeddings(pixels.reshaped([b * t, c.channels, c.imageSize, c.imageSize])))  // (B·T·L, D)
        for layer in layers.dropLast() { x = layer(x, clips: b, frames: t, tokens: l) }
        guard let last = layers.last else { return postLayerNorm(AttentionBlock.firstRows(of: x, count: b * t, sequence: l)) }
        return postLayerNorm(last.classTokens(x, clips: b, frames: t, tokens: l))  // (B·T, D)
    }
}

// MARK: - Multi-frame integration transformer

/// X-CLIP's multi-frame integration transformer (the seed's end temporal transformer h_δ):
/// v = mean_t(Z + Encoder(Z + E_temp)).
struct MultiframeIntegration: Sendable {
    let positionEmbedding: Tensor  // (1, T, P)
    let layers: [EncoderLayer]     // width P

    /// Z `(B·T, P)` → the integrated frames `(B·T, P)` and their mean per clip `(B, P)`.
    func callAsFunction(_ z: Tensor, clips: Int, frames: Int) -> (tokens: Tensor, pooled: Tensor) {
        let p = z.shape[1]
        var h = z.copy()                                             // (B·T, P)
        for b in 0..<clips {
            for i in 0..<(frames * p) { h.data[b * frames * p + i] += positionEmbedding.data[i] }
        }
        for layer in layers { h = layer(h, batch: clips, sequence: frames) }
        Kernels.addInPlace(h, z)
        return (h, Self.meanOverFrames(h, clips: clips, frames: frames))
    }

    /// x `(B·T, P)` → `(B, P)`.
    static func meanOverFrames(_ x: Tensor, clips: Int, frames: Int) -> Tensor {
        let p = x.shape[1]
        let out = Tensor(zeros: [clips, p])
        for b in 0..<clips {
            for t in 0..<frames { for i in 0..<p { out.data[b * p + i] += x.data[(b * frames + t) * p + i] } }
            for i in 0..<p { out.data[b * p + i] /= Float(frames) }
        }
        return out
    }
}
