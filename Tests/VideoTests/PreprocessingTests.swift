import Foundation
import STClipRuntime
import STClipVideo
import XCTest

/// The PIL-identical resize against its plain reference and against Pillow itself, and the whole
/// preprocessing against transformers' processors (golden fixtures from
/// Scripts/fixtures/make_preprocess_fixtures.py).
final class PreprocessingTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/video/preprocess").standardized

    private func randomImage(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMixForTests(seed: seed)
        // Noise over a gradient: every tap of the filter matters, and values reach 0 and 255 so clipping is exercised.
        return (0..<(width * height * 3)).map { i in
            let base = (i / 3 % width) * 255 / max(1, width - 1)
            return UInt8(clamping: base + Int(g.next() % 161) - 80)
        }
    }

    func testFastResizeMatchesTheReferenceExactly() {
        let sizes: [(Int, Int, Int, Int)] = [(64, 48, 32, 24), (37, 29, 77, 61), (320, 181, 397, 224), (97, 151, 40, 62),
                                             (5, 3, 17, 11), (200, 7, 9, 7), (7, 200, 7, 9), (1, 1, 3, 2), (50, 40, 50, 40),
                                             (1280, 9, 398, 3),
                                             (64, 5, 21, 5), (64, 40, 64, 17)]  // 64 wide: rows without padding
        for (n, (w, h, ow, oh)) in sizes.enumerated() {
            for resample in [PreprocessorConfig.Resample.bilinear, .bicubic] {
                let pixels = randomImage(width: w, height: h, seed: UInt64(n))
                let expected = ReferenceResize.resize(pixels, width: w, height: h, outWidth: ow, outHeight: oh, resample)
                let image = RGBImage(width: w, height: h, packed: pixels)
                XCTAssertEqual(PILResize.resize(image, width: ow, height: oh, filter: resample).packed(), expected, "\(w)×\(h) → \(ow)×\(oh) \(resample)")
                // A window of the output is that window of the whole.
                let cols = (ow / 3)..<max(ow / 3 + 1, ow - ow / 4), rows = (oh / 4)..<max(oh / 4 + 1, oh - oh / 3)
                let window = PILResize.resize(image, width: ow, height: oh, filter: resample, columns: cols, rows: rows).packed()
                let cut = rows.flatMap { y in cols.flatMap { x in (0..<3).map { expected[(y * ow + x) * 3 + $0] } } }
                XCTAssertEqual(window, cut, "window of \(w)×\(h) → \(ow)×\(oh) \(resample)")
            }
        }
    }

    private struct Fixture {
        let name: String
        let config: PreprocessorConfig
        let image: RGBImage
        let resized: Tensor?
        let expected: Tensor
    }

    private func loadFixtures() throws -> [Fixture] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { !$0.contains(".") && $0 != "VERSIONS" }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 7)
        return try names.map { name in
            let dir = Self.fixtures.appendingPathComponent(name)
            let input = try NPY.read(dir.appendingPathComponent("input.npy"))
            let image = RGBImage(width: input.shape[1], height: input.shape[0], packed: input.toArray().map { UInt8($0) })
            let resizedURL = dir.appendingPathComponent("resized.npy")
            return Fixture(name: name, config: try PreprocessorConfig.decode(try Data(contentsOf: dir.appendingPathComponent("config.json"))),
                           image: image,
                           resized: FileManager.default.fileExists(atPath: resizedURL.path) ? try NPY.read(resizedURL) : nil,
                           expected: try NPY.read(dir.appendingPathComponent("expected.npy")))
        }
    }

    func testResizeIsPillowsBitForBit() throws {
        for f in try loadFixtures() {
            guard let resized = f.resized else { continue }
            let (h, w) = (resized.shape[0], resized.shape[1])
            let pil = resized.toArray().map { UInt8($0) }
            XCTAssertEqual(PILResize.resize(f.image, width: w, height: h, filter: f.config.resample).packed(), pil, f.name)
            XCTAssertEqual(ReferenceResize.resize(f.image.packed(), width: f.image.width, height: f.image.height, outWidth: w, outHeight: h,
                                                  f.config.resample), pil, f.name)
        }
    }

    func testPreprocessingMatchesTransformers() throws {
        for f in try loadFixtures() {
            let ours = try f.config.preprocess(f.image)
            XCTAssertEqual(ours.shape, [1] + f.expected.shape, f.name)
            // Compare before normalisation, in 1/255 units: x · std + mean undoes (x − mean) / std.
            let plane = f.expected.count / 3
            let a = ours.toArray(), b = f.expected.toArray()
            var worst = 0.0, total = 0.0
            for i in 0..<min(a.count, b.count) {
                let c = i / plane
                let e = abs(Double(a[i]) - Double(b[i])) * f.config.imageStd[c] * 255
                worst = max(worst, e)
                total += e
            }
            let mean = total / Double(b.count)
            print(String(format: "parity %@: max %.6f/255, mean %.6f/255 before normalisation; normalised max abs %.3g", f.name, worst, mean,
                         zip(a, b).map { Double(abs($0 - $1)) }.max() ?? 0))
            XCTAssertLessThanOrEqual(worst, 2, f.name)
            XCTAssertLessThanOrEqual(mean, 0.5, f.name)
        }
    }

    func testThreeCropsRunAlongTheLongerSide() throws {
        let config = PreprocessorConfig(size: .shortestEdge(20), resample: .bilinear, cropHeight: 20, cropWidth: 20, doNormalize: false)
        for (w, h) in [(90, 30), (30, 90)] {
            let image = RGBImage(width: w, height: h, packed: randomImage(width: w, height: h, seed: 3))
            let three = try config.preprocess(image, crops: 3)
            let whole = try PreprocessorConfig(size: .shortestEdge(20), resample: .bilinear, doCenterCrop: false, doNormalize: false).preprocess(image)
            let long = max(whole.shape[2], whole.shape[3])
            XCTAssertEqual(long, 60)
            XCTAssertEqual(Array(three.toArray()[(3 * 400)..<(6 * 400)]), try config.preprocess(image).toArray(), "crop 1 is the centre crop")
            for (s, offset) in [(0, 0), (1, 20), (2, 40)] {
                for c in 0..<3 {
                    for y in 0..<20 {
                        for x in 0..<20 {
                            let (sy, sx) = w > h ? (y, x + offset) : (y + offset, x)
                            XCTAssertEqual(three.data[((s * 3 + c) * 20 + y) * 20 + x],
                                           whole.data[(c * whole.shape[2] + sy) * whole.shape[3] + sx])
                        }
                    }
                }
            }
        }
    }

    func testConfigKeysAndDefaults() throws {
        XCTAssertEqual(try PreprocessorConfig.decode(Data("{}".utf8)), .clip)
        let legacy = try PreprocessorConfig.decode(Data(#"{"size": 256, "crop_size": 240, "resample": 2, "image_mean": 0.5, "image_std": [0.5, 0.5, 0.5]}"#.utf8))
        XCTAssertEqual(legacy.size, .shortestEdge(256))
        XCTAssertEqual([legacy.cropHeight, legacy.cropWidth], [240, 240])
        XCTAssertEqual(legacy.resample, .bilinear)
        XCTAssertEqual(legacy.imageMean, [0.5, 0.5, 0.5])
        let exact = try PreprocessorConfig.decode(Data(#"{"size": {"height": 10, "width": 20}, "do_center_crop": false, "do_normalize": false}"#.utf8))
        XCTAssertEqual(exact.size, .exact(height: 10, width: 20))
        for bad in [#"{"resample": 1}"#, #"{"size": {"longest_edge": 5}}"#, #"{"image_std": [1, 0, 1]}"#, #"{"image_mean": [1, 2]}"#,
                    #"{"crop_size": -1}"#, "not json"] {
            XCTAssertThrowsError(try PreprocessorConfig.decode(Data(bad.utf8)), bad) { error in
                guard case .invalidRequest = error as? VideoError else { return XCTFail("\(bad): \(error)") }
            }
        }
        XCTAssertEqual(try PreprocessorConfig.load(directory: URL(fileURLWithPath: "/nonexistent")), .clip)
    }

    func testSampledTensorIsThePreprocessedSampledFrames() throws {
        let url = try TestVideo.make("h264-160.mp4", width: 160, height: 90, count: 30,
                                     output: ["-c:v", "libx264", "-g", "12", "-bf", "2", "-pix_fmt", "yuv420p"])
        let config = PreprocessorConfig(size: .shortestEdge(40), cropHeight: 32, cropWidth: 32)
        for views in [ViewLayout.oneByOne, .custom(clips: 2, crops: 3)] {
            let options = SamplingOptions(frames: 3, views: views)
            let sampled = try quietSampler(threads: 2).sample(.data(try TestVideo.bytes(url)), options: options, preprocessing: config)
            let frames = try quietSampler().frames(.file(path: url.path), options: options)
            XCTAssertEqual(sampled.pixels.shape, [views.count, 3, 3, 32, 32])
            let per = 3 * 32 * 32
            for c in 0..<views.clips {
                XCTAssertEqual(sampled.views[c * views.crops].timestamps, frames.timestamps[c])
                XCTAssertEqual(sampled.views[c * views.crops].presentationTimes, frames.presentationTimes[c])
                for t in 0..<3 {
                    let expected = try config.preprocess(frames.frames[c][t], crops: views.crops).toArray()
                    for s in 0..<views.crops {
                        let start = ((c * views.crops + s) * 3 + t) * per
                        XCTAssertEqual(Array(sampled.pixels.buffer[start..<(start + per)]), Array(expected[(s * per)..<((s + 1) * per)]),
                                       "\(views) clip \(c) frame \(t) crop \(s)")
                    }
                }
            }
        }
    }
}

extension PreprocessingTests {
    func testExtremeAspectRatiosAreRefusedNotAllocated() throws {
        let sliver = RGBImage(width: 1, height: 100_000)
        XCTAssertThrowsError(try PreprocessorConfig(doCenterCrop: false).preprocess(sliver)) { error in
            guard case .tooLarge = error as? VideoError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try PreprocessorConfig(cropHeight: 5000, cropWidth: 5000).preprocess(RGBImage(width: 8, height: 8))) { error in
            guard case .tooLarge = error as? VideoError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try PreprocessorConfig(size: .shortestEdge(16), cropHeight: 16, cropWidth: 16).preprocess(RGBImage(width: 1, height: 3000, packed: [UInt8](repeating: 7, count: 9000))).shape,
                       [1, 3, 16, 16])
    }
}
