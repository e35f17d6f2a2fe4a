/// A contiguous, row-major float32 tensor.
///
/// Storage is either owned (allocated here, freed in `deinit`) or borrowed from an owner object —
/// a memory-mapped checkpoint or another tensor — that is kept alive for as long as this tensor is.
/// Weights are never written after loading; activations are written only by the kernel that made
/// them, so sharing across threads is safe in the way the models use it.
public final class Tensor: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    /// The number of elements: the product of `shape`.
    public let count: Int
    /// The first element. Valid for `count` elements while this tensor is alive.
    public let data: UnsafeMutablePointer<Float>
    private let owner: AnyObject?

    /// A zero-filled tensor.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.data = Self.allocateStorage(count)
        self.data.initialize(repeating: 0, count: count)
        self.owner = nil
    }

    /// An uninitialised tensor, for kernels that write every element.
    public init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.data = Self.allocateStorage(count)
        self.owner = nil
    }

    /// A tensor holding a copy of `values`, which must have exactly `shape`'s element count.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(uninitialized: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    /// A tensor viewing `count(shape)` floats at `pointer`, owned by `owner`.
    public init(shape: [Int], borrowing pointer: UnsafeMutablePointer<Float>, owner: AnyObject) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.data = pointer
        self.owner = owner
    }

    deinit {
        if owner == nil { data.deallocate() }
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The elements as a buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: data, count: count) }

    /// A copy of the elements.
    public func toArray() -> [Float] { Array(buffer) }

    /// The same storage seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, borrowing: data, owner: self)
    }

    /// A view of rows `range` of the outermost dimension (shares storage).
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0])
        let inner = count / max(shape[0], 1)
        return Tensor(shape: [range.count] + shape.dropFirst(), borrowing: data + range.lowerBound * inner, owner: self)
    }

    /// A deep copy with its own storage.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.update(from: data, count: count)
        return t
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape)" }
}
