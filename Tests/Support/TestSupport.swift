import XCTest
import Foundation

/// SplitMix64: a seeded generator so that every test draws the same numbers on every run.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public func randomValues(_ n: Int, seed: UInt64, range: ClosedRange<Float> = -1...1) -> [Float] {
    var g = SeededGenerator(seed: seed)
    return (0..<n).map { _ in Float.random(in: range, using: &g) }
}

/// Asserts that `actual` is within `atol + rtol·|expected|` of `expected` everywhere, and prints the
/// largest absolute error so the figure is in the test log.
@discardableResult
public func assertClose(_ actual: [Float], _ expected: [Float], atol: Float, rtol: Float = 0, _ what: String,
                        file: StaticString = #filePath, line: UInt = #line) -> Float {
    XCTAssertEqual(actual.count, expected.count, "\(what): element count", file: file, line: line)
    var maxError: Float = 0, worst = 0
    for i in 0..<min(actual.count, expected.count) {
        let e = abs(actual[i] - expected[i])
        if !(e <= maxError) { maxError = e; worst = i }
        if !(e <= atol + rtol * abs(expected[i])) {
            XCTFail("\(what): element \(i) is \(actual[i]), expected \(expected[i])", file: file, line: line)
            return e
        }
    }
    print("\(what): max abs error \(maxError) (at \(worst)), tolerance \(atol) + \(rtol)·|x|")
    return maxError
}

/// The repository's `Tests/Fixtures/<name>` directory.
public func fixtureURL(_ name: String, file: StaticString = #filePath) -> URL {
    URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name)
}
