import Foundation
import STClipCheckpoint
import STClipModels
import STClipRuntime
import STClipTestSupport
import XCTest

/// A fixture directory written by one of Scripts/fixtures/make_*_fixtures.py: the checkpoint,
/// the reference outputs transformers (or Training/stasclip) computed from it, and the inputs.
struct ParityFixture {
    // Float32 through a handful of layers: errors are ~1e-6; 2e-5 leaves room for BLAS kernels.
    static let atol: Float = 2e-5, rtol: Float = 1e-4

    let name: String
    let model: LoadedModel
    let reference: SafetensorsFile
    let texts: [String]
    let inputIDs: [[Int]]
    let attentionMask: [[Int]]

    init(_ family: String, _ name: String) throws {
        self.name = name
        let directory = fixtureURL(family).appendingPathComponent(name)
        model = try LoadedModel.load(directory: directory.path)
        reference = try SafetensorsFile(path: directory.appendingPathComponent("reference.safetensors").path)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("reference.json"))) as? [String: Any])
        texts = try XCTUnwrap(json["texts"] as? [String])
        inputIDs = try XCTUnwrap(json["input_ids"] as? [[Int]])
        attentionMask = try XCTUnwrap(json["attention_mask"] as? [[Int]])
    }

    func expected(_ tensor: String) throws -> Tensor { try reference.tensor(tensor) }

    /// Compares `actual` with the reference tensor of that name (shapes compared by element count,
    /// since the runtime flattens leading dimensions) and prints the max error.
    func compare(_ actual: Tensor, _ tensor: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try expected(tensor)
        XCTAssertEqual(actual.count, reference.count, "\(name) \(tensor): \(actual.shape) vs \(reference.shape)", file: file, line: line)
        assertClose(actual.toArray(), reference.toArray(), atol: Self.atol, rtol: Self.rtol, "\(name) \(tensor)", file: file, line: line)
    }
}
