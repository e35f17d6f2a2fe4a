import Foundation

/// Embedding vectors as stored: float32, little-endian, packed.
enum VectorCoding {
    static func encode(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// `nil` when the byte count is not that of `dimension` floats.
    static func decode(_ bytes: some Collection<UInt8>, dimension: Int) -> [Float]? {
        guard bytes.count == dimension * 4 else { return nil }
        var out = [Float](repeating: 0, count: dimension)
        var iterator = bytes.makeIterator()
        for i in 0..<dimension {
            var bits: UInt32 = 0
            for shift in stride(from: 0, to: 32, by: 8) { bits |= UInt32(iterator.next()!) << shift }
            out[i] = Float(bitPattern: bits)
        }
        return out
    }
}
