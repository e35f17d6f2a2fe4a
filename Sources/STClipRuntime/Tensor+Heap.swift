import CKernels

extension Tensor {
    /// Storage for `count` floats (at least one) from the C heap, tuned for tensors on first use.
    static func allocateStorage(_ count: Int) -> UnsafeMutablePointer<Float> {
        _ = heapIsTuned
        return .allocate(capacity: max(count, 1))
    }

    /// Keeps freed activation memory in the process for the next layer and the next request.
    ///
    /// Left to itself, glibc's malloc serves blocks over its dynamic mmap threshold with fresh
    /// mappings and gives the top of the heap back to the kernel once more than twice that
    /// threshold lies free there. A forward pass frees and reallocates the same few sizes
    /// (`(T·L, D)`, `(T·L, 4D)`) in every layer, so whether the heap top crosses that line is an
    /// accident of the order of allocations: at B/32 size, stas-clip's and X-CLIP's communication
    /// tokens tipped it, and each of their forwards took 12,000–16,000 page faults (48–64 MB of pages
    /// zeroed by the kernel; stas-clip over CLIP 1.048 against 1.015 on two cores) where plain CLIP
    /// took none. Fixed thresholds instead: blocks under 32 MiB (glibc's largest mmap threshold)
    /// come from the heap, and up to 512 MiB of free heap is kept rather than trimmed; larger
    /// blocks are still mapped and unmapped.
    /// False where the C library refused (or is not glibc): tensors then work as before.
    static let heapIsTuned: Bool = stclip_keep_heap(32 << 20, 512 << 20) == 1
}
