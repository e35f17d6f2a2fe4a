import STClipRuntime

/// A safetensors file, memory-mapped and validated at open.
///
/// Opening reads only the header; tensor data is paged in when a tensor is requested. Float32
/// tensors whose data is 4-byte aligned (always, for files from the reference writer) are
/// zero-copy views into the mapping, so loading a model costs no copy of its weights; F16 and BF16
/// tensors are converted into new float32 storage.
///
/// Views are read-only memory: writing through a view's `data` pointer faults. Copy a tensor
/// (`Tensor.copy()`) before modifying it.
///
/// Immutable after `init`, so one instance can serve several threads.
public final class SafetensorsFile: Sendable {
    /// The path the file was opened with.
    public let path: String
    /// The header's `__metadata__` map (empty when there is none).
    public let metadata: [String: String]
    /// Every tensor's header entry, in the order of their data in the file.
    public let tensorInfos: [SafetensorsTensorInfo]

    private let mapping: MappedFile
    private let dataStart: Int
    private let indexByName: [String: Int]

    /// Maps the file at `path` and validates its header.
    ///
    /// - Throws: `CheckpointError.missingFile` or `.unreadableFile` when the file cannot be
    ///   mapped; `.truncated`, `.badHeader`, `.badTensorEntry`, `.offsetsOutOfRange` or
    ///   `.badLayout` when it is not a valid safetensors file.
    public init(path: String) throws(CheckpointError) {
        let mapping = try MappedFile(path: path)
        let header = try SafetensorsHeader(bytes: mapping.bytes, path: path)
        self.path = path
        self.mapping = mapping
        self.metadata = header.metadata
        self.tensorInfos = header.tensors
        self.dataStart = header.dataStart
        var index: [String: Int] = [:]
        for (position, info) in header.tensors.enumerated() {
            index[info.name] = position
        }
        self.indexByName = index
    }

    /// The tensor names, sorted.
    public var names: [String] { tensorInfos.map(\.name).sorted() }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { indexByName[name] != nil }

    /// The header entry of tensor `name`, or `nil` when there is none.
    public func info(_ name: String) -> SafetensorsTensorInfo? {
        indexByName[name].map { tensorInfos[$0] }
    }

    /// The shape of tensor `name`.
    public func shape(of name: String) throws(CheckpointError) -> [Int] {
        try requireInfo(name).shape
    }

    /// Tensor `name` as float32: a view into the mapping for aligned F32 data, a converted copy
    /// for F16 and BF16 (and for F32 data that is not 4-byte aligned).
    ///
    /// - Throws: `.missingTensor`; `.dtypeMismatch` for I64 (read it with `int64Values`);
    ///   `.unsupportedDType` for every other dtype.
    public func tensor(_ name: String) throws(CheckpointError) -> Tensor {
        let info = try requireInfo(name)
        let bytes = data(of: info)
        switch info.dtype {
        case .f32:
            #if _endian(little)
            if let base = bytes.baseAddress, info.elementCount > 0,
               Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                let floats = UnsafeMutableRawPointer(mutating: base)
                    .bindMemory(to: Float.self, capacity: info.elementCount)
                return Tensor(shape: info.shape, borrowing: floats, owner: mapping)
            }
            #endif
            return Self.convert(bytes, shape: info.shape, elementWidth: UInt32.self) {
                Float(bitPattern: UInt32(littleEndian: $0))
            }
        case .f16:
            return Self.convert(bytes, shape: info.shape, elementWidth: UInt16.self) {
                HalfPrecision.float(fromF16: UInt16(littleEndian: $0))
            }
        case .bf16:
            return Self.convert(bytes, shape: info.shape, elementWidth: UInt16.self) {
                HalfPrecision.float(fromBF16: UInt16(littleEndian: $0))
            }
        case .i64:
            throw .dtypeMismatch(path: path, tensor: name, expected: "F32, F16 or BF16", actual: info.dtype.rawValue)
        default:
            throw .unsupportedDType(path: path, tensor: name, dtype: info.dtype.rawValue)
        }
    }

    /// The elements of I64 tensor `name` in row-major order, such as a `position_ids` buffer.
    ///
    /// - Throws: `.missingTensor`; `.dtypeMismatch` when the tensor is not I64.
    public func int64Values(_ name: String) throws(CheckpointError) -> [Int64] {
        let info = try requireInfo(name)
        guard info.dtype == .i64 else {
            throw .dtypeMismatch(path: path, tensor: name, expected: "I64", actual: info.dtype.rawValue)
        }
        let bytes = data(of: info)
        return (0..<info.elementCount).map {
            Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))
        }
    }

    private func requireInfo(_ name: String) throws(CheckpointError) -> SafetensorsTensorInfo {
        guard let info = info(name) else { throw .missingTensor(path: path, tensor: name) }
        return info
    }

    /// The tensor's bytes. In bounds: the header check proved every tensor's range lies inside
    /// the data buffer, which lies inside the mapping.
    private func data(of info: SafetensorsTensorInfo) -> UnsafeRawBufferPointer {
        let start = dataStart + info.dataOffsets.lowerBound
        let end = dataStart + info.dataOffsets.upperBound
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<end])
    }

    /// A new tensor whose elements are `element(raw)` for each little-endian `Raw` in `bytes`,
    /// loaded unaligned because F16/BF16 data (and hand-made F32 data) need not be aligned.
    private static func convert<Raw: FixedWidthInteger>(
        _ bytes: UnsafeRawBufferPointer, shape: [Int], elementWidth: Raw.Type,
        _ element: (Raw) -> Float
    ) -> Tensor {
        let tensor = Tensor(uninitialized: shape)
        let stride = MemoryLayout<Raw>.size
        let output = tensor.data
        for index in 0..<tensor.count {
            output[index] = element(bytes.loadUnaligned(fromByteOffset: index * stride, as: Raw.self))
        }
        return tensor
    }
}
