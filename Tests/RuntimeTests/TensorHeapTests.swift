import XCTest
@testable import STClipRuntime
#if canImport(Glibc)
import Glibc
#endif

final class TensorHeapTests: XCTestCase {
    /// Page faults the process has taken that the kernel served without I/O (zeroed or shared pages).
    private func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }

    /// Layers free and reallocate the same activation sizes; once the heap holds them, doing so
    /// again must not make the kernel map and zero fresh pages. 24 live `(400, 3072)` blocks (a
    /// B/32 MLP activation each, 118 MB in all) are more free heap than glibc's own trimming keeps
    /// even after its dynamic threshold has grown to the largest (32 MiB mmap, 64 MiB trim).
    func testFreedActivationMemoryIsReusedWithoutPageFaults() throws {
        // AddressSanitizer's malloc replaces glibc's and ignores mallopt; nothing to measure there.
        try XCTSkipIf(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil, "built with AddressSanitizer")
        XCTAssertTrue(Tensor.heapIsTuned)
        func round() {
            let blocks = (0..<24).map { _ in Tensor(uninitialized: [400, 3072]) }
            for block in blocks { block.data.update(repeating: 1, count: block.count) }
        }
        round()
        let before = minorFaults()
        for _ in 0..<8 { round() }
        let faults = minorFaults() - before
        // Untuned, each round faults its 118 MB in again: 8 × 28,800 pages.
        print("minor page faults over 8 rounds of 118 MB: \(faults) (untuned: about 230,000)")
        XCTAssertLessThan(faults, 2_000)
    }
}
