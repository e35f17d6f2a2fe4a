import Foundation
import XCTest
import STClipCheckpoint
import STClipRuntime

final class SafetensorsWriterTests: XCTestCase {
    func testOutputMatchesTheReferenceWriterByteForByte() throws {
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add("b", Tensor(shape: [2, 3], values: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]))
        try writer.add("a", Tensor(shape: [1], values: [0.1]))
        try writer.add("ids", shape: [3], int64Values: [3, -1, 1 << 40])
        try writer.add("h", Tensor(shape: [3], values: [0.1, Float(1.0 / 3.0), 65519]), as: .f16)
        try writer.add("empty", Tensor(zeros: [0]))
        let reference = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("writer_reference.safetensors"))))
        XCTAssertEqual(writer.serialized(), reference)
    }

    func testRoundTripThroughAFile() throws {
        let values: [Float] = [0, -0.0, 1, -1, 0.1, 3.0e38, 0x1p-133, .infinity, -.infinity, 65504, 7e-6]
        let matrix = Tensor(shape: [2, 3, 2], values: (0..<12).map { Float($0) * 0.37 - 2 })
        let metadata = ["format": "pt", "quote\"back\\slash": "line\nbreak\ttab\u{01}", "unicode": "é 日本 🚀"]
        var writer = SafetensorsWriter(metadata: metadata)
        try writer.add("values.f32", Tensor(shape: [values.count], values: values))
        try writer.add("values.f16", Tensor(shape: [values.count], values: values), as: .f16)
        try writer.add("values.bf16", Tensor(shape: [values.count], values: values), as: .bf16)
        try writer.add("matrix", matrix)
        try writer.add("scalar", Tensor(shape: [], values: [42]))
        try writer.add("position_ids", shape: [1, 4], int64Values: [0, 1, 2, .max])
        let path = try makeTemporaryDirectory() + "/model.safetensors"
        try writer.write(to: path)

        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(file.metadata, metadata)
        XCTAssertEqual(file.names, ["matrix", "position_ids", "scalar", "values.bf16", "values.f16", "values.f32"])
        XCTAssertEqual(try file.tensor("values.f32").toArray().map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(try file.tensor("values.f16").toArray().map(\.bitPattern),
                       values.map { HalfPrecision.float(fromF16: HalfPrecision.f16Bits(from: $0)).bitPattern })
        XCTAssertEqual(try file.tensor("values.bf16").toArray().map(\.bitPattern),
                       values.map { HalfPrecision.float(fromBF16: HalfPrecision.bf16Bits(from: $0)).bitPattern })
        XCTAssertEqual(try file.tensor("matrix").shape, [2, 3, 2])
        XCTAssertEqual(try file.tensor("matrix").toArray(), matrix.toArray())
        XCTAssertEqual(try file.tensor("scalar").toArray(), [42])
        XCTAssertEqual(try file.int64Values("position_ids"), [0, 1, 2, .max])
        XCTAssertEqual(try file.shape(of: "position_ids"), [1, 4])
        XCTAssertEqual(file.info("values.f16")?.dtype, .f16)
        XCTAssertEqual(file.info("values.bf16")?.dtype, .bf16)
    }

    func testHeaderIsPaddedAndDataAligned() throws {
        for nameLength in 1...16 {
            var writer = SafetensorsWriter()
            try writer.add(String(repeating: "n", count: nameLength), Tensor(shape: [1], values: [1]), as: .f16)
            try writer.add("ids", shape: [1], int64Values: [1])
            try writer.add("w", Tensor(shape: [1], values: [1]))
            let bytes = writer.serialized()
            let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
            XCTAssertEqual(headerLength % 8, 0)
            let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
            let padding = header.reversed().prefix { $0 == " " }.count
            XCTAssertLessThan(padding, 8)
            XCTAssertEqual(header.dropLast(padding).last, "}")
            let path = try writeTemporaryFile(bytes)
            let file = try SafetensorsFile(path: path)
            for info in file.tensorInfos {
                XCTAssertEqual(info.dataOffsets.lowerBound % (info.dtype.bitsPerElement / 8), 0, info.name)
            }
            XCTAssertEqual(file.tensorInfos.map(\.dtype), [.i64, .f32, .f16])
        }
    }

    func testLargeTensorIsWrittenInChunks() throws {
        let count = 200_003
        let tensor = Tensor(shape: [count], values: (0..<count).map { Float($0) })
        var writer = SafetensorsWriter()
        try writer.add("big.f32", tensor)
        try writer.add("big.f16", tensor, as: .f16)
        let path = try makeTemporaryDirectory() + "/big.safetensors"
        try writer.write(to: path)
        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(try file.tensor("big.f32").toArray(), tensor.toArray())
        let half = try file.tensor("big.f16").toArray()
        XCTAssertEqual(half[2047], 2047)
        XCTAssertEqual(half[count - 1], .infinity)
    }

    func testWriteReplacesAnExistingFileAndLeavesNoTemporary() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/model.safetensors"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        var writer = SafetensorsWriter()
        try writer.add("x", Tensor(shape: [2], values: [1, 2]))
        try writer.write(to: path)
        XCTAssertEqual(try SafetensorsFile(path: path).tensor("x").toArray(), [1, 2])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["model.safetensors"])
    }

    func testWriteToAMissingDirectoryFails() throws {
        let path = try makeTemporaryDirectory() + "/absent/model.safetensors"
        assertCheckpointError(try SafetensorsWriter().write(to: path), "unwritableFile")
    }

    func testBadInputIsRejected() throws {
        var writer = SafetensorsWriter()
        try writer.add("x", Tensor(shape: [1], values: [1]))
        assertCheckpointError(try writer.add("x", Tensor(shape: [1], values: [1])), "badWriterInput", tensor: "x")
        assertCheckpointError(try writer.add("x", shape: [1], int64Values: [1]), "badWriterInput", tensor: "x")
        assertCheckpointError(try writer.add("__metadata__", Tensor(shape: [1], values: [1])), "badWriterInput", tensor: "__metadata__")
        assertCheckpointError(try writer.add("ids", shape: [2], int64Values: [1]), "badWriterInput", tensor: "ids")
        assertCheckpointError(try writer.add("ids", shape: [-1], int64Values: []), "badWriterInput", tensor: "ids")
        XCTAssertEqual(try SafetensorsFile(path: writeTemporaryFile(writer.serialized())).names, ["x"])
    }

    func testEmptyWriterMatchesTheReference() {
        // The reference writes "{}" padded with six spaces for an empty dictionary.
        XCTAssertEqual(SafetensorsWriter().serialized(), [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
    }
}
