import Foundation
import STClipRuntime
@testable import STClipVideo
import XCTest

/// Train-mode sampling against the trainer's (Training/stasclip/sampling.py, golden fixtures from
/// Scripts/fixtures/make_train_sampling_fixtures.py): the same seed must give the same segment times,
/// the same multi-scale crop boxes and the same pixels, or a model would be trained on other inputs
/// than stclip gives it.
final class TrainSamplingTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/video/train-sampling").standardized

    private struct Draws: Decodable {
        struct Sized: Decodable { let width: Int, height: Int, boxes: [[Int]] }
        struct Case: Decodable {
            let seed: String, frames: Int, clips: Int, start: Double, duration: Double
            let times: [[Double]]
            let boxes: [Sized]
        }
        let cases: [Case]
    }

    private func draws() throws -> [Draws.Case] {
        try JSONDecoder().decode(Draws.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("draws.json"))).cases
    }

    func testTimesAndBoxesAreTheTrainersExactly() throws {
        let cases = try draws()
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let seed = try XCTUnwrap(UInt64(c.seed))
            let (times, crops) = SegmentSampler.draw(start: c.start, duration: c.duration, frames: c.frames, clips: c.clips,
                                                     mode: .train(seed: seed))
            XCTAssertEqual(times, c.times, "seed \(seed): times must be bit-identical")
            XCTAssertEqual(crops.count, c.clips)
            for sized in c.boxes {
                let ours = crops.map { crop -> [Int] in
                    let b = crop.box(width: sized.width, height: sized.height)
                    return [b.x, b.y, b.width, b.height]
                }
                XCTAssertEqual(ours, sized.boxes, "seed \(seed), \(sized.width)×\(sized.height)")
                for b in ours {
                    XCTAssertTrue(b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= sized.width && b[1] + b[3] <= sized.height, "box \(b) inside")
                }
            }
        }
    }

    func testTestModeDrawsNoCrops() {
        let (times, crops) = SegmentSampler.draw(start: 0, duration: 8, frames: 4, clips: 2, mode: .test)
        XCTAssertEqual(times, [[0.5, 2.5, 4.5, 6.5], [1.5, 3.5, 5.5, 7.5]])
        XCTAssertTrue(crops.isEmpty)
    }

    func testEveryScalePairIsDrawn() {
        var seen = Set<Int>()
        for seed in 0..<400 as Range<UInt64> {
            seen.formUnion(SegmentSampler.draw(start: 0, duration: 1, frames: 2, clips: 1, mode: .train(seed: seed)).crops.map(\.pair))
        }
        XCTAssertEqual(seen, Set(0..<10), "the ten (w, h) pairs at most one scale step apart")
        XCTAssertEqual(MultiScaleCrop.pairs.count, 10)
    }

    func testCropPixelsAreTheTrainersWithinFloatRounding() throws {
        let config = try PreprocessorConfig.decode(try Data(contentsOf: Self.fixtures.appendingPathComponent("config.json")))
        let frame = try NPY.read(Self.fixtures.appendingPathComponent("frame.npy"))
        let expected = try NPY.read(Self.fixtures.appendingPathComponent("expected.npy"))
        let image = RGBImage(width: frame.shape[1], height: frame.shape[0], packed: frame.toArray().map { UInt8($0) })
        let first = try draws()[0]
        let crops = SegmentSampler.draw(start: first.start, duration: first.duration, frames: first.frames, clips: first.clips,
                                        mode: .train(seed: try XCTUnwrap(UInt64(first.seed)))).crops
        let preprocessor = try FramePreprocessor(config: config, crops: 1)
        let g = try preprocessor.trainGeometry(width: image.width, height: image.height)
        let window = preprocessor.resized(image, g)
        let perView = 3 * g.outHeight * g.outWidth
        let ours = Tensor(uninitialized: [crops.count, 3, g.outHeight, g.outWidth])
        for (c, crop) in crops.enumerated() { preprocessor.write(multiScale: crop, of: window, g, to: ours.data + c * perView) }
        XCTAssertEqual(ours.shape, expected.shape)
        let worst = zip(ours.toArray(), expected.toArray()).map { abs($0 - $1) }.max() ?? .infinity
        print(String(format: "train-mode crops vs the trainer: max abs error %.3g over %d values", worst, expected.count))
        XCTAssertLessThanOrEqual(worst, 1e-6)
    }

    func testTrainModeRefusesThreeCrops() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-train-\(UUID().uuidString).mp4")
        defer { try? FileManager.default.removeItem(at: url) }
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=8:duration=1", "-pix_fmt", "yuv420p", url.path]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        XCTAssertEqual(ffmpeg.terminationStatus, 0)
        let sampler = VideoSampler()
        XCTAssertThrowsError(try sampler.sample(.file(path: url.path), options: SamplingOptions(frames: 4, views: .custom(clips: 1, crops: 3),
                                                                                                 mode: .train(seed: 1)))) { error in
            guard case VideoError.invalidRequest = error else { return XCTFail("\(error)") }
        }
        let sampled = try sampler.sample(.file(path: url.path), options: SamplingOptions(frames: 4, mode: .train(seed: 1)),
                                         preprocessing: PreprocessorConfig.decode(try Data(contentsOf: Self.fixtures.appendingPathComponent("config.json"))))
        XCTAssertEqual(sampled.pixels.shape, [1, 4, 3, 48, 48])
    }
}
