import XCTest
import STClipRuntime
import STClipTestSupport

final class NPYTests: XCTestCase {
    func testRoundTripKeepsShapeAndBits() throws {
        let t = Tensor(shape: [2, 3, 4], values: randomValues(24, seed: 1) + [])
        t.data[5] = -0.0
        t.data[6] = .infinity
        let back = try NPY.decode(NPY.encode(t))
        XCTAssertEqual(back.shape, [2, 3, 4])
        XCTAssertEqual(back.toArray().map(\.bitPattern), t.toArray().map(\.bitPattern))
        XCTAssertEqual(NPY.encode(t).prefix(128).count % 64, 0)
    }

    func testReadsNumPysOwnHeader() throws {
        // Bytes as numpy 1.x/2.x writes np.arange(3, dtype=np.float32).
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0])
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"
        data.append(contentsOf: Array((header + String(repeating: " ", count: 117 - header.count) + "\n").utf8))
        for v: Float in [0, 1, 2] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        let t = try NPY.decode(data)
        XCTAssertEqual(t.shape, [3])
        XCTAssertEqual(t.toArray(), [0, 1, 2])
    }

    func testRejectsBadInputWithTypedErrors() {
        let good = NPY.encode(Tensor(shape: [2, 2], values: [1, 2, 3, 4]))
        func kind(_ d: Data) -> String {
            do { _ = try NPY.decode(d); return "ok" } catch {
                switch error { case .malformed: return "malformed"; case .unsupported: return "unsupported"; case .io: return "io" }
            }
        }
        XCTAssertEqual(kind(Data()), "malformed")
        XCTAssertEqual(kind(Data("hello world".utf8)), "malformed")
        for cut in stride(from: 0, to: good.count - 1, by: 3) { XCTAssertEqual(kind(good.prefix(cut)), "malformed", "cut at \(cut)") }
        XCTAssertEqual(kind(replacing("<f4", with: "<f8", in: good)), "unsupported")
        XCTAssertEqual(kind(replacing("False", with: "True ", in: good)), "unsupported")
        XCTAssertThrowsError(try NPY.read(URL(fileURLWithPath: "/nonexistent/x.npy"))) { error in
            guard case .io = error as? NPYError else { return XCTFail("\(error)") }
        }
    }

    /// `data` with the first occurrence of `old` replaced byte for byte by `new` (same length).
    private func replacing(_ old: String, with new: String, in data: Data) -> Data {
        var bytes = [UInt8](data)
        let o = Array(old.utf8), n = Array(new.utf8)
        precondition(o.count == n.count)
        guard let i = (0...(bytes.count - o.count)).first(where: { Array(bytes[$0..<($0 + o.count)]) == o }) else {
            XCTFail("\(old) not in header"); return data
        }
        bytes.replaceSubrange(i..<(i + o.count), with: n)
        return Data(bytes)
    }
}
