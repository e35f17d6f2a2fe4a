import Foundation
import XCTest
import STClipCheckpoint

/// Reads files written by the official `safetensors` library and compares every value exactly.
final class SafetensorsReferenceFileTests: XCTestCase {
    func testEveryFixtureTensorMatchesTheRecordedValues() throws {
        let expected = try Fixtures.expected()
        XCTAssertEqual(expected.count, 8)
        for (fileName, tensors) in expected {
            let file = try SafetensorsFile(path: Fixtures.path(fileName))
            XCTAssertEqual(file.names, tensors.keys.sorted(), fileName)
            for (name, want) in tensors {
                let label = "\(fileName): \(name)"
                XCTAssertEqual(try file.shape(of: name), want.shape, label)
                XCTAssertEqual(file.info(name)?.dtype.rawValue, want.dtype, label)
                if let bits = want.float_bits {
                    let tensor = try file.tensor(name)
                    XCTAssertEqual(tensor.shape, want.shape, label)
                    assertBits(tensor.toArray(), bits, label)
                } else if want.dtype == "I64", let ints = want.ints {
                    XCTAssertEqual(try file.int64Values(name), ints, label)
                } else {
                    assertCheckpointError(try file.tensor(name), "unsupportedDType", tensor: name)
                }
            }
        }
    }

    func testF16SpecialValuesKeepNaNSignAndPayload() throws {
        let file = try SafetensorsFile(path: Fixtures.path("f16.safetensors"))
        let values = try file.tensor("specials").toArray()
        // The last two elements were written as raw F16 bits 0x7D01 (signalling NaN, payload
        // 0x101) and 0xFE00 (negative quiet NaN); the mantissa moves up 13 bits.
        XCTAssertEqual(values[values.count - 2].bitPattern, 0x7FA0_2000)
        XCTAssertEqual(values[values.count - 1].bitPattern, 0xFFC0_0000)
        XCTAssertEqual(values[8], 0x1p-24)
        XCTAssertEqual(values[1].sign, .minus)
        XCTAssertEqual(values[1], 0)
    }

    func testMetadataIsRead() throws {
        let file = try SafetensorsFile(path: Fixtures.path("f32.safetensors"))
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "quoted \"text\" and unicode é"])
        let unnamed = try SafetensorsFile(path: Fixtures.path("f16.safetensors"))
        XCTAssertEqual(unnamed.metadata, [:])
    }

    func testAlignedFloat32TensorsAreViewsOfTheMapping() throws {
        var file: SafetensorsFile? = try SafetensorsFile(path: Fixtures.path("f32.safetensors"))
        let first = try XCTUnwrap(file).tensor("weight")
        let second = try XCTUnwrap(file).tensor("weight")
        XCTAssertEqual(first.data, second.data, "two loads of an F32 tensor should share the mapped bytes")
        file = nil
        // The view keeps the mapping alive after the file object is gone.
        XCTAssertEqual(first.toArray(), [-0.5, -0.25, 0, 0.25, 0.5, 0.75])
    }

    func testConvertedTensorsAreIndependentCopies() throws {
        let file = try SafetensorsFile(path: Fixtures.path("bf16.safetensors"))
        let first = try file.tensor("matrix")
        let second = try file.tensor("matrix")
        XCTAssertNotEqual(first.data, second.data)
        XCTAssertEqual(first.toArray(), second.toArray())
    }

    func testScalarAndEmptyTensors() throws {
        let file = try SafetensorsFile(path: Fixtures.path("f32.safetensors"))
        let scalar = try file.tensor("scalar")
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.toArray(), [7.25])
        let empty = try file.tensor("empty")
        XCTAssertEqual(empty.shape, [0, 4])
        XCTAssertEqual(empty.count, 0)
    }

    func testDTypeMismatchesAreTypedErrors() throws {
        let path = Fixtures.path("mixed.safetensors")
        let file = try SafetensorsFile(path: path)
        let error = assertCheckpointError(try file.tensor("position_ids"), "dtypeMismatch", tensor: "position_ids", path: path)
        XCTAssertEqual(error, .dtypeMismatch(path: path, tensor: "position_ids", expected: "F32, F16 or BF16", actual: "I64"))
        assertCheckpointError(try file.int64Values("proj"), "dtypeMismatch", tensor: "proj")
        assertCheckpointError(try file.int64Values("mask"), "dtypeMismatch", tensor: "mask")
        let unsupported = assertCheckpointError(try file.tensor("mask"), "unsupportedDType", tensor: "mask", path: path)
        XCTAssertEqual(unsupported?.description, "\(path): tensor 'mask' has dtype U8, which cannot be read as float32")
        assertCheckpointError(try file.tensor("nope"), "missingTensor", tensor: "nope", path: path)
        assertCheckpointError(try file.shape(of: "nope"), "missingTensor", tensor: "nope", path: path)
    }

    func testTensorInfosAreInDataOrder() throws {
        let file = try SafetensorsFile(path: Fixtures.path("mixed.safetensors"))
        let infos = file.tensorInfos
        XCTAssertEqual(infos.first?.dataOffsets.lowerBound, 0)
        for (previous, next) in zip(infos, infos.dropFirst()) {
            XCTAssertEqual(previous.dataOffsets.upperBound, next.dataOffsets.lowerBound)
        }
        XCTAssertEqual(file.info("half")?.elementCount, 3)
        XCTAssertEqual(file.info("half")?.dataOffsets.count, 6)
        XCTAssertTrue(file.contains("mask"))
        XCTAssertFalse(file.contains("__metadata__"))
    }
}
