/// GPT-2's reversible mapping between bytes and printable Unicode scalars (`bytes_to_unicode`).
///
/// Byte-level BPE works on UTF-8 bytes but stores its tokens as text; each byte is shown as a
/// visible scalar so that no token contains whitespace or control characters. Bytes that are
/// already printable Latin-1 (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves; the other 68
/// bytes are mapped, in increasing order, to U+0100, U+0101, …
enum ByteEncoder {
    /// The scalar that stands for each byte, indexed by byte value.
    static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var nextShifted: UInt32 = 0x100
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            let value = printable ? UInt32(byte) : nextShifted
            if !printable { nextShifted += 1 }
            // Both ranges (≤ U+00FF and U+0100…U+0143) are valid scalars.
            table[byte] = Unicode.Scalar(value) ?? " "
        }
        return table
    }()

    /// The byte each mapped scalar stands for, keyed by scalar value.
    static let bytes: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for (byte, scalar) in scalars.enumerated() { table[scalar.value] = UInt8(byte) }
        return table
    }()

    /// The token text for one byte (`"a"`), or for a byte that ends a word (`"a</w>"`).
    static func token(for byte: UInt8, endOfWord: Bool) -> String {
        var text = String(Character(scalars[Int(byte)]))
        if endOfWord { text += BPE.endOfWordSuffix }
        return text
    }

    /// Decodes the bytes that `token`'s scalars stand for, or nil when a scalar is not one of
    /// the 256 byte scalars (then `tokenizers`' ByteLevel decoder keeps the token's own UTF-8).
    static func decodeBytes(of token: String) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = bytes[scalar.value] else { return nil }
            result.append(byte)
        }
        return result
    }
}
