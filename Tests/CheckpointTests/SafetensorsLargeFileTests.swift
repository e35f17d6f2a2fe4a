import Foundation
import XCTest
import STClipCheckpoint

final class SafetensorsLargeFileTests: XCTestCase {
    /// A 2.5 GiB tensor in a sparse file: offsets past 2^31 must work, and opening the file and
    /// taking the tensor must touch only the header, since F32 tensors are views of the mapping.
    func testOpeningALargeFileReadsOnlyTheHeader() throws {
        let elements = 640 * 1024 * 1024 + 1
        var header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[\(elements)],\"data_offsets\":[0,\(elements * 4)]}}"
        while header.utf8.count % 8 != 0 { header += " " }
        let path = try writeTemporaryFile(safetensorsBytes(header: header))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(8 + header.utf8.count + elements * 4))
        try handle.close()

        let start = Date()
        let file = try SafetensorsFile(path: path)
        let tensor = try file.tensor("big")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 0.5, "opening should not read or copy the 2.5 GiB of data")
        XCTAssertEqual(tensor.shape, [elements])
        XCTAssertEqual(tensor.data[elements - 1], 0)
        XCTAssertEqual(try file.tensor("big").data, tensor.data)
    }
}
