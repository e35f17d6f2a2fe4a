/// Conversions between float32 and the two 16-bit float formats safetensors files use.
///
/// IEEE binary16 (F16): 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
/// bfloat16 (BF16): the top 16 bits of a float32: 1 sign bit, 8 exponent bits (bias 127), 7
/// mantissa bits.
///
/// Widening is exact for every bit pattern: signed zeros, subnormals, infinities, and NaNs with
/// their sign and payload (a signalling NaN stays signalling). Narrowing rounds to nearest, ties
/// to even, overflows to infinity, and keeps NaNs NaN (quiet, sign and top payload bits kept).
/// Written out by hand because `Float16` is not available on every platform Swift targets.
public enum HalfPrecision {
    /// The float32 value of the F16 bit pattern `bits`.
    @inlinable
    public static func float(fromF16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2^-24, which float32 holds exactly as a normal number.
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        case 0x1F:
            // Infinity (mantissa 0) or NaN; the mantissa moves to the top of float32's 23 bits,
            // which also carries the quiet bit (bit 9 of F16, bit 22 of float32) across.
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            // Normal: rebias the exponent from 15 to 127.
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// The float32 value of the BF16 bit pattern `bits`: the same bits, moved to the top half.
    @inlinable
    public static func float(fromBF16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// The F16 bit pattern nearest to `value` (ties to even).
    public static func f16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let magnitude = bits & 0x7FFF_FFFF

        if magnitude >= 0x7F80_0000 {
            if magnitude == 0x7F80_0000 { return sign | 0x7C00 }
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: (magnitude >> 13) & 0x3FF)
        }
        // 65520 (0x477FF000) lies halfway between the largest F16, 65504, and 2^16; the tie goes
        // to the even neighbour 2^16, which is out of range, so it and all above become infinity.
        if magnitude >= 0x477F_F000 { return sign | 0x7C00 }

        if magnitude < 0x3880_0000 {
            // Below 2^-14, F16's smallest normal: the result is subnormal, an integer count of
            // 2^-24. Float32 exponent field e < 102 means |value| < 2^-25, less than half the
            // smallest subnormal, which rounds to zero (2^-25 itself ties to even zero below).
            let exponent = Int(magnitude >> 23)
            if exponent < 102 { return sign }
            let significand = (magnitude & 0x7F_FFFF) | 0x80_0000
            // value = significand × 2^(exponent - 150), so the count of 2^-24 is
            // significand × 2^(exponent - 126): a right shift by 126 - exponent (14 ... 24).
            let shift = UInt32(126 - exponent)
            return sign | UInt16(truncatingIfNeeded: roundShift(significand, by: shift))
        }

        // Normal: rebias the exponent from 127 to 15 (subtract 112 << 23) and drop 13 mantissa
        // bits with rounding; a carry out of the mantissa correctly bumps the exponent.
        let rebased = magnitude - 0x3800_0000
        return sign | UInt16(truncatingIfNeeded: roundShift(rebased, by: 13))
    }

    /// The BF16 bit pattern nearest to `value` (ties to even).
    public static func bf16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN {
            // Truncating could clear every payload bit and turn the NaN into infinity.
            return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        }
        return UInt16(truncatingIfNeeded: roundShift(bits, by: 16))
    }

    /// `value >> shift`, rounded to nearest with ties to even. `shift` is 1 ... 31, and `value`
    /// is small enough that the rounding increment cannot overflow.
    static func roundShift(_ value: UInt32, by shift: UInt32) -> UInt32 {
        let kept = value >> shift
        let dropped = value & ((1 << shift) - 1)
        let half: UInt32 = 1 << (shift - 1)
        if dropped > half || (dropped == half && kept & 1 == 1) {
            return kept + 1
        }
        return kept
    }
}
