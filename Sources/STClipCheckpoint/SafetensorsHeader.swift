import Foundation

/// The parsed and validated header of a safetensors file.
///
/// Layout: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON, an object
/// mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` plus an optional
/// `"__metadata__"` string-to-string map; then the data buffer, to which the offsets are relative.
///
/// Validation matches the reference implementation (the `safetensors` Rust crate behind the
/// Python package): at most 100,000,000 header bytes; UTF-8; a JSON object; every entry with a
/// known dtype, non-negative integer dimensions and exactly two offsets; a byte length equal to
/// element count × dtype size, whole bytes for the packed sub-byte dtypes, with no overflow; and
/// entries that, sorted by offsets, tile the data buffer from 0 to its last byte with no gap and no
/// overlap. Like the reference, fields beyond those three in an entry are ignored and leading or
/// trailing whitespace (the reference writer pads with spaces) is accepted. A key repeated in the
/// header is read once (`JSONDecoder` keeps the first); the bytes of the other copy then belong to
/// no tensor and fail the layout check, unless both copies describe the same bytes.
struct SafetensorsHeader {
    /// The reference's limit; larger headers are refused rather than parsed.
    static let maximumLength = 100_000_000

    /// The `__metadata__` map, empty when absent or null.
    let metadata: [String: String]
    /// The tensors in data-buffer order.
    let tensors: [SafetensorsTensorInfo]
    /// The byte offset of the data buffer from the start of the file: 8 + N.
    let dataStart: Int

    init(bytes: UnsafeRawBufferPointer, path: String) throws(CheckpointError) {
        guard bytes.count >= 8 else {
            throw .truncated(path: path, detail: "\(bytes.count) bytes, too short for the 8-byte header length")
        }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(Self.maximumLength) else {
            throw .badHeader(path: path, detail: "header length \(declared) exceeds the limit of \(Self.maximumLength) bytes")
        }
        let length = Int(declared)
        guard length <= bytes.count - 8 else {
            throw .truncated(path: path, detail: "header length \(length) but only \(bytes.count - 8) bytes follow the length field")
        }
        dataStart = 8 + length
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart])
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw .badHeader(path: path, detail: "header is not valid UTF-8")
        }

        let root: JSONValue
        do {
            root = try JSONValue.parse(Data(headerBytes))
        } catch {
            throw .badHeader(path: path, detail: "header is not valid JSON")
        }
        guard case .object(let entries) = root else {
            throw .badHeader(path: path, detail: "header is \(root.kindDescription), not a JSON object")
        }

        var metadata: [String: String] = [:]
        var tensors: [SafetensorsTensorInfo] = []
        tensors.reserveCapacity(entries.count)
        // Sorted so that, of several bad entries, the same one is always reported.
        for name in entries.keys.sorted() {
            guard let entry = entries[name] else { continue }
            if name == "__metadata__" {
                metadata = try Self.metadata(entry, path: path)
            } else {
                tensors.append(try Self.tensorInfo(name: name, entry: entry, path: path))
            }
        }
        self.metadata = metadata
        self.tensors = try Self.checkLayout(tensors, dataLength: bytes.count - dataStart, path: path)
    }

    private static func metadata(_ entry: JSONValue, path: String) throws(CheckpointError) -> [String: String] {
        switch entry {
        case .null:
            return [:]
        case .object(let members):
            var result: [String: String] = [:]
            for (key, value) in members {
                guard let text = value.stringValue else {
                    throw .badHeader(path: path, detail: "__metadata__ value for '\(key)' is \(value.kindDescription), not a string")
                }
                result[key] = text
            }
            return result
        default:
            throw .badHeader(path: path, detail: "__metadata__ is \(entry.kindDescription), not an object")
        }
    }

    private static func tensorInfo(name: String, entry: JSONValue, path: String) throws(CheckpointError) -> SafetensorsTensorInfo {
        func bad(_ detail: String) -> CheckpointError {
            .badTensorEntry(path: path, tensor: name, detail: detail)
        }
        guard case .object(let fields) = entry else {
            throw bad("entry is \(entry.kindDescription), not an object")
        }

        guard let dtypeValue = fields["dtype"] else { throw bad("missing \"dtype\"") }
        guard let dtypeName = dtypeValue.stringValue else {
            throw bad("\"dtype\" is \(dtypeValue.kindDescription), not a string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw bad("unknown dtype \"\(dtypeName)\"")
        }

        guard let shapeValue = fields["shape"] else { throw bad("missing \"shape\"") }
        guard let shapeElements = shapeValue.arrayValue else {
            throw bad("\"shape\" is \(shapeValue.kindDescription), not an array")
        }
        var shape: [Int] = []
        shape.reserveCapacity(shapeElements.count)
        for element in shapeElements {
            guard let dimension = element.intValue else {
                throw bad("\"shape\" holds \(element.kindDescription), not an integer")
            }
            guard dimension >= 0 else { throw bad("negative dimension \(dimension) in \"shape\"") }
            shape.append(dimension)
        }

        guard let offsetsValue = fields["data_offsets"] else { throw bad("missing \"data_offsets\"") }
        guard let offsetElements = offsetsValue.arrayValue, offsetElements.count == 2,
              let begin = offsetElements[0].intValue, let end = offsetElements[1].intValue else {
            throw bad("\"data_offsets\" is not an array of two integers")
        }
        guard begin >= 0, end >= 0 else { throw bad("negative offset in \"data_offsets\" [\(begin), \(end)]") }
        guard end >= begin else { throw bad("\"data_offsets\" end \(end) precedes begin \(begin)") }

        var elementCount = 1
        for dimension in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw bad("element count of shape \(shape) overflows") }
            elementCount = product
        }
        let (bits, overflow) = elementCount.multipliedReportingOverflow(by: dtype.bitsPerElement)
        guard !overflow else { throw bad("byte size of shape \(shape) as \(dtypeName) overflows") }
        guard bits % 8 == 0 else {
            throw bad("\(elementCount) elements of \(dtypeName) are not a whole number of bytes")
        }
        guard end - begin == bits / 8 else {
            throw bad("\"data_offsets\" [\(begin), \(end)] span \(end - begin) bytes, but shape \(shape) of \(dtypeName) needs \(bits / 8)")
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape,
                                     elementCount: elementCount, dataOffsets: begin..<end)
    }

    /// Returns `tensors` in data order after checking that they tile `0..<dataLength` exactly.
    private static func checkLayout(_ tensors: [SafetensorsTensorInfo], dataLength: Int,
                                    path: String) throws(CheckpointError) -> [SafetensorsTensorInfo] {
        let ordered = tensors.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name)
                < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
        }
        var covered = 0
        var previous: String?
        for tensor in ordered {
            let range = tensor.dataOffsets
            if range.lowerBound < covered, let previous {
                throw .badLayout(path: path, detail: "tensor '\(tensor.name)' at [\(range.lowerBound), \(range.upperBound)) overlaps tensor '\(previous)', which ends at \(covered)")
            }
            if range.lowerBound > covered {
                throw .badLayout(path: path, detail: "bytes [\(covered), \(range.lowerBound)) of the data buffer, before tensor '\(tensor.name)', belong to no tensor")
            }
            if range.upperBound > dataLength {
                throw .offsetsOutOfRange(path: path, tensor: tensor.name, detail: "data [\(range.lowerBound), \(range.upperBound)) runs past the end of the \(dataLength)-byte data buffer")
            }
            covered = range.upperBound
            previous = tensor.name
        }
        if covered < dataLength {
            throw .badLayout(path: path, detail: "bytes [\(covered), \(dataLength)) at the end of the data buffer belong to no tensor")
        }
        return ordered
    }
}
