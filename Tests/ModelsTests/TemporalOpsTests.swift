import STClipRuntime
import STClipTestSupport
import XCTest
@testable import STClipModels

/// The parameter-free pieces of the seed paper's model, checked on hand-made inputs.
final class TemporalOpsTests: XCTestCase {
    func testShiftMovesTheFirstEighthForwardAndTheLastEighthBackward() {
        // One clip, T = 3 frames, D = 16 channels (fold 2); frame t holds 100·(t+1) + channel.
        let (t, d) = (3, 16)
        let m = Tensor(shape: [t, d], values: (0..<(t * d)).map { Float(100 * ($0 / d + 1) + $0 % d) })
        let y = TemporalMixing.shift(fraction: 0.125)(m, clips: 1, frames: t)
        for frame in 0..<t {
            for c in 0..<d {
                let own = Float(100 * (frame + 1) + c)
                let shifted: Float
                switch c {
                case 0..<2: shifted = frame > 0 ? Float(100 * frame + c) : 0          // out[t] = in[t−1]
                case 14..<16: shifted = frame < t - 1 ? Float(100 * (frame + 2) + c) : 0  // out[t] = in[t+1]
                default: shifted = own
                }
                XCTAssertEqual(y.data[frame * d + c], own + shifted, "frame \(frame) channel \(c)")
            }
        }
    }

    func testShiftNeverCrossesClips() {
        let m = Tensor(shape: [4, 8], values: (0..<32).map(Float.init))
        let y = TemporalMixing.shift(fraction: 0.125)(m, clips: 2, frames: 2)
        XCTAssertEqual(y.data[2 * 8 + 0], m.data[2 * 8 + 0], "clip 2's first frame gets no forward shift from clip 1")
        XCTAssertEqual(y.data[1 * 8 + 7], m.data[1 * 8 + 7], "clip 1's last frame gets no backward shift from clip 2")
    }

    func testTemporalConvolutionAgainstPlainSums() {
        let (t, d, k) = (4, 3, 3)
        let m = Tensor(shape: [t, d], values: randomValues(t * d, seed: 1))
        let w = Tensor(shape: [d, k], values: randomValues(d * k, seed: 2)), b = Tensor(shape: [d], values: randomValues(d, seed: 3))
        let y = TemporalMixing.temporalConv(weight: w, bias: b)(m, clips: 1, frames: t)
        for frame in 0..<t {
            for c in 0..<d {
                var s = m.data[frame * d + c] + b.data[c]
                for j in 0..<k where (0..<t).contains(frame + j - 1) { s += w.data[c * k + j] * m.data[(frame + j - 1) * d + c] }
                XCTAssertEqual(y.data[frame * d + c], s, accuracy: 1e-6)
            }
        }
    }

    func testISQRTSquaresBackToTheCovariance() {
        // Tokens from a fixed random mix give a well-conditioned covariance.
        let (m, d) = (200, 12)
        let x = Tensor(shape: [m, d], values: randomValues(m * d, seed: 4))
        let sigma = STASCLIPModel.covariance(x)
        let root = STASCLIPModel.iSQRT(sigma, iterations: 15)
        let square = Kernels.matmul(root, root)
        assertClose(square.toArray(), sigma.toArray(), atol: 1e-4, "√Σ·√Σ vs Σ")
        XCTAssertEqual(STASCLIPModel.upperTriangle(sigma).count, d * (d + 1) / 2)
    }
}
