import Foundation
import XCTest
import STClipCheckpoint

/// Malformed and malicious files: each must fail with the right typed error, never crash.
final class SafetensorsHostileFileTests: XCTestCase {
    /// Opens `bytes` as a safetensors file and asserts the error case (and tensor, if given).
    @discardableResult
    private func assertRejected(_ bytes: [UInt8], _ caseName: String, tensor: String? = nil,
                                file: StaticString = #filePath, line: UInt = #line) throws -> CheckpointError? {
        let path = try writeTemporaryFile(bytes)
        return assertCheckpointError(try SafetensorsFile(path: path), caseName, tensor: tensor, path: path,
                                     file: file, line: line)
    }

    private func header(_ entries: String, data: [UInt8] = []) -> [UInt8] {
        safetensorsBytes(header: "{" + entries + "}", data: data)
    }

    func testTooShortForTheLengthField() throws {
        try assertRejected([], "truncated")
        try assertRejected([1, 0, 0, 0, 0, 0, 0], "truncated")
    }

    func testHeaderLengthBeyondTheFile() throws {
        try assertRejected(safetensorsBytes(declaredLength: 100, rest: Array("{}".utf8)), "truncated")
        try assertRejected(safetensorsBytes(declaredLength: 1, rest: []), "truncated")
    }

    func testHeaderLengthsBeyondTheLimit() throws {
        try assertRejected(safetensorsBytes(declaredLength: 1 << 63, rest: Array("{}".utf8)), "badHeader")
        try assertRejected(safetensorsBytes(declaredLength: .max, rest: Array("{}".utf8)), "badHeader")
        try assertRejected(safetensorsBytes(declaredLength: 100_000_001, rest: Array("{}".utf8)), "badHeader")
    }

    func testHeaderThatIsNotAJSONObject() throws {
        try assertRejected(safetensorsBytes(header: "{\"a\": "), "badHeader")
        try assertRejected(safetensorsBytes(header: ""), "badHeader")
        try assertRejected(safetensorsBytes(header: "not json"), "badHeader")
        try assertRejected(safetensorsBytes(header: "[]"), "badHeader")
        try assertRejected(safetensorsBytes(header: "[{\"dtype\":\"F32\"}]"), "badHeader")
        try assertRejected(safetensorsBytes(header: "\"text\""), "badHeader")
        try assertRejected(safetensorsBytes(header: "42"), "badHeader")
        try assertRejected(safetensorsBytes(header: "null"), "badHeader")
        try assertRejected(safetensorsBytes(header: "{} {}"), "badHeader")
        try assertRejected(safetensorsBytes(declaredLength: 4, rest: [0x7B, 0xFF, 0xFE, 0x7D]), "badHeader")
        let deep = "{\"a\":" + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}"
        try assertRejected(safetensorsBytes(header: deep), "badHeader")
    }

    func testBadMetadata() throws {
        try assertRejected(header("\"__metadata__\":{\"n\":1}"), "badHeader")
        try assertRejected(header("\"__metadata__\":[\"a\"]"), "badHeader")
        try assertRejected(header("\"__metadata__\":\"pt\""), "badHeader")
    }

    func testEntriesWithMissingOrMistypedFields() throws {
        let data = float32Bytes([1])
        try assertRejected(header("\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":5", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1e30],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"0\":4}}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}", data: data), "badTensorEntry", tensor: "a")
    }

    func testNegativeDimensionsAndOffsets() throws {
        let data = float32Bytes([1])
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[-2,-2],\"data_offsets\":[0,16]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}", data: data), "badTensorEntry", tensor: "a")
    }

    func testEndBeforeBegin() throws {
        let data = float32Bytes([1, 2])
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}", data: data), "badTensorEntry", tensor: "a")
    }

    func testByteLengthNotMatchingShape() throws {
        let data = float32Bytes([1, 2])
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,8]}", data: data), "badTensorEntry", tensor: "a")
        // Three 4-bit elements are a byte and a half.
        try assertRejected(header("\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}", data: [0, 0]), "badTensorEntry", tensor: "a")
    }

    func testElementCountOverflow() throws {
        let data = float32Bytes([1])
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4611686018427387904],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,4]}", data: data), "badTensorEntry", tensor: "a")
        // Zero elements times anything is zero, however large the other dimensions.
        let empty = try writeTemporaryFile(header("\"a\":{\"dtype\":\"F32\",\"shape\":[0,9223372036854775807],\"data_offsets\":[0,0]}"))
        XCTAssertEqual(try SafetensorsFile(path: empty).shape(of: "a"), [0, Int.max])
    }

    func testOffsetsBeyondTheDataBuffer() throws {
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}", data: float32Bytes([1, 2])), "offsetsOutOfRange", tensor: "a")
        let nearMax = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}"
        try assertRejected(header(nearMax, data: float32Bytes([1])), "offsetsOutOfRange", tensor: "b")
        let huge = "\"a\":{\"dtype\":\"U8\",\"shape\":[1152921504606846975],\"data_offsets\":[0,1152921504606846975]}"
        try assertRejected(header(huge, data: [1]), "offsetsOutOfRange", tensor: "a")
    }

    func testOverlappingTensors() throws {
        let entries = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}"
        try assertRejected(header(entries, data: float32Bytes([1, 2, 3])), "badLayout")
        let same = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"
        try assertRejected(header(same, data: float32Bytes([1])), "badLayout")
    }

    func testHolesInTheDataBuffer() throws {
        let gap = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}"
        try assertRejected(header(gap, data: float32Bytes([1, 2, 3])), "badLayout")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}", data: float32Bytes([1, 2])), "badLayout")
        try assertRejected(header("\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", data: float32Bytes([1]) + [0]), "badLayout")
        try assertRejected(header("", data: [0]), "badLayout")
    }

    func testTruncationAtEveryOffset() throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("f32.safetensors"))))
        XCTAssertNoThrow(try SafetensorsFile(path: Fixtures.path("f32.safetensors")))
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        let directory = try makeTemporaryDirectory()
        for length in 0..<original.count {
            let path = directory + "/prefix-\(length).safetensors"
            try Data(original[0..<length]).write(to: URL(fileURLWithPath: path))
            let expected = length < headerEnd ? "truncated" : "offsetsOutOfRange"
            assertCheckpointError(try SafetensorsFile(path: path), expected, path: path)
        }
        let extended = directory + "/extended.safetensors"
        try Data(original + [0]).write(to: URL(fileURLWithPath: extended))
        assertCheckpointError(try SafetensorsFile(path: extended), "badLayout", path: extended)
    }

    func testEveryByteFlipOfASmallFileIsHandled() throws {
        // Flipping a byte may leave the file valid (in the data, or a digit of a name), but must
        // never crash; a file that still opens must still load every readable tensor.
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("mixed.safetensors"))))
        let directory = try makeTemporaryDirectory()
        var rejected = 0
        for position in 0..<original.count {
            var bytes = original
            bytes[position] ^= 0x5A
            let path = directory + "/flip-\(position).safetensors"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let file = try SafetensorsFile(path: path)
                for info in file.tensorInfos {
                    _ = try? file.tensor(info.name)
                    _ = try? file.int64Values(info.name)
                }
            } catch {
                rejected += 1
            }
        }
        XCTAssertGreaterThan(rejected, 100)
    }

    func testMissingAndUnreadableFiles() throws {
        let directory = try makeTemporaryDirectory()
        let missing = directory + "/absent.safetensors"
        XCTAssertEqual(assertCheckpointError(try SafetensorsFile(path: missing), "missingFile"), .missingFile(path: missing))
        assertCheckpointError(try SafetensorsFile(path: directory), "unreadableFile", path: directory)
    }

    func testValidEdgeCasesAreAccepted() throws {
        // No tensors at all, as the reference writes an empty dict.
        let empty = try SafetensorsFile(path: writeTemporaryFile(safetensorsBytes(header: "{}      ")))
        XCTAssertEqual(empty.names, [])
        // Null metadata, whitespace around the object, unknown extra fields, zero-size tensors
        // sharing an offset, and dtypes that are listed but not readable.
        let entries = """
             {"__metadata__":null,
              "z":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"extra":[1,2]},
              "y":{"dtype":"F32","shape":[2,0],"data_offsets":[0,0]},
              "x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},
              "w":{"dtype":"F4","shape":[4],"data_offsets":[8,10]}}\t
            """
        let file = try SafetensorsFile(path: writeTemporaryFile(safetensorsBytes(header: entries, data: Array(repeating: 0, count: 10))))
        XCTAssertEqual(file.names, ["w", "x", "y", "z"])
        XCTAssertEqual(try file.tensor("y").shape, [2, 0])
        assertCheckpointError(try file.tensor("x"), "unsupportedDType", tensor: "x")
        assertCheckpointError(try file.tensor("w"), "unsupportedDType", tensor: "w")
    }

    func testUnalignedFloat32DataIsCopiedCorrectly() throws {
        // A 3-byte padding-free header puts the data at file offset 11, which no 4-byte-aligned
        // view can start at; the values must come out the same through the copying path.
        let values: [Float] = [1.5, -2.25, .infinity, 0x1p-149]
        var text = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"
        while (8 + text.utf8.count) % 4 != 3 { text += " " }
        let file = try SafetensorsFile(path: writeTemporaryFile(safetensorsBytes(header: text, data: float32Bytes(values))))
        let tensor = try file.tensor("t")
        XCTAssertEqual(tensor.shape, [2, 2])
        XCTAssertEqual(tensor.toArray().map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(Int(bitPattern: tensor.data) % 4, 0)
    }

    func testErrorMessagesNameTheFileAndTensor() throws {
        let path = try writeTemporaryFile(header("\"layer.0.weight\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}", data: float32Bytes([1])))
        let error = assertCheckpointError(try SafetensorsFile(path: path), "badTensorEntry")
        XCTAssertEqual(error?.description, "\(path): tensor 'layer.0.weight': invalid header entry: negative dimension -1 in \"shape\"")
    }
}
