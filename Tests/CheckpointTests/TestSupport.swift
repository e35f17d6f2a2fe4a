import Foundation
import XCTest
import STClipCheckpoint

/// The reference fixtures written by `Scripts/fixtures/make_safetensors_fixtures.py`.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/safetensors").path

    static func path(_ name: String) -> String { directory + "/" + name }

    /// One tensor as recorded in `expected.json`.
    struct Tensor: Decodable {
        let dtype: String
        let shape: [Int]
        let float_bits: [UInt32]?
        let ints: [Int64]?
    }

    /// `expected.json`: fixture file (relative path) → tensor name → expectation.
    static func expected() throws -> [String: [String: Tensor]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("expected.json")))
        return try JSONDecoder().decode([String: [String: Tensor]].self, from: data)
    }
}

extension CheckpointError {
    /// The case's name, so tests can check the kind of error without pinning its message.
    var caseName: String {
        Mirror(reflecting: self).children.first?.label ?? String(describing: self)
    }

    /// The tensor the error names, if any.
    var tensorName: String? {
        switch self {
        case .badTensorEntry(_, let tensor, _), .offsetsOutOfRange(_, let tensor, _),
             .unsupportedDType(_, let tensor, _), .dtypeMismatch(_, let tensor, _, _),
             .missingTensor(_, let tensor), .shapeMismatch(_, let tensor, _, _):
            return tensor
        case .badWriterInput(let tensor, _):
            return tensor
        default:
            return nil
        }
    }

    /// The file or directory the error names, if any.
    var pathName: String? {
        switch self {
        case .missingFile(let path), .unreadableFile(let path, _), .unwritableFile(let path, _),
             .truncated(let path, _), .badHeader(let path, _), .badTensorEntry(let path, _, _),
             .offsetsOutOfRange(let path, _, _), .badLayout(let path, _),
             .unsupportedDType(let path, _, _), .dtypeMismatch(let path, _, _, _),
             .missingTensor(let path, _), .shapeMismatch(let path, _, _, _),
             .badIndex(let path, _), .missingKey(let path, _), .badConfig(let path, _, _),
             .unusedTensors(let path, _):
            return path
        case .badWriterInput:
            return nil
        }
    }
}

/// Asserts that `expression` throws a `CheckpointError` of case `caseName`, naming `tensor` and
/// `path` when those are given, and returns the error for further checks.
@discardableResult
func assertCheckpointError<T>(
    _ expression: @autoclosure () throws -> T, _ caseName: String,
    tensor: String? = nil, path: String? = nil,
    file: StaticString = #filePath, line: UInt = #line
) -> CheckpointError? {
    do {
        _ = try expression()
        XCTFail("expected CheckpointError.\(caseName), but no error was thrown", file: file, line: line)
        return nil
    } catch let error as CheckpointError {
        XCTAssertEqual(error.caseName, caseName, "\(error)", file: file, line: line)
        if let tensor { XCTAssertEqual(error.tensorName, tensor, "\(error)", file: file, line: line) }
        if let path { XCTAssertEqual(error.pathName, path, "\(error)", file: file, line: line) }
        return error
    } catch {
        XCTFail("expected CheckpointError.\(caseName), got \(error)", file: file, line: line)
        return nil
    }
}

/// Asserts that `actual` holds exactly the float32 values whose bit patterns are `expected`; an
/// expected NaN pattern accepts any NaN (PyTorch canonicalises NaNs when it writes expectations).
func assertBits(_ actual: [Float], _ expected: [UInt32], _ message: String,
                file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
    for (index, (value, bits)) in zip(actual, expected).enumerated() {
        if Float(bitPattern: bits).isNaN {
            XCTAssertTrue(value.isNaN, "\(message)[\(index)]: \(value) is not NaN", file: file, line: line)
        } else {
            XCTAssertEqual(value.bitPattern, bits, "\(message)[\(index)]: \(value) != \(Float(bitPattern: bits))",
                           file: file, line: line)
        }
    }
}

extension XCTestCase {
    /// A new empty directory, removed when the test ends.
    func makeTemporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stclip-checkpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    /// Writes `bytes` to a new file in a temporary directory and returns its path.
    func writeTemporaryFile(_ bytes: [UInt8], name: String = "test.safetensors") throws -> String {
        let path = try makeTemporaryDirectory() + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// The bytes of a safetensors file with header text `header` (unpadded) followed by `data`.
func safetensorsBytes(header: String, data: [UInt8] = []) -> [UInt8] {
    let json = Array(header.utf8)
    return safetensorsBytes(declaredLength: UInt64(json.count), rest: json + data)
}

/// An 8-byte little-endian length field declaring `declaredLength`, followed by `rest`.
func safetensorsBytes(declaredLength: UInt64, rest: [UInt8]) -> [UInt8] {
    withUnsafeBytes(of: declaredLength.littleEndian) { Array($0) } + rest
}

/// The little-endian bytes of `values` as float32.
func float32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}
