import CBLAS

/// The one boundary to OpenBLAS: row-major single-precision GEMM and the library's thread count.
public enum BLAS {
    /// Threads OpenBLAS uses for one call. Workers × threads should not exceed the cores.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// C(m×n) = alpha · op(A) · op(B) + beta · C, row-major with explicit leading dimensions.
    ///
    /// op(A) is (m×k): A is stored (m×k) when `transA` is false, else (k×m); likewise op(B) is (k×n).
    @inline(__always)
    public static func sgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }

    /// OpenBLAS's build configuration string (kernel target and threading).
    public static var configuration: String {
        guard let p = openblas_get_config() else { return "unknown" }
        return String(cString: p) + " core=" + (openblas_get_corename().map { String(cString: $0) } ?? "?")
    }
}
