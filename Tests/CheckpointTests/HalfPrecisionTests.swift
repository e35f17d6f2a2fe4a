import Foundation
import XCTest
import STClipCheckpoint

/// The 16-bit float conversions, checked over every bit pattern against naive references that
/// work from the format definitions in `Double` arithmetic (exact for these magnitudes).
final class HalfPrecisionTests: XCTestCase {
    /// The value of F16 pattern `bits` from the definition: (-1)^s × 2^(e-15) × 1.m, or
    /// (-1)^s × 2^-14 × 0.m for e = 0.
    private func naiveF16(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10) & 0x1F
        let mantissa = Double(bits & 0x3FF)
        if exponent == 0x1F { return mantissa == 0 ? sign * .infinity : .nan }
        if exponent == 0 { return sign * mantissa / 1024 * pow(2, -14) }
        return sign * (1 + mantissa / 1024) * pow(2, Double(exponent - 15))
    }

    /// The value of BF16 pattern `bits`: (-1)^s × 2^(e-127) × 1.m, or (-1)^s × 2^-126 × 0.m.
    private func naiveBF16(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 7) & 0xFF
        let mantissa = Double(bits & 0x7F)
        if exponent == 0xFF { return mantissa == 0 ? sign * .infinity : .nan }
        if exponent == 0 { return sign * mantissa / 128 * pow(2, -126) }
        return sign * (1 + mantissa / 128) * pow(2, Double(exponent - 127))
    }

    func testF16WideningMatchesTheDefinitionForAllPatterns() {
        for pattern in 0...UInt16.max {
            let actual = HalfPrecision.float(fromF16: pattern)
            let expected = naiveF16(pattern)
            if expected.isNaN {
                // NaN: sign kept, the 10 mantissa bits (quiet bit and payload) at the top of 23.
                let want = UInt32(pattern & 0x8000) << 16 | 0x7F80_0000 | UInt32(pattern & 0x3FF) << 13
                XCTAssertEqual(actual.bitPattern, want, "F16 \(String(pattern, radix: 16))")
            } else {
                XCTAssertEqual(actual.bitPattern, Float(expected).bitPattern, "F16 \(String(pattern, radix: 16))")
            }
        }
    }

    func testBF16WideningMatchesTheDefinitionForAllPatterns() {
        for pattern in 0...UInt16.max {
            let actual = HalfPrecision.float(fromBF16: pattern)
            let expected = naiveBF16(pattern)
            if expected.isNaN {
                XCTAssertEqual(actual.bitPattern, UInt32(pattern) << 16, "BF16 \(String(pattern, radix: 16))")
            } else {
                XCTAssertEqual(actual.bitPattern, Float(expected).bitPattern, "BF16 \(String(pattern, radix: 16))")
            }
        }
    }

    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    func testF16WideningAgreesWithTheCompilersFloat16() {
        for pattern in 0...UInt16.max {
            let half = Float16(bitPattern: pattern)
            guard !half.isNaN else { continue }
            XCTAssertEqual(HalfPrecision.float(fromF16: pattern).bitPattern, Float(half).bitPattern)
        }
    }

    func testF16NarrowingAgreesWithTheCompilersFloat16() {
        var generator = SplitMix64(seed: 0xF16)
        for _ in 0..<1_000_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            guard !value.isNaN else { continue }
            XCTAssertEqual(HalfPrecision.f16Bits(from: value), Float16(value).bitPattern, "\(value)")
        }
    }
    #endif

    func testNarrowingRoundTripsEveryPattern() {
        for pattern in 0...UInt16.max {
            let f16 = HalfPrecision.float(fromF16: pattern)
            let bf16 = HalfPrecision.float(fromBF16: pattern)
            if f16.isNaN {
                // NaNs come back quiet (bit 9 set) with their sign and payload.
                XCTAssertEqual(HalfPrecision.f16Bits(from: f16), pattern | 0x0200)
            } else {
                XCTAssertEqual(HalfPrecision.f16Bits(from: f16), pattern)
            }
            if bf16.isNaN {
                XCTAssertEqual(HalfPrecision.bf16Bits(from: bf16), pattern | 0x0040)
            } else {
                XCTAssertEqual(HalfPrecision.bf16Bits(from: bf16), pattern)
            }
        }
    }

    /// Checks narrowing around every midpoint between neighbouring non-negative finite values:
    /// just below rounds down, just above rounds up, the midpoint itself to the even pattern.
    private func checkMidpoints(upTo largestFinite: UInt16, infinity: UInt16,
                                widen: (UInt16) -> Double, narrow: (Float) -> UInt16, _ label: String) {
        for low in 0...largestFinite {
            let high = low + 1
            // The value past the largest finite one is the next binade's first value, 2^(emax+1):
            // IEEE rounds overflow as if the exponent were unbounded.
            let highValue = high == infinity ? widen(low) + (widen(low) - widen(low - 1)) : widen(high)
            let midpoint = Float((widen(low) + highValue) / 2)
            XCTAssertEqual(Double(midpoint), (widen(low) + highValue) / 2, "\(label) midpoint is representable")
            let even = low & 1 == 0 ? low : high
            for sign: UInt16 in [0, 0x8000] {
                let signed: (Float) -> Float = { sign == 0 ? $0 : -$0 }
                XCTAssertEqual(narrow(signed(midpoint)), even | sign, "\(label) tie above \(String(low, radix: 16))")
                XCTAssertEqual(narrow(signed(midpoint.nextDown)), low | sign, "\(label) below midpoint \(String(low, radix: 16))")
                XCTAssertEqual(narrow(signed(midpoint.nextUp)), high | sign, "\(label) above midpoint \(String(low, radix: 16))")
            }
        }
    }

    func testF16NarrowingRoundsToNearestEven() {
        checkMidpoints(upTo: 0x7BFF, infinity: 0x7C00, widen: naiveF16, narrow: HalfPrecision.f16Bits, "F16")
        XCTAssertEqual(HalfPrecision.f16Bits(from: 65520), 0x7C00)
        XCTAssertEqual(HalfPrecision.f16Bits(from: 65519.996), 0x7BFF)
        XCTAssertEqual(HalfPrecision.f16Bits(from: .greatestFiniteMagnitude), 0x7C00)
        XCTAssertEqual(HalfPrecision.f16Bits(from: -.infinity), 0xFC00)
        XCTAssertEqual(HalfPrecision.f16Bits(from: 0x1p-25), 0x0000)
        XCTAssertEqual(HalfPrecision.f16Bits(from: Float(0x1p-25).nextUp), 0x0001)
        XCTAssertEqual(HalfPrecision.f16Bits(from: -0x1p-30), 0x8000)
        XCTAssertEqual(HalfPrecision.f16Bits(from: .leastNonzeroMagnitude), 0x0000)
        XCTAssertEqual(HalfPrecision.f16Bits(from: -0.0), 0x8000)
        let nan = HalfPrecision.f16Bits(from: -.nan)
        XCTAssertTrue(HalfPrecision.float(fromF16: nan).isNaN)
        XCTAssertEqual(nan & 0x8000, 0x8000)
    }

    func testBF16NarrowingRoundsToNearestEven() {
        checkMidpoints(upTo: 0x7F7F, infinity: 0x7F80, widen: naiveBF16, narrow: HalfPrecision.bf16Bits, "BF16")
        XCTAssertEqual(HalfPrecision.bf16Bits(from: .greatestFiniteMagnitude), 0x7F80)
        XCTAssertEqual(HalfPrecision.bf16Bits(from: .leastNonzeroMagnitude), 0x0000)
        // A NaN whose payload lies only in the low 16 bits must not truncate to infinity.
        let lowPayload = Float(bitPattern: 0x7F80_0001)
        XCTAssertTrue(HalfPrecision.float(fromBF16: HalfPrecision.bf16Bits(from: lowPayload)).isNaN)
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
