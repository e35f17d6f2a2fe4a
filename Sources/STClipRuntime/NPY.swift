import Foundation

/// NumPy `.npy` version 1/2/3 files holding little-endian float32 arrays in C order.
///
/// Layout: magic `\x93NUMPY`, major and minor version bytes, header length (u16 for v1, u32 for
/// v2/v3), a Python-literal dict `{'descr': '<f4', 'fortran_order': False, 'shape': (…), }` padded
/// with spaces and a newline so the data starts on a 64-byte boundary, then the raw elements.
public enum NPY {
    /// Reads a float32 array from `url`.
    public static func read(_ url: URL) throws(NPYError) -> Tensor {
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch { throw .io(path: url.path, reason: error.localizedDescription) }
        return try decode(bytes, path: url.path)
    }

    /// Parses `.npy` bytes; `path` names the source in errors.
    public static func decode(_ bytes: Data, path: String = "<memory>") throws(NPYError) -> Tensor {
        let b = [UInt8](bytes)
        guard b.count >= 10, b[0] == 0x93, Array(b[1..<6]) == Array("NUMPY".utf8) else {
            throw .malformed(path: path, detail: "missing \\x93NUMPY magic")
        }
        let major = b[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(b[8]) | Int(b[9]) << 8
            headerStart = 10
        case 2, 3:
            guard b.count >= 12 else { throw .malformed(path: path, detail: "truncated header length") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
            headerStart = 12
        default:
            throw .malformed(path: path, detail: "unknown version \(major)")
        }
        guard headerStart + headerLength <= b.count else { throw .malformed(path: path, detail: "header runs past the end") }
        guard let header = String(bytes: b[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw .malformed(path: path, detail: "header is not text")
        }
        guard let descr = literal(after: "'descr':", in: header) else { throw .malformed(path: path, detail: "no descr") }
        guard descr == "'<f4'" || descr == "'=f4'" || descr == "'f4'" else {
            throw .unsupported(path: path, detail: "dtype \(descr); expected float32 ('<f4')")
        }
        guard let fortran = literal(after: "'fortran_order':", in: header) else { throw .malformed(path: path, detail: "no fortran_order") }
        guard fortran == "False" else { throw .unsupported(path: path, detail: "Fortran order") }
        guard let open = header.range(of: "'shape':"), let lp = header[open.upperBound...].firstIndex(of: "("),
              let rp = header[lp...].firstIndex(of: ")") else {
            throw .malformed(path: path, detail: "no shape")
        }
        var shape: [Int] = []
        for part in header[header.index(after: lp)..<rp].split(separator: ",") {
            let s = part.trimmingCharacters(in: .whitespaces)
            if s.isEmpty { continue }
            guard let v = Int(s), v >= 0 else { throw .malformed(path: path, detail: "bad dimension '\(s)'") }
            shape.append(v)
        }
        var count = 1
        for dim in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, p <= Int(Int32.max) else { throw .malformed(path: path, detail: "shape \(shape) too large") }
            count = p
        }
        let dataStart = headerStart + headerLength
        guard b.count - dataStart == count * 4 else {
            throw .malformed(path: path, detail: "\(b.count - dataStart) data bytes for shape \(shape) (need \(count * 4))")
        }
        let t = Tensor(uninitialized: shape)
        b.withUnsafeBytes { raw in
            for i in 0..<count {
                t.data[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 4 * i, as: UInt32.self)))
            }
        }
        return t
    }

    /// The `.npy` (version 1) encoding of `tensor`.
    public static func encode(_ tensor: Tensor) -> Data {
        let dims = tensor.shape.map(String.init).joined(separator: ", ") + (tensor.rank == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        // Pad so that magic (6) + version (2) + length (2) + header + "\n" is a multiple of 64.
        let padding = (64 - (10 + header.utf8.count + 1) % 64) % 64
        header += String(repeating: " ", count: padding) + "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
        out.append(contentsOf: Array(header.utf8))
        out.reserveCapacity(out.count + tensor.count * 4)
        for i in 0..<tensor.count {
            withUnsafeBytes(of: tensor.data[i].bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Writes `tensor` to `url` as `.npy`.
    public static func write(_ tensor: Tensor, to url: URL) throws(NPYError) {
        do { try encode(tensor).write(to: url) } catch { throw .io(path: url.path, reason: error.localizedDescription) }
    }

    /// The Python literal following `key` in the header dict, up to the next comma or brace.
    private static func literal(after key: String, in header: String) -> String? {
        guard let r = header.range(of: key) else { return nil }
        let rest = header[r.upperBound...].drop { $0 == " " }
        let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
        return rest[..<end].trimmingCharacters(in: .whitespaces)
    }
}
