import STClipRuntime

// The building blocks every CLIP-family tower shares. Weights are views into the memory-mapped
// checkpoint; each block's forward works on all frames (or all texts) of a request at once.

// MARK: - Linear

/// A dense layer y = x · Wᵀ + b.
struct Linear: Sendable {
    let weight: Tensor  // (out, in)
    let bias: Tensor?   // (out)

    var outFeatures: Int { weight.shape[0] }

    /// x `(…, in)` → `(…, out)`.
    func callAsFunction(_ x: Tensor) -> Tensor { Kernels.linear(x, weight: weight, bias: bias) }

    /// r + x · Wᵀ + b: x `(…, in)`, r `(…, out)` → `(…, out)`.
    func callAsFunction(_ x: Tensor, residual: Tensor) -> Tensor {
        Kernels.linear(x, weight: weight, bias: bias, residual: residual)
    }

    /// act(x · Wᵀ + b): x `(…, in)` → `(…, out)`.
    func callAsFunction(_ x: Tensor, activation: Kernels.Activation) -> Tensor {
        Kernels.linear(x, weight: weight, bias: bias, activation: activation)
    }
}

// MARK: - Layer norm

/// Layer normalisation over the last dimension.
struct LayerNorm: Sendable {
    let weight: Tensor  // (D)
    let bias: Tensor    // (D)
    let eps: Float

    /// x `(…, D)` → `(…, D)`.
    func callAsFunction(_ x: Tensor) -> Tensor { Kernels.layerNorm(x, weight: weight, bias: bias, eps: eps) }
}

// MARK: - Attention block

/// The pre-LN attention half of a CLIP layer: x + out(MHA(LN(x))).
struct AttentionBlock: Sendable {
    let layerNorm: LayerNorm
    let q: Linear, k: Linear, v: Linear, out: Linear  // each (D, D)
    let heads: Int

    /// x `(B·L, D)`, B independent sequences of L tokens → a new `(B·L, D)`.
    ///
    /// With `extra` `(B, D)`, each sequence gets one more token appended that is attended to but
    /// whose own output nothing reads (IFSA's communication token, dropped before the MLP): the
    /// result is the first L rows per sequence of the block run on [x_b; extra_b], computed
    /// without building those sequences: the extra tokens are only keys and values, and no query
    /// or output row is computed for them.
    func callAsFunction(_ x: Tensor, batch: Int, sequence: Int, mask: Kernels.AttentionMask = .none,
                        extra: Tensor? = nil) -> Tensor {
        let n = keysAndValues(x, extra: extra)
        let a = Kernels.attention(q: q(n.h), k: n.k, v: n.v, batch: batch, sequence: sequence, heads: heads, mask: mask,
                                  extraKeys: n.extraK, extraValues: n.extraV)  // (B·L, D)
        return out(a, residual: x)                                   // (B·L, D)
    }

    /// LN(x) `(R, D)` and its keys and values `(R, D)`; with `extra` `(B, D)`, those of LN(extra)
    /// too `(B, D)`, from the same two GEMMs over [LN(x); LN(extra)] `(R + B, D)`: the K and V
    /// weights stream from memory once, not a second time for a GEMM of only B rows, which is
    /// bound by that streaming.
    private func keysAndValues(_ x: Tensor, extra: Tensor?) -> (h: Tensor, k: Tensor, v: Tensor, extraK: Tensor?, extraV: Tensor?) {
        guard let extra else {
            let h = layerNorm(x)                                     // (R, D)
            return (h, k(h), v(h), nil, nil)
        }
        let d = x.shape[x.rank - 1], r = x.count / max(d, 1), b = extra.count / max(d, 1)
        let joined = Tensor(uninitialized: [r + b, d])               // [LN(x); LN(extra)]
        Kernels.layerNorm(x, weight: layerNorm.weight, bias: layerNorm.bias, eps: layerNorm.eps, into: joined.data)
        Kernels.layerNorm(extra, weight: layerNorm.weight, bias: layerNorm.bias, eps: layerNorm.eps, into: joined.data + r * d)
        let kj = k(joined), vj = v(joined)                           // (R + B, D)
        return (joined.rows(0..<r), kj.rows(0..<r), vj.rows(0..<r), kj.rows(r..<(r + b)), vj.rows(r..<(r + b)))
    }
}

extension AttentionBlock {
    /// The attention half for one token of each sequence only: keys and values from all B·L
    /// tokens, queries from token `picks[b]` of sequence b, which sees keys `0..<keyLengths[b]`
    /// (all where nil). x `(B·L, D)` → `(B, D)`, equal to those rows of the full block's output
    /// under the matching mask (a causal mask is keyLengths = pick + 1, capped by the padding).
    /// With `extra` `(B, D)`, each sequence's picked token also attends to that sequence's extra
    /// token, as in the `extra` form of the block.
    func tokens(_ picks: [Int], of x: Tensor, sequence: Int, keyLengths: [Int]? = nil, extra: Tensor? = nil) -> Tensor {
        let batch = picks.count
        let n = keysAndValues(x, extra: extra)                       // LN(x), K, V (B·L, D)
        let a = Kernels.attention(q: q(Self.rows(picks, of: n.h, sequence: sequence)), k: n.k, v: n.v, batch: batch,
                                  sequence: 1, keySequence: sequence, heads: heads,
                                  mask: Kernels.AttentionMask(keyLengths: keyLengths),
                                  extraKeys: n.extraK, extraValues: n.extraV)  // (B, D)
        return out(a, residual: Self.rows(picks, of: x, sequence: sequence))  // (B, D)
    }

    /// Token 0 of each of `count` sequences of x `(count·L, D)` → `(count, D)`: the class tokens.
    static func firstRows(of x: Tensor, count: Int, sequence: Int) -> Tensor {
        rows(Array(repeating: 0, count: count), of: x, sequence: sequence)
    }

    /// Row `picks[b]` of each sequence b of x `(B·L, D)` → `(B, D)`.
    static func rows(_ picks: [Int], of x: Tensor, sequence: Int) -> Tensor {
        let d = x.shape[x.rank - 1]
        let rows = Tensor(uninitialized: [picks.count, d])
        for (b, pick) in picks.enumerated() {
            (rows.data + b * d).update(from: x.data + (b * sequence + pick) * d, count: d)
        }
        return rows
    }
}

// MARK: - MLP block

/// The pre-LN feed-forward half of a CLIP layer: x + fc₂(act(fc₁(LN(x)))).
struct MLPBlock: Sendable {
    let layerNorm: LayerNorm
    let fc1: Linear  // (I, D)
    let fc2: Linear  // (D, I)
    let activation: Kernels.Activation

    /// x `(R, D)` → a new `(R, D)`.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = fc1(layerNorm(x), activation: activation)            // (R, I)
        return fc2(h, residual: x)                                   // (R, D)
    }
}

// MARK: - Encoder layer

/// CLIP's pre-LN transformer layer: the attention block, then the MLP block.
struct EncoderLayer: Sendable {
    let attention: AttentionBlock
    let mlp: MLPBlock

    /// x `(B·L, D)` → `(B·L, D)`.
    func callAsFunction(_ x: Tensor, batch: Int, sequence: Int, mask: Kernels.AttentionMask = .none) -> Tensor {
        mlp(attention(x, batch: batch, sequence: sequence, mask: mask))
    }
}

extension EncoderLayer {
    /// The layer's output for one token of each sequence only (see `AttentionBlock.tokens`),
    /// x `(B·L, D)` → `(B, D)`: what a tower's last layer must compute when only one token is
    /// pooled (the MLP and the attention's queries and output projection then run on B rows, not B·L).
    func tokens(_ picks: [Int], of x: Tensor, sequence: Int, keyLengths: [Int]? = nil) -> Tensor {
        mlp(attention.tokens(picks, of: x, sequence: sequence, keyLengths: keyLengths))
    }
}

// MARK: - Patch embedding

/// A ViT's input: [class; patches] + positions.
struct PatchEmbedding: Sendable {
    let patchWeight: Tensor        // (D, C, patch, patch)
    let classEmbedding: Tensor     // (D)
    let positionEmbedding: Tensor  // (N+1, D)

    /// pixels `(B, C, S, S)` → `(B·(N+1), D)`.
    func callAsFunction(_ pixels: Tensor) -> Tensor {
        let b = pixels.shape[0], l = positionEmbedding.shape[0], d = classEmbedding.count
        let patches = Kernels.patchEmbed(pixels, weight: patchWeight)  // (B, N, D)
        let x = Tensor(uninitialized: [b * l, d])
        for i in 0..<b {
            let image = x.data + i * l * d
            image.update(from: classEmbedding.data, count: d)
            (image + d).update(from: patches.data + i * (l - 1) * d, count: (l - 1) * d)
            for j in 0..<(l * d) { image[j] += positionEmbedding.data[j] }
        }
        return x
    }
}
