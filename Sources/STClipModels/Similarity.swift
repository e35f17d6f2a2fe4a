import Foundation
import STClipRuntime

/// Cosine similarity scaled by a learned temperature, as CLIP's contrastive head computes it.
public enum Similarity {
    /// Rows of `x` `(R, P)` divided by their L2 norms, as a new tensor.
    public static func normalized(_ x: Tensor) -> Tensor {
        let p = x.shape.last ?? 0
        let y = x.copy()
        for r in 0..<(x.count / max(p, 1)) {
            let row = y.data + r * p
            var s: Float = 0
            for i in 0..<p { s += row[i] * row[i] }
            let inv = 1 / s.squareRoot()
            for i in 0..<p { row[i] *= inv }
        }
        return y
    }

    /// `(A, P)` × `(B, P)` → `(A, B)`: cos(a, b) · exp(logitScale).
    public static func logits(_ a: Tensor, _ b: Tensor, logitScale: Float) -> Tensor {
        let p = a.shape.last ?? 0
        let (na, nb) = (normalized(a), normalized(b))
        let rows = a.count / max(p, 1), cols = b.count / max(p, 1)
        let out = Tensor(uninitialized: [rows, cols])
        BLAS.sgemm(transB: true, m: rows, n: cols, k: p, alpha: Float(exp(Double(logitScale))),
                   a: na.data, lda: p, b: nb.data, ldb: p, c: out.data, ldc: cols)
        return out
    }
}
