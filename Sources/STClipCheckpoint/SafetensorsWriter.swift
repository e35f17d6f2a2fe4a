#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import STClipRuntime

/// Writes tensors and metadata to a safetensors file that the reference library reads.
///
/// Laid out as the reference writer does: tensors ordered by element size, largest first, then by
/// name, so every tensor's data is aligned to its element size; the header JSON lists
/// `__metadata__` (when not empty) and then the tensors in data order, and is padded with spaces
/// to a multiple of 8 bytes so the data buffer starts 8-byte aligned.
///
/// Tensors are held by reference and their values read when the file is written.
public struct SafetensorsWriter: Sendable {
    /// The element type float tensors are stored as.
    public enum FloatFormat: Sendable {
        /// IEEE float32, stored exactly.
        case f32
        /// IEEE binary16, rounded to nearest even.
        case f16
        /// bfloat16, rounded to nearest even.
        case bf16

        var dtype: SafetensorsDType {
            switch self {
            case .f32: return .f32
            case .f16: return .f16
            case .bf16: return .bf16
            }
        }
    }

    private enum Payload: Sendable {
        case float(Tensor, FloatFormat)
        case int64([Int64])
    }

    private struct Entry: Sendable {
        let name: String
        let dtype: SafetensorsDType
        let shape: [Int]
        let payload: Payload
        var byteCount: Int {
            switch payload {
            case .float(let tensor, _): return tensor.count * dtype.bitsPerElement / 8
            case .int64(let values): return values.count * 8
            }
        }
    }

    /// The `__metadata__` map written into the header (omitted when empty).
    public var metadata: [String: String]
    private var entries: [Entry] = []
    private var taken: Set<String> = []

    /// An empty writer with the given header metadata.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds float tensor `tensor` under `name`, to be stored as `format`.
    ///
    /// - Throws: `.badWriterInput` when `name` is already used or is `__metadata__`.
    public mutating func add(_ name: String, _ tensor: Tensor, as format: FloatFormat = .f32) throws(CheckpointError) {
        try claim(name)
        entries.append(Entry(name: name, dtype: format.dtype, shape: tensor.shape, payload: .float(tensor, format)))
    }

    /// Adds an I64 tensor of `shape` holding `values` in row-major order under `name`.
    ///
    /// - Throws: `.badWriterInput` when `name` is taken or reserved, when `shape` has a negative
    ///   dimension, or when `values.count` is not the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], int64Values values: [Int64]) throws(CheckpointError) {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw .badWriterInput(tensor: name, detail: "\(values.count) values do not fill shape \(shape)")
        }
        try claim(name)
        entries.append(Entry(name: name, dtype: .i64, shape: shape, payload: .int64(values)))
    }

    /// The complete file contents.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        emit { output.append(contentsOf: $0) }
        return output
    }

    /// Writes the file to `path`, replacing any file there only once the new one is complete
    /// (it is written beside it under a temporary name and renamed into place).
    public func write(to path: String) throws(CheckpointError) {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritableFile(path: temporary, reason: MappedFile.message(errno)) }
        var failure: Int32 = 0
        emit { chunk in
            guard failure == 0, var next = chunk.baseAddress else { return }
            var remaining = chunk.count
            while remaining > 0 {
                let written = writeSome(fd, next, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                remaining -= written
                next += written
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .unwritableFile(path: path, reason: MappedFile.message(failure))
        }
    }

    private mutating func claim(_ name: String) throws(CheckpointError) {
        guard name != "__metadata__" else {
            throw .badWriterInput(tensor: name, detail: "the name is reserved for header metadata")
        }
        guard taken.insert(name).inserted else {
            throw .badWriterInput(tensor: name, detail: "a tensor of that name was already added")
        }
    }

    /// Produces the file as a sequence of byte chunks: length, header, then each tensor's data.
    private func emit(_ sink: (UnsafeRawBufferPointer) -> Void) {
        let ordered = entries.sorted { a, b in
            a.dtype.bitsPerElement != b.dtype.bitsPerElement
                ? a.dtype.bitsPerElement > b.dtype.bitsPerElement
                : a.name < b.name
        }
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let members = metadata.keys.sorted().map { "\(Self.quoted($0)):\(Self.quoted(metadata[$0] ?? ""))" }
            fields.append("\"__metadata__\":{" + members.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in ordered {
            let end = offset + entry.byteCount
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\(Self.quoted(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))

        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { sink($0) }
        headerBytes.withUnsafeBytes { sink($0) }
        for entry in ordered {
            Self.emitData(of: entry, to: sink)
        }
    }

    /// Emits one tensor's elements as little-endian bytes, in chunks so that a large tensor is
    /// converted without a second full-size buffer.
    private static func emitData(of entry: Entry, to sink: (UnsafeRawBufferPointer) -> Void) {
        let chunkElements = 1 << 16
        switch entry.payload {
        case .int64(let values):
            let bytes = values.map { $0.littleEndian }
            bytes.withUnsafeBytes { sink($0) }
        case .float(let tensor, let format):
            var start = 0
            while start < tensor.count {
                let end = min(start + chunkElements, tensor.count)
                let source = UnsafeBufferPointer(start: tensor.data + start, count: end - start)
                switch format {
                case .f32:
                    #if _endian(little)
                    sink(UnsafeRawBufferPointer(source))
                    #else
                    let chunk = source.map { $0.bitPattern.littleEndian }
                    chunk.withUnsafeBytes { sink($0) }
                    #endif
                case .f16:
                    let chunk = source.map { HalfPrecision.f16Bits(from: $0).littleEndian }
                    chunk.withUnsafeBytes { sink($0) }
                case .bf16:
                    let chunk = source.map { HalfPrecision.bf16Bits(from: $0).littleEndian }
                    chunk.withUnsafeBytes { sink($0) }
                }
                start = end
            }
        }
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped,
    /// everything else written as UTF-8, as the reference writer does.
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// One `write(2)` call; at file scope so that the name means the C function, not the method.
private func writeSome(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
