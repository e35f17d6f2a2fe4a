import Dispatch

/// Splits elementwise work over the cores that BLAS may use, so that the work between two
/// GEMMs runs as wide as the GEMMs themselves.
public enum Parallel {
    /// Calls `body` on contiguous, disjoint sub-ranges covering `0..<count`.
    ///
    /// Work below `grain` elements per chunk runs inline: the dispatch costs more than it saves.
    @inline(__always)
    public static func forEachChunk(count: Int, grain: Int = 32_768, _ body: (Range<Int>) -> Void) {
        let chunks = min(BLAS.threads, count / max(grain, 1))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        // concurrentPerform returns only after every chunk ran, so the non-escaping body and the
        // pointers it captures outlive the concurrent calls; the box only tells the compiler so.
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { i in
                box.value(count * i / chunks ..< count * (i + 1) / chunks)
            }
        }
    }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
