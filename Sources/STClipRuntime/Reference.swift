import Foundation

/// Plain-loop twins of `Kernels`, written for obviousness, never for speed. Tests compare the fast
/// kernels against these; they accumulate in Double so that they are the more exact of the two.
public enum Reference {
    /// C (m×n) = A (m×k) · B (k×n), all row-major.
    public static func matmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    /// y = x · Wᵀ + b — x (rows×in), W (out×in), b (out).
    public static func linear(_ x: [Float], rows: Int, weight: [Float], bias: [Float]?, inFeatures: Int, outFeatures: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var s = Double(bias?[o] ?? 0)
                for i in 0..<inFeatures { s += Double(x[r * inFeatures + i]) * Double(weight[o * inFeatures + i]) }
                y[r * outFeatures + o] = Float(s)
            }
        }
        return y
    }

    /// Layer norm over rows of length d.
    public static func layerNorm(_ x: [Float], d: Int, weight: [Float], bias: [Float], eps: Float) -> [Float] {
        var y = x
        for r in 0..<(x.count / d) {
            let row = x[(r * d)..<(r * d + d)].map(Double.init)
            let mean = row.reduce(0, +) / Double(d)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
            for i in 0..<d {
                y[r * d + i] = Float((row[i] - mean) / (variance + Double(eps)).squareRoot() * Double(weight[i]) + Double(bias[i]))
            }
        }
        return y
    }

    /// Softmax over rows of length n; −∞ entries get 0, and an all −∞ row becomes zeros.
    public static func softmax(_ x: [Float], n: Int) -> [Float] {
        var y = x
        for r in 0..<(x.count / n) {
            let row = x[(r * n)..<(r * n + n)].map(Double.init)
            let m = row.max() ?? 0
            if m == -.infinity { for i in 0..<n { y[r * n + i] = 0 }; continue }
            let e = row.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            for i in 0..<n { y[r * n + i] = Float(e[i] / s) }
        }
        return y
    }

    /// x · σ(1.702 x).
    public static func quickGELU(_ x: [Float]) -> [Float] {
        x.map { v in Float(Double(v) / (1 + Foundation.exp(-1.702 * Double(v)))) }
    }

    /// 0.5 x (1 + erf(x / √2)).
    public static func gelu(_ x: [Float]) -> [Float] {
        x.map { v in Float(0.5 * Double(v) * (1 + erf(Double(v) / 2.0.squareRoot()))) }
    }

    /// Multi-head attention on q (B·Lq, D), k and v (B·Lk, D), one head and one query at a time.
    public static func attention(q: [Float], k: [Float], v: [Float], batch: Int, sequence l: Int, keySequence: Int? = nil,
                                 dim d: Int, heads: Int, causal: Bool, keyLengths: [Int]?) -> [Float] {
        let hd = d / heads, lk = keySequence ?? l
        var out = [Float](repeating: 0, count: batch * l * d)
        for b in 0..<batch {
            let valid = keyLengths?[b] ?? lk
            for h in 0..<heads {
                for i in 0..<l {
                    var scores = [Double](repeating: -.infinity, count: lk)
                    for j in 0..<lk where j < valid && (!causal || j <= i) {
                        var s = 0.0
                        for e in 0..<hd { s += Double(q[(b * l + i) * d + h * hd + e]) * Double(k[(b * lk + j) * d + h * hd + e]) }
                        scores[j] = s / Double(hd).squareRoot()
                    }
                    let m = scores.max() ?? 0
                    guard m > -.infinity else { continue }
                    let e = scores.map { Foundation.exp($0 - m) }
                    let total = e.reduce(0, +)
                    for c in 0..<hd {
                        var s = 0.0
                        for j in 0..<lk { s += e[j] / total * Double(v[(b * lk + j) * d + h * hd + c]) }
                        out[(b * l + i) * d + h * hd + c] = Float(s)
                    }
                }
            }
        }
        return out
    }

    /// Direct convolution with kernel = stride = p and no bias: pixels (B, C, H, W), weight (D, C, p, p)
    /// → (B, gh·gw, D).
    public static func patchEmbed(_ x: [Float], b: Int, c: Int, h: Int, w: Int, weight: [Float], d: Int, p: Int) -> [Float] {
        let (gh, gw) = (h / p, w / p)
        var out = [Float](repeating: 0, count: b * gh * gw * d)
        for img in 0..<b {
            for gy in 0..<gh {
                for gx in 0..<gw {
                    for o in 0..<d {
                        var s = 0.0
                        for ch in 0..<c {
                            for ky in 0..<p {
                                for kx in 0..<p {
                                    s += Double(x[((img * c + ch) * h + gy * p + ky) * w + gx * p + kx])
                                        * Double(weight[((o * c + ch) * p + ky) * p + kx])
                                }
                            }
                        }
                        out[((img * gh + gy) * gw + gx) * d + o] = Float(s)
                    }
                }
            }
        }
        return out
    }
}
