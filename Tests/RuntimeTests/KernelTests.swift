import XCTest
import STClipRuntime
import STClipTestSupport

/// Each fast kernel against its plain-loop twin in `Reference`.
final class KernelTests: XCTestCase {
    func testGEMMMatchesReferenceAtOddSizes() {
        for (m, n, k) in [(1, 1, 1), (7, 13, 5), (33, 65, 129), (50, 64, 50)] {
            let a = randomValues(m * k, seed: 1), b = randomValues(k * n, seed: 2)
            var c = [Float](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                BLAS.sgemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
            } } }
            assertClose(c, Reference.matmul(a, b, m: m, n: n, k: k), atol: 1e-5 * Float(k), "sgemm \(m)x\(n)x\(k)")
        }
    }

    func testLinearWithAndWithoutBias() {
        let (rows, inF, outF) = (37, 70, 45)
        let x = randomValues(rows * inF, seed: 3), w = randomValues(outF * inF, seed: 4), b = randomValues(outF, seed: 5)
        let xt = Tensor(shape: [rows, inF], values: x), wt = Tensor(shape: [outF, inF], values: w)
        assertClose(Kernels.linear(xt, weight: wt, bias: Tensor(shape: [outF], values: b)).toArray(),
                    Reference.linear(x, rows: rows, weight: w, bias: b, inFeatures: inF, outFeatures: outF),
                    atol: 1e-4, "linear+bias")
        assertClose(Kernels.linear(xt, weight: wt, bias: nil).toArray(),
                    Reference.linear(x, rows: rows, weight: w, bias: nil, inFeatures: inF, outFeatures: outF),
                    atol: 1e-4, "linear")
    }

    func testLinearOntoAResidualAndLinearWithActivation() {
        let (rows, inF, outF) = (37, 70, 45)
        let x = randomValues(rows * inF, seed: 13), w = randomValues(outF * inF, seed: 14), b = randomValues(outF, seed: 15)
        let r = randomValues(rows * outF, seed: 16)
        let xt = Tensor(shape: [rows, inF], values: x), wt = Tensor(shape: [outF, inF], values: w)
        for bias in [b, nil] {
            let bt = bias.map { Tensor(shape: [outF], values: $0) }
            let product = Reference.linear(x, rows: rows, weight: w, bias: bias, inFeatures: inF, outFeatures: outF)
            assertClose(Kernels.linear(xt, weight: wt, bias: bt, residual: Tensor(shape: [rows, outF], values: r)).toArray(),
                        zip(product, r).map { $0 + $1 }, atol: 1e-4, "residual + linear, bias \(bias != nil)")
            assertClose(Kernels.linear(xt, weight: wt, bias: bt, activation: .quickGELU).toArray(), Reference.quickGELU(product),
                        atol: 1e-4, "quick_gelu(linear), bias \(bias != nil)")
            assertClose(Kernels.linear(xt, weight: wt, bias: bt, activation: .gelu).toArray(), Reference.gelu(product),
                        atol: 1e-4, "gelu(linear), bias \(bias != nil)")
        }
    }

    func testLayerNormIncludingOffsetRowsAndRaggedWidths() {
        for d in [1, 7, 8, 31, 768] {
            let rows = 9
            // A large common offset stresses the variance computation.
            let x = randomValues(rows * d, seed: UInt64(d), range: 99...101)
            let g = randomValues(d, seed: 7), b = randomValues(d, seed: 8)
            let y = Kernels.layerNorm(Tensor(shape: [rows, d], values: x), weight: Tensor(shape: [d], values: g),
                                      bias: Tensor(shape: [d], values: b), eps: 1e-5)
            assertClose(y.toArray(), Reference.layerNorm(x, d: d, weight: g, bias: b, eps: 1e-5), atol: 2e-4, "layerNorm d=\(d)")
        }
    }

    func testSoftmaxWithInfinitiesAndLargeValues() {
        var x = randomValues(5 * 19, seed: 9, range: -30...30)
        x[3] = -.infinity
        x[19 ..< 38] = ArraySlice(repeating: -.infinity, count: 19)
        x[40] = 80
        let t = Tensor(shape: [5, 19], values: x)
        Kernels.softmax(t)
        assertClose(t.toArray(), Reference.softmax(x, n: 19), atol: 1e-6, rtol: 1e-5, "softmax")
        XCTAssertEqual(t.toArray()[19 ..< 38].reduce(0, +), 0, "an all −∞ row is zeros, not NaN")
    }

    func testActivationsAcrossTheRange() {
        let x = randomValues(100_003, seed: 10, range: -12...12) + [-100, -88, 0, 88, 100]
        let q = Tensor(shape: [x.count], values: x)
        Kernels.quickGELU(q)
        assertClose(q.toArray(), Reference.quickGELU(x), atol: 2e-6, rtol: 2e-6, "quick_gelu")
        let g = Tensor(shape: [x.count], values: x)
        Kernels.gelu(g)
        assertClose(g.toArray(), Reference.gelu(x), atol: 2e-6, rtol: 2e-6, "gelu")
    }

    func testVectorExpIsWithinTwoUlpOnItsRange() {
        let xs = stride(from: Float(-87), to: 88, by: 0.0137).map { $0 }
        let ys = VectorMath.exp(xs)
        var worst: Float = 0
        for (x, v) in zip(xs, ys) {
            let exact = Float(Foundation.exp(Double(x)))
            worst = max(worst, abs(v - exact) / exact.ulp)
        }
        print("VectorMath.exp: worst error \(worst) ulp")
        XCTAssertLessThanOrEqual(worst, 2)
    }

    func testAttentionPlainCausalAndPadded() {
        checkAttention(batch: 3, sequence: 11, dim: 24, heads: 4, seed: 11,
                       masks: [.none, .init(causal: true), .init(causal: true, keyLengths: [11, 4, 1]),
                               .init(causal: false, keyLengths: [2, 11, 7])])
    }

    /// ViT-sized heads: 64 features and 20, 50 keys, a sequence whose keys are all padding.
    func testAttentionAtModelSizesWithRaggedBlocks() {
        for (d, heads) in [(192, 3), (40, 2)] {
            checkAttention(batch: 3, sequence: 50, dim: d, heads: heads, seed: 31,
                           masks: [.none, .init(causal: true, keyLengths: [50, 17, 0]), .init(causal: false, keyLengths: [0, 33, 49])])
        }
    }

    /// Self-attention of random q, k, v against `Reference.attention` under each mask.
    private func checkAttention(batch: Int, sequence l: Int, dim d: Int, heads: Int, seed: UInt64,
                                masks: [Kernels.AttentionMask], file: StaticString = #filePath, line: UInt = #line) {
        let q = randomValues(batch * l * d, seed: seed, range: -2...2)
        let k = randomValues(batch * l * d, seed: seed + 1, range: -2...2)
        let v = randomValues(batch * l * d, seed: seed + 2)
        for mask in masks {
            let out = Kernels.attention(q: Tensor(shape: [batch * l, d], values: q), k: Tensor(shape: [batch * l, d], values: k),
                                        v: Tensor(shape: [batch * l, d], values: v), batch: batch, sequence: l, heads: heads, mask: mask)
            let ref = Reference.attention(q: q, k: k, v: v, batch: batch, sequence: l, dim: d, heads: heads,
                                          causal: mask.causal, keyLengths: mask.keyLengths)
            assertClose(out.toArray(), ref, atol: 1e-5, "attention L=\(l) D=\(d) heads=\(heads) \(mask)", file: file, line: line)
        }
    }

    /// One extra key and value per sequence (IFSA's communication token) equals attention over the
    /// concatenated keys, at ViT-B/32's frame size, for self-attention and for picked queries, and the
    /// extra key stays visible under a padding mask.
    func testExtraKeyEqualsConcatenatedKeys() {
        let (batch, l, d, heads) = (3, 50, 192, 3)
        let q = randomValues(batch * l * d, seed: 41, range: -2...2)
        let k = randomValues(batch * l * d, seed: 42, range: -2...2), v = randomValues(batch * l * d, seed: 43)
        let ek = randomValues(batch * d, seed: 44, range: -2...2), ev = randomValues(batch * d, seed: 45)
        // [K_b; extra_b] per sequence: L + 1 keys.
        func rows(_ x: [Float], _ range: Range<Int>) -> [Float] { Array(x[(range.lowerBound * d)..<(range.upperBound * d)]) }
        var kc: [Float] = [], vc: [Float] = []
        for b in 0..<batch {
            kc += rows(k, (b * l)..<((b + 1) * l)) + rows(ek, b..<(b + 1))
            vc += rows(v, (b * l)..<((b + 1) * l)) + rows(ev, b..<(b + 1))
        }
        for mask in [Kernels.AttentionMask.none, .init(keyLengths: [50, 20, 0])] {
            let out = Kernels.attention(q: Tensor(shape: [batch * l, d], values: q), k: Tensor(shape: [batch * l, d], values: k),
                                        v: Tensor(shape: [batch * l, d], values: v), batch: batch, sequence: l, heads: heads, mask: mask,
                                        extraKeys: Tensor(shape: [batch, d], values: ek), extraValues: Tensor(shape: [batch, d], values: ev))
            // Padding hides keys valid..<L of the sequence's own keys only; the appended key stays visible.
            var ref = [Float](repeating: 0, count: batch * l * d)
            for b in 0..<batch {
                let valid = mask.keyLengths?[b] ?? l
                let keep = Array(0..<valid) + [l]
                let kb: [Float] = keep.flatMap { (j: Int) -> [Float] in rows(kc, (b * (l + 1) + j)..<(b * (l + 1) + j + 1)) }
                let vb: [Float] = keep.flatMap { (j: Int) -> [Float] in rows(vc, (b * (l + 1) + j)..<(b * (l + 1) + j + 1)) }
                let o = Reference.attention(q: rows(q, (b * l)..<((b + 1) * l)), k: kb, v: vb, batch: 1, sequence: l,
                                            keySequence: keep.count, dim: d, heads: heads, causal: false, keyLengths: nil)
                ref.replaceSubrange((b * l * d)..<((b + 1) * l * d), with: o)
            }
            assertClose(out.toArray(), ref, atol: 1e-5, "attention with an extra key, \(mask)")
        }
        // Picked queries (one per sequence, keys of length L) against the same reference rows.
        let picks = [0, 17, 49]
        let qPicked: [Float] = picks.enumerated().flatMap { (b: Int, i: Int) -> [Float] in rows(q, (b * l + i)..<(b * l + i + 1)) }
        let picked = Kernels.attention(q: Tensor(shape: [batch, d], values: qPicked), k: Tensor(shape: [batch * l, d], values: k),
                                       v: Tensor(shape: [batch * l, d], values: v), batch: batch, sequence: 1, keySequence: l, heads: heads,
                                       extraKeys: Tensor(shape: [batch, d], values: ek), extraValues: Tensor(shape: [batch, d], values: ev))
        let full = Reference.attention(q: q, k: kc, v: vc, batch: batch, sequence: l, keySequence: l + 1, dim: d, heads: heads,
                                       causal: false, keyLengths: nil)
        let fullPicked: [Float] = picks.enumerated().flatMap { (b: Int, i: Int) -> [Float] in rows(full, (b * l + i)..<(b * l + i + 1)) }
        assertClose(picked.toArray(), fullPicked, atol: 1e-5, "picked queries with an extra key")
    }

    func testCrossAttentionWithDifferentKeyLength() {
        let (batch, lq, lk, d, heads) = (2, 5, 9, 16, 2)
        let q = randomValues(batch * lq * d, seed: 21, range: -2...2)
        let k = randomValues(batch * lk * d, seed: 22, range: -2...2), v = randomValues(batch * lk * d, seed: 23)
        let out = Kernels.attention(q: Tensor(shape: [batch * lq, d], values: q), k: Tensor(shape: [batch * lk, d], values: k),
                                    v: Tensor(shape: [batch * lk, d], values: v), batch: batch, sequence: lq, keySequence: lk, heads: heads)
        let ref = Reference.attention(q: q, k: k, v: v, batch: batch, sequence: lq, keySequence: lk, dim: d, heads: heads,
                                      causal: false, keyLengths: nil)
        assertClose(out.toArray(), ref, atol: 1e-5, "cross-attention Lq=\(lq) Lk=\(lk)")
    }

    func testMatmulAgainstReference() {
        let (m, k, n) = (13, 21, 17)
        let a = randomValues(m * k, seed: 24), b = randomValues(k * n, seed: 25)
        assertClose(Kernels.matmul(Tensor(shape: [m, k], values: a), Tensor(shape: [k, n], values: b)).toArray(),
                    Reference.matmul(a, b, m: m, n: n, k: k), atol: 1e-5, "matmul")
    }

    func testPatchEmbedDropsTrailingPixels() {
        let (b, c, h, w, d, p) = (2, 3, 35, 29, 5, 8)
        let x = randomValues(b * c * h * w, seed: 14), wt = randomValues(d * c * p * p, seed: 15)
        let out = Kernels.patchEmbed(Tensor(shape: [b, c, h, w], values: x), weight: Tensor(shape: [d, c, p, p], values: wt))
        XCTAssertEqual(out.shape, [b, (h / p) * (w / p), d])
        assertClose(out.toArray(), Reference.patchEmbed(x, b: b, c: c, h: h, w: w, weight: wt, d: d, p: p), atol: 1e-4, "patchEmbed")
    }

    func testAddInPlace() {
        let a = randomValues(70_000, seed: 16), b = randomValues(70_000, seed: 17)
        let t = Tensor(shape: [70_000], values: a)
        Kernels.addInPlace(t, Tensor(shape: [70_000], values: b))
        XCTAssertEqual(t.toArray(), zip(a, b).map { $0 + $1 })
    }
}
