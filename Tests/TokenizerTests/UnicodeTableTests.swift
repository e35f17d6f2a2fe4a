import Foundation
import XCTest
@testable import STClipTokenizer

/// Checks, for every Unicode scalar, that the Swift tokenizer's notion of letter / number /
/// whitespace and its lowercase and NFC mappings agree with the reference's, as recorded in
/// `unicode-tables.json` (Oniguruma and Rust tables inside `tokenizers`).
final class UnicodeTableTests: XCTestCase {
    private static let allScalars: [Unicode.Scalar] = (0...0x10FFFF).compactMap { Unicode.Scalar(UInt32($0)) }

    func testScalarClassesMatchReferenceRegex() throws {
        let runs = try XCTUnwrap(try TokenizerFixtures.json("unicode-tables.json")["classes"] as? [[Any]])
        var expected = [UInt32: ScalarClass]()
        for run in runs {
            let first = try XCTUnwrap(run[0] as? Int), last = try XCTUnwrap(run[1] as? Int)
            let kind: ScalarClass
            switch try XCTUnwrap(run[2] as? String) {
            case "letter": kind = .letter
            case "number": kind = .number
            case "space": kind = .whitespace
            case let other: return XCTFail("unknown class \(other)")
            }
            for value in first...last { expected[UInt32(value)] = kind }
        }
        XCTAssertGreaterThan(expected.count, 140_000)
        var mismatches: [String] = []
        for scalar in Self.allScalars {
            let want = expected[scalar.value] ?? .other
            let got = ScalarClass(scalar)
            if got != want { mismatches.append(String(format: "U+%04X: expected %@, got %@", scalar.value, "\(want)", "\(got)")) }
        }
        XCTAssert(mismatches.isEmpty, "\(mismatches.count) scalars differ, first: \(mismatches.prefix(20))")
    }

    /// `TextNormalizer` on one scalar must give the reference's lowercase(NFC(scalar)),
    /// or a single space for whitespace.
    func testSingleScalarNormalizationMatchesReference() throws {
        let tables = try TokenizerFixtures.json("unicode-tables.json")
        func mapping(_ key: String) throws -> [UInt32: [UInt32]] {
            let raw = try XCTUnwrap(tables[key] as? [String: [Int]])
            var result: [UInt32: [UInt32]] = [:]
            for (scalar, values) in raw { result[try XCTUnwrap(UInt32(scalar))] = values.map(UInt32.init) }
            return result
        }
        let lowercase = try mapping("lowercase"), nfc = try mapping("nfc")
        XCTAssertGreaterThan(lowercase.count, 1000)
        XCTAssertGreaterThan(nfc.count, 1000)
        var mismatches: [String] = []
        for scalar in Self.allScalars {
            let composed = nfc[scalar.value] ?? [scalar.value]
            var want = composed.flatMap { lowercase[$0] ?? [$0] }
            if ScalarClass(scalar) == .whitespace { want = [0x20] }
            let got = TextNormalizer.normalize([scalar][...]).map(\.value)
            if got != want {
                mismatches.append(String(format: "U+%04X: expected %@, got %@", scalar.value, "\(want)", "\(got)"))
            }
        }
        XCTAssert(mismatches.isEmpty, "\(mismatches.count) scalars differ, first: \(mismatches.prefix(20))")
    }
}
