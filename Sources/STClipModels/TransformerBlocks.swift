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

// MARK: - Encoder layer

/// CLIP's pre-LN transformer layer:
/// x ← x + out(MHA(LN₁(x))), then x ← x + fc₂(act(fc₁(LN₂(x)))).
struct EncoderLayer: Sendable {
    let layerNorm1: LayerNorm
    let q: Linear, k: Linear, v: Linear, out: Linear  // each (D, D)
    let layerNorm2: LayerNorm
    let fc1: Linear  // (I, D)
    let fc2: Linear  // (D, I)
    let heads: Int
    let activation: Kernels.Activation

    /// The attention half alone: x `(B·L, D)` → x + attention, a new tensor.
    func attentionBlock(_ x: Tensor, batch: Int, sequence: Int, mask: Kernels.AttentionMask) -> Tensor {
        let h = layerNorm1(x)                                        // (B·L, D)
        let a = Kernels.attention(q: q(h), k: k(h), v: v(h), batch: batch, sequence: sequence,
                                  heads: heads, mask: mask)          // (B·L, D)
        let y = out(a)                                               // (B·L, D)
        Kernels.addInPlace(y, x)
        return y
    }

    /// The MLP half alone: x `(R, D)` → x + MLP(LN₂(x)), a new tensor.
    func mlpBlock(_ x: Tensor) -> Tensor {
        let h = fc1(layerNorm2(x))                                   // (R, I)
        Kernels.activate(h, activation)
        let y = fc2(h)                                               // (R, D)
        Kernels.addInPlace(y, x)
        return y
    }

    /// x `(B·L, D)` → `(B·L, D)`.
    func callAsFunction(_ x: Tensor, batch: Int, sequence: Int, mask: Kernels.AttentionMask = .none) -> Tensor {
        mlpBlock(attentionBlock(x, batch: batch, sequence: sequence, mask: mask))
    }
}
