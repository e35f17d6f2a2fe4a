import Foundation

/// The preprocessing half of a Hugging Face `preprocessor_config.json`, read with the keys and
/// meanings of transformers' `CLIPImageProcessor` and `VideoMAEImageProcessor`. Missing keys take
/// CLIP's values; unknown keys are ignored.
public struct PreprocessorConfig: Sendable, Equatable, Decodable {
    /// The resize target.
    public enum Size: Sendable, Equatable {
        /// Scale so the shorter side is `n`; the longer side becomes `Int(n · long / short)`
        /// (truncated, as transformers' `get_resize_output_image_size` does).
        case shortestEdge(Int)
        /// Scale to exactly `height` × `width`, ignoring the aspect ratio.
        case exact(height: Int, width: Int)
    }

    /// PIL's resampling filters, by their `Image.Resampling` numbers.
    public enum Resample: Int, Sendable, Equatable {
        case bilinear = 2
        case bicubic = 3
    }

    public var doResize: Bool
    public var size: Size
    /// The filter; other PIL numbers (nearest, box, hamming, lanczos) are rejected when decoding.
    public var resample: Resample
    public var doCenterCrop: Bool
    /// Crop height and width.
    public var cropHeight: Int
    public var cropWidth: Int
    public var doRescale: Bool
    public var rescaleFactor: Double
    public var doNormalize: Bool
    /// Per-channel mean and standard deviation, RGB order.
    public var imageMean: [Double]
    public var imageStd: [Double]
    /// `image_processor_type` as written in the file (informational).
    public var imageProcessorType: String?

    public static let clipMean = [0.48145466, 0.4578275, 0.40821073]
    public static let clipStd = [0.26862954, 0.26130258, 0.27577711]

    public init(doResize: Bool = true, size: Size = .shortestEdge(224), resample: Resample = .bicubic,
                doCenterCrop: Bool = true, cropHeight: Int = 224, cropWidth: Int = 224,
                doRescale: Bool = true, rescaleFactor: Double = 1.0 / 255.0, doNormalize: Bool = true,
                imageMean: [Double] = PreprocessorConfig.clipMean, imageStd: [Double] = PreprocessorConfig.clipStd,
                imageProcessorType: String? = nil) {
        self.doResize = doResize
        self.size = size
        self.resample = resample
        self.doCenterCrop = doCenterCrop
        self.cropHeight = cropHeight
        self.cropWidth = cropWidth
        self.doRescale = doRescale
        self.rescaleFactor = rescaleFactor
        self.doNormalize = doNormalize
        self.imageMean = imageMean
        self.imageStd = imageStd
        self.imageProcessorType = imageProcessorType
    }

    /// CLIP's preprocessing: shortest edge 224 bicubic, centre crop 224, OpenAI's mean and std.
    public static let clip = PreprocessorConfig()

    /// X-CLIP's (`VideoMAEImageProcessor`): shortest edge 224 bilinear, centre crop 224, ImageNet's
    /// "standard" mean and std of ½.
    public static let videoMAE = PreprocessorConfig(resample: .bilinear, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5],
                                                    imageProcessorType: "VideoMAEImageProcessor")

    /// Reads `preprocessor_config.json` from `directory`, or returns CLIP's defaults if there is none.
    public static func load(directory: URL) throws(VideoError) -> PreprocessorConfig {
        let url = directory.appendingPathComponent("preprocessor_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return .clip }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .io(path: url.path, reason: error.localizedDescription) }
        return try decode(data, path: url.path)
    }

    /// Parses the JSON text of a `preprocessor_config.json`.
    public static func decode(_ data: Data, path: String = "preprocessor_config.json") throws(VideoError) -> PreprocessorConfig {
        do {
            return try JSONDecoder().decode(PreprocessorConfig.self, from: data)
        } catch let error as DecodingError {
            throw .invalidRequest(detail: "\(path): \(Self.explain(error))")
        } catch {
            throw .invalidRequest(detail: "\(path): \(error)")
        }
    }

    private enum Keys: String, CodingKey {
        case doResize = "do_resize", size, resample, doCenterCrop = "do_center_crop", cropSize = "crop_size"
        case doRescale = "do_rescale", rescaleFactor = "rescale_factor", doNormalize = "do_normalize"
        case imageMean = "image_mean", imageStd = "image_std", imageProcessorType = "image_processor_type"
    }

    private struct SizeDict: Decodable {
        var shortest_edge: Int?
        var height: Int?
        var width: Int?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let d = PreprocessorConfig.clip
        doResize = try c.decodeIfPresent(Bool.self, forKey: .doResize) ?? d.doResize
        doCenterCrop = try c.decodeIfPresent(Bool.self, forKey: .doCenterCrop) ?? d.doCenterCrop
        doRescale = try c.decodeIfPresent(Bool.self, forKey: .doRescale) ?? d.doRescale
        rescaleFactor = try c.decodeIfPresent(Double.self, forKey: .rescaleFactor) ?? d.rescaleFactor
        doNormalize = try c.decodeIfPresent(Bool.self, forKey: .doNormalize) ?? d.doNormalize
        imageProcessorType = try c.decodeIfPresent(String.self, forKey: .imageProcessorType)
        imageMean = try Self.channels(c, .imageMean) ?? d.imageMean
        imageStd = try Self.channels(c, .imageStd) ?? d.imageStd
        if imageStd.contains(where: { $0 == 0 || !$0.isFinite }) {
            throw DecodingError.dataCorruptedError(forKey: .imageStd, in: c, debugDescription: "image_std must be finite and non-zero")
        }

        if let n = try? c.decode(Int.self, forKey: .size) {
            size = .shortestEdge(n)
        } else if let s = try c.decodeIfPresent(SizeDict.self, forKey: .size) {
            if let n = s.shortest_edge {
                size = .shortestEdge(n)
            } else if let h = s.height, let w = s.width {
                size = .exact(height: h, width: w)
            } else {
                throw DecodingError.dataCorruptedError(forKey: .size, in: c, debugDescription: "size needs shortest_edge or height and width")
            }
        } else {
            size = d.size
        }
        switch size {
        case let .shortestEdge(n) where n < 1, let .exact(n, _) where n < 1, let .exact(_, n) where n < 1:
            throw DecodingError.dataCorruptedError(forKey: .size, in: c, debugDescription: "size must be positive")
        default: break
        }

        if let n = try? c.decode(Int.self, forKey: .cropSize) {
            (cropHeight, cropWidth) = (n, n)
        } else if let s = try c.decodeIfPresent(SizeDict.self, forKey: .cropSize) {
            guard let h = s.height, let w = s.width else {
                throw DecodingError.dataCorruptedError(forKey: .cropSize, in: c, debugDescription: "crop_size needs height and width")
            }
            (cropHeight, cropWidth) = (h, w)
        } else {
            (cropHeight, cropWidth) = (d.cropHeight, d.cropWidth)
        }
        guard cropHeight >= 1, cropWidth >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .cropSize, in: c, debugDescription: "crop_size must be positive")
        }

        let r = try c.decodeIfPresent(Int.self, forKey: .resample) ?? d.resample.rawValue
        guard let resample = Resample(rawValue: r) else {
            throw DecodingError.dataCorruptedError(forKey: .resample, in: c,
                                                   debugDescription: "resample \(r) is not supported (2 = bilinear, 3 = bicubic)")
        }
        self.resample = resample
    }

    /// A three-element channel list, or a single number meaning all three.
    private static func channels(_ c: KeyedDecodingContainer<Keys>, _ key: Keys) throws -> [Double]? {
        if let v = try? c.decode(Double.self, forKey: key) { return [v, v, v] }
        guard let list = try c.decodeIfPresent([Double].self, forKey: key) else { return nil }
        guard list.count == 3 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(key.rawValue) needs 3 values, got \(list.count)")
        }
        return list
    }

    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case let .dataCorrupted(ctx), let .keyNotFound(_, ctx), let .typeMismatch(_, ctx), let .valueNotFound(_, ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? ctx.debugDescription : "\(path): \(ctx.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
