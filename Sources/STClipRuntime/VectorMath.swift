import CKernels

/// Vectorised transcendental functions shared by the elementwise kernels.
public enum VectorMath {
    /// y = e^x elementwise (Cephes `expf`, ≈ 1 ulp on [−87.3, 88.3]; clamped outside).
    public static func exp(_ x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in stclip_exp(xp.baseAddress!, yp.baseAddress!, x.count) }
        }
        return y
    }
}
