import CKernels
import Foundation

/// The fast CPU kernels the models are built from. Each has a naive twin in `Reference`,
/// and the tests compare the two with explicit tolerances.
///
/// Conventions: tensors are row-major float32; "rows" are all leading dimensions flattened, so a
/// `(T, N, D)` activation is `T·N` rows of `D` features and every linear layer is one GEMM over all
/// frames of a clip.
public enum Kernels {

    // MARK: - Linear

    /// y = x · Wᵀ + b — x `(…, in)`, W `(out, in)`, b `(out)` → y `(…, out)`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        precondition(x.shape.last == inFeatures, "linear: input \(x.shape) vs weight \(weight.shape)")
        let rows = x.count / max(inFeatures, 1)
        let y = Tensor(uninitialized: Array(x.shape.dropLast()) + [outFeatures])
        linear(x.data, rows: rows, inFeatures: inFeatures, weight: weight.data, outFeatures: outFeatures,
               bias: bias?.data, into: y.data)
        return y
    }

    /// Pointer form of `linear`: writes `rows × outFeatures` floats at `out`.
    public static func linear(_ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
                              weight: UnsafePointer<Float>, outFeatures: Int,
                              bias: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
        if let bias {
            // Seed every output row with the bias, then accumulate the product onto it (beta = 1).
            Parallel.forEachChunk(count: rows, grain: max(1, 16_384 / max(outFeatures, 1))) { range in
                for r in range { (out + r * outFeatures).update(from: bias, count: outFeatures) }
            }
        }
        BLAS.sgemm(transB: true, m: rows, n: outFeatures, k: inFeatures,
                   a: x, lda: inFeatures, b: weight, ldb: inFeatures,
                   beta: bias == nil ? 0 : 1, c: out, ldc: outFeatures)
    }

    /// y = r + x · Wᵀ + b — a projection onto a residual stream in one pass less than `linear`
    /// then `addInPlace`: the output is seeded with r + b and the GEMM accumulates onto it.
    /// x `(…, in)`, W `(out, in)`, b `(out)`, r with the output's element count → y `(…, out)`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, residual: Tensor) -> Tensor {
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        precondition(x.shape.last == inFeatures, "linear: input \(x.shape) vs weight \(weight.shape)")
        let rows = x.count / max(inFeatures, 1)
        precondition(residual.count == rows * outFeatures, "linear: residual \(residual.shape) for \(rows) × \(outFeatures)")
        let y = Tensor(uninitialized: Array(x.shape.dropLast()) + [outFeatures])
        let out = y.data, r = residual.data, b = bias?.data
        Parallel.forEachChunk(count: rows, grain: max(1, 16_384 / max(outFeatures, 1))) { range in
            for row in range {
                let o = out + row * outFeatures, src = r + row * outFeatures
                if let b { for j in 0..<outFeatures { o[j] = src[j] + b[j] } } else { o.update(from: src, count: outFeatures) }
            }
        }
        BLAS.sgemm(transB: true, m: rows, n: outFeatures, k: inFeatures, a: x.data, lda: inFeatures,
                   b: weight.data, ldb: inFeatures, beta: 1, c: out, ldc: outFeatures)
        return y
    }

    /// y = act(x · Wᵀ + b) — the MLP's first layer with the bias added in the activation's pass.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: Activation) -> Tensor {
        let y = linear(x, weight: weight, bias: nil)
        let n = weight.shape[0], rows = y.count / max(n, 1), p = y.data
        guard let b = bias?.data else {
            activate(y, activation)
            return y
        }
        Parallel.forEachChunk(count: rows, grain: max(1, 32_768 / max(n, 1))) { range in
            for row in range {
                let h = p + row * n
                switch activation {
                case .quickGELU: stclip_bias_quick_gelu(h, b, n)
                case .gelu: for j in 0..<n { h[j] = gelu(h[j] + b[j]) }
                }
            }
        }
        return y
    }

    /// y = x · W — x `(…, K)`, W `(K, N)` (a bare parameter matrix, not a Linear's `(out, in)`).
    public static func matmul(_ x: Tensor, _ w: Tensor) -> Tensor {
        let k = w.shape[0], n = w.shape[1]
        precondition(w.rank == 2 && x.shape.last == k, "matmul: \(x.shape) · \(w.shape)")
        let rows = x.count / max(k, 1)
        let y = Tensor(uninitialized: Array(x.shape.dropLast()) + [n])
        BLAS.sgemm(m: rows, n: n, k: k, a: x.data, lda: k, b: w.data, ldb: n, c: y.data, ldc: n)
        return y
    }

    // MARK: - Layer norm

    /// y = (x − mean) / sqrt(var + eps) · γ + β over the last dimension — x `(…, D)`, γ, β `(D)`.
    public static func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        let y = Tensor(uninitialized: x.shape)
        layerNorm(x, weight: weight, bias: bias, eps: eps, into: y.data)
        return y
    }

    /// Pointer form of `layerNorm`: writes x's element count of floats at `out`.
    public static func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float, into out: UnsafeMutablePointer<Float>) {
        let d = x.shape.last ?? 0
        precondition(weight.count == d && bias.count == d, "layerNorm: \(x.shape) vs \(weight.shape)")
        let rows = x.count / max(d, 1)
        let src = x.data, g = weight.data, b = bias.data
        Parallel.forEachChunk(count: rows, grain: max(1, 16_384 / max(d, 1))) { range in
            for r in range { layerNormRow(src + r * d, g, b, d, eps, out + r * d) }
        }
    }

    @inline(__always)
    static func layerNormRow(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                             _ d: Int, _ eps: Float, _ y: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        let vectors = d / 8
        // Two passes (mean, then centred variance) for the accuracy of PyTorch's Welford.
        var acc = V()
        for i in 0..<vectors { acc += UnsafeRawPointer(x + 8 * i).loadUnaligned(as: V.self) }
        var sum = acc.sum()
        for i in (8 * vectors)..<d { sum += x[i] }
        let mean = sum / Float(d)
        var acc2 = V()
        for i in 0..<vectors {
            let c = UnsafeRawPointer(x + 8 * i).loadUnaligned(as: V.self) - mean
            acc2 += c * c
        }
        var sq = acc2.sum()
        for i in (8 * vectors)..<d { sq += (x[i] - mean) * (x[i] - mean) }
        let inv = 1 / (sq / Float(d) + eps).squareRoot()
        for i in 0..<vectors {
            let xv = UnsafeRawPointer(x + 8 * i).loadUnaligned(as: V.self)
            let gv = UnsafeRawPointer(g + 8 * i).loadUnaligned(as: V.self)
            let bv = UnsafeRawPointer(b + 8 * i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(y + 8 * i).storeBytes(of: (xv - mean) * inv * gv + bv, as: V.self)
        }
        for i in (8 * vectors)..<d { y[i] = (x[i] - mean) * inv * g[i] + b[i] }
    }

    // MARK: - Activations

    /// The MLP nonlinearities of the CLIP family, named as in `hidden_act`.
    public enum Activation: String, Sendable, CaseIterable {
        /// x · σ(1.702 x), OpenAI CLIP's approximation.
        case quickGELU = "quick_gelu"
        /// 0.5 x (1 + erf(x / √2)), the exact GELU.
        case gelu = "gelu"
    }

    /// Applies `activation` to every element of `x`, in place.
    public static func activate(_ x: Tensor, _ activation: Activation) {
        switch activation {
        case .quickGELU: quickGELU(x)
        case .gelu: gelu(x)
        }
    }

    /// x ← x · σ(1.702 x) = x / (1 + e^(−1.702 x)), in place.
    public static func quickGELU(_ x: Tensor) {
        let p = x.data
        Parallel.forEachChunk(count: x.count) { range in
            stclip_quick_gelu(p + range.lowerBound, range.count)
        }
    }

    /// x ← 0.5 x (1 + erf(x / √2)), in place.
    public static func gelu(_ x: Tensor) {
        let p = x.data
        Parallel.forEachChunk(count: x.count) { range in
            for i in range { p[i] = gelu(p[i]) }
        }
    }

    /// 0.5 x (1 + erf(x / √2)).
    @inline(__always)
    static func gelu(_ x: Float) -> Float { 0.5 * x * (1 + erf(x * 0.707_106_781_186_547_5)) }

    // MARK: - Residual

    /// x ← x + y, in place; shapes must have equal element counts.
    public static func addInPlace(_ x: Tensor, _ y: Tensor) {
        precondition(x.count == y.count, "add: \(x.shape) vs \(y.shape)")
        let a = x.data, b = y.data
        Parallel.forEachChunk(count: x.count, grain: 65_536) { range in
            for i in range { a[i] += b[i] }
        }
    }

    // MARK: - Softmax

    /// Softmax over each row of a `rows × cols` matrix, in place; entries equal to −∞ get 0 and a
    /// row of only −∞ becomes zeros rather than NaN.
    public static func softmaxRows(_ p: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        stclip_softmax_rows(p, rows, cols)
    }

    /// Softmax over the last dimension of `x`, in place.
    public static func softmax(_ x: Tensor) {
        let d = x.shape.last ?? 0
        softmaxRows(x.data, rows: x.count / max(d, 1), cols: d)
    }

    // MARK: - Attention

    /// Which keys a query may attend to.
    public struct AttentionMask: Sendable, Equatable {
        /// Query i sees keys 0…i only (CLIP's text tower).
        public var causal: Bool
        /// Per sequence, the number of valid keys; keys at or after it are padding. `nil`: all valid.
        public var keyLengths: [Int]?

        public init(causal: Bool = false, keyLengths: [Int]? = nil) {
            self.causal = causal
            self.keyLengths = keyLengths
        }

        /// Every query sees every key.
        public static let none = AttentionMask()
    }

    /// Multi-head scaled dot-product attention.
    ///
    /// q `(B·Lq, D)`, k and v `(B·Lk, D)` with D = heads · headDim, heads side by side in the feature
    /// dimension (as after the q/k/v projections) → `(B·Lq, D)`, each head's output in its own
    /// columns. For each sequence b and head h: O = softmax(Q Kᵀ / √headDim + mask) V.
    /// `keySequence` defaults to `sequence` (self-attention); a causal mask needs the two equal.
    ///
    /// `extraKeys` and `extraValues` `(B, D)`, given together, add one more key and value to each
    /// sequence, after its own and seen by every query whatever the mask: IFSA's communication
    /// token, attended to by its frame's tokens. The result equals attention over keys
    /// [K_b; extra_b] without building that concatenation.
    public static func attention(q: Tensor, k: Tensor, v: Tensor, batch: Int, sequence l: Int, keySequence: Int? = nil,
                                 heads: Int, mask: AttentionMask = .none,
                                 extraKeys: Tensor? = nil, extraValues: Tensor? = nil) -> Tensor {
        let d = q.shape.last ?? 0
        let lk = keySequence ?? l
        let extra = extraKeys != nil ? 1 : 0
        precondition(q.count == batch * l * d && k.count == batch * lk * d && v.count == k.count && d % heads == 0
                     && (!mask.causal || lk == l) && (extraKeys == nil) == (extraValues == nil)
                     && (extraKeys.map { $0.count == batch * d } ?? true) && (extraValues.map { $0.count == batch * d } ?? true),
                     "attention: q \(q.shape) k \(k.shape) v \(v.shape) batch \(batch) L \(l)/\(lk) heads \(heads) extra \(extraKeys?.shape ?? [])")
        let hd = d / heads
        let out = Tensor(uninitialized: [batch * l, d])
        let scale = 1 / Float(hd).squareRoot()
        let (qp, kp, vp, op) = (q.data, k.data, v.data, out.data)
        let (ekp, evp) = (extraKeys?.data, extraValues?.data)
        let width = lk + extra  // score columns: the sequence's keys, then the extra key
        // Sequences are independent: split them over the cores, each with its own score buffer.
        // The per-head GEMMs are far below OpenBLAS's threading threshold, so each runs on its caller.
        Parallel.forEachChunk(count: batch, grain: 1) { sequences in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: l * width)  // (Lq, Lk + extra)
            defer { scores.deallocate() }
            for b in sequences {
                let valid = mask.keyLengths.map { Swift.min(Swift.max($0[b], 0), lk) } ?? lk
                for h in 0..<heads {
                    let qBase = b * l * d + h * hd, kBase = b * lk * d + h * hd
                    // S = Q_bh · K_bhᵀ / √hd; the head's columns are reached through lda = D.
                    BLAS.sgemm(transB: true, m: l, n: lk, k: hd, alpha: scale,
                               a: qp + qBase, lda: d, b: kp + kBase, ldb: d, c: scores, ldc: width)
                    if let ekp {
                        // Column Lk: each query against the extra key.
                        let key = ekp + b * d + h * hd
                        for i in 0..<l { scores[i * width + lk] = dot(qp + qBase + i * d, key, hd) * scale }
                    }
                    if mask.causal || valid < lk {
                        for i in 0..<l {
                            let firstMasked = mask.causal ? Swift.min(i + 1, valid) : valid
                            if firstMasked < lk { (scores + i * width + firstMasked).update(repeating: -.infinity, count: lk - firstMasked) }
                        }
                    }
                    softmaxRows(scores, rows: l, cols: width)
                    // O_bh (Lq×hd) = P · V_bh, written into the head's columns of the output.
                    BLAS.sgemm(m: l, n: hd, k: lk, a: scores, lda: width, b: vp + kBase, ldb: d, c: op + qBase, ldc: d)
                    if let evp {
                        // + P[:, Lk] ⊗ extra value.
                        let value = evp + b * d + h * hd
                        for i in 0..<l {
                            let p = scores[i * width + lk], row = op + qBase + i * d
                            for c in 0..<hd { row[c] += p * value[c] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Σ a[i]·b[i] over n floats, eight lanes at a time.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        typealias V = SIMD8<Float>
        var acc = V()
        let vectors = n / 8
        for i in 0..<vectors {
            acc += UnsafeRawPointer(a + 8 * i).loadUnaligned(as: V.self) * UnsafeRawPointer(b + 8 * i).loadUnaligned(as: V.self)
        }
        var sum = acc.sum()
        for i in (8 * vectors)..<n { sum += a[i] * b[i] }
        return sum
    }

    // MARK: - Patch embedding

    /// A bias-free convolution with kernel = stride = P, as im2col then one GEMM for all images.
    ///
    /// pixels `(B, C, H, W)`, weight `(D, C, P, P)` → `(B, (H/P)·(W/P), D)`, patches in row-major
    /// grid order; trailing pixels that do not fill a patch are dropped, as the convolution does.
    public static func patchEmbed(_ pixels: Tensor, weight: Tensor) -> Tensor {
        precondition(pixels.rank == 4 && weight.rank == 4 && pixels.shape[1] == weight.shape[1]
                     && weight.shape[2] == weight.shape[3], "patchEmbed: \(pixels.shape) vs \(weight.shape)")
        let (b, c, h, w) = (pixels.shape[0], pixels.shape[1], pixels.shape[2], pixels.shape[3])
        let (d, p) = (weight.shape[0], weight.shape[2])
        let (gh, gw) = (h / p, w / p)
        let patchSize = c * p * p
        let patches = b * gh * gw
        // cols (B·gh·gw, C·P·P): each row one patch, flattened (c, ky, kx) like the weight.
        let cols = Tensor(uninitialized: [patches, patchSize])
        let src = pixels.data, dst = cols.data
        Parallel.forEachChunk(count: b * gh, grain: 1) { range in
            for bgy in range {
                let (img, gy) = (bgy / gh, bgy % gh)
                for gx in 0..<gw {
                    var o = dst + ((img * gh + gy) * gw + gx) * patchSize
                    for ch in 0..<c {
                        for ky in 0..<p {
                            o.update(from: src + ((img * c + ch) * h + gy * p + ky) * w + gx * p, count: p)
                            o += p
                        }
                    }
                }
            }
        }
        let out = Tensor(uninitialized: [b, gh * gw, d])
        linear(cols.data, rows: patches, inFeatures: patchSize, weight: weight.data, outFeatures: d,
               bias: nil, into: out.data)
        return out
    }
}
