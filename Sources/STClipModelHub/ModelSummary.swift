import Foundation
import STClipCheckpoint
import STClipModels

/// What a model directory holds (`stclip model info`): the family, the towers' sizes, the clip
/// length, the labels it comes with, and its weights and files on disk.
///
/// Read from `config.json` (through each family's own config reader, so the figures are the ones
/// the model would be built with), the safetensors headers (no weights are loaded) and
/// `labelsets/*.json`.
public struct ModelSummary: Sendable, Equatable {
    /// The directory described.
    public let directory: String
    /// `model_type`: `clip`, `xclip` or `stas-clip`.
    public let family: String
    /// `architectures` from `config.json`, when given.
    public let architectures: [String]
    public let vision: VisionSummary
    public let text: TextSummary
    /// The joint embedding width.
    public let projectionDim: Int
    /// The clip length the model was built for; nil for CLIP, which averages any number of frames.
    public let frames: Int?
    /// X-CLIP's multi-frame integration transformer, or stas-clip's end temporal transformer.
    public let temporalTransformer: TransformerSummary?
    /// X-CLIP's video-specific prompt generator depth.
    public let promptGeneratorLayers: Int?
    /// stas-clip: how communication tokens are mixed over time (`tws`, `tc`, `ts`, `transformer`, `none`).
    public let temporalModeling: String?
    /// stas-clip: whether each frame and layer has a communication token.
    public let communicationToken: Bool?
    /// stas-clip: the auxiliary head's pooling (`covariance`, `first_order`), nil without one.
    public let auxHead: String?
    /// stas-clip: the closed-set classes of the auxiliary head, in its output order.
    public let auxLabels: [String]
    /// The label sets in `labelsets/`, by name.
    public let labelSets: [LabelSetSummary]
    /// Elements of the floating-point tensors (integer buffers such as `position_ids` are not parameters).
    public let parameters: Int
    /// The floating-point dtypes the weights are stored in, sorted (`F32`, `F16`, `BF16`, …).
    public let dtypes: [String]
    /// The safetensors file names.
    public let weightFiles: [String]
    /// Their total size in bytes.
    public let weightBytes: Int
    /// Bytes of every file under the directory.
    public let diskBytes: Int
    /// Files under the directory.
    public let fileCount: Int

    /// Describes the model in `directory`.
    ///
    /// - Throws: `CheckpointError` for missing or malformed `config.json` or weights;
    ///   `ModelError` for a `model_type` stclip does not run or a config it refuses;
    ///   `ModelSummaryError` for a malformed label set.
    public init(directory: String) throws {
        let checkpoint = try Checkpoint(directory: directory)
        let config = try checkpoint.config()
        self.directory = directory
        family = try config.string("model_type")
        architectures = try config.optionalArray("architectures")?.strings() ?? []

        let visionConfig: CLIPVisionConfig, textConfig: CLIPTextConfig, projection: Int
        var frames: Int?, temporal: TransformerSummary?, promptLayers: Int?
        var modeling: String?, communication: Bool?, aux: String?, auxLabels: [String] = []
        switch family {
        case "clip":
            let c = try CLIPConfig(json: config)
            (visionConfig, textConfig, projection) = (c.vision, c.text, c.projectionDim)
        case "xclip":
            let c = try XCLIPConfig(json: config)
            (visionConfig, textConfig, projection) = (c.vision, c.text, c.projectionDim)
            frames = c.frames
            temporal = Self.summary(c.mit)
            promptLayers = c.promptLayers
        case "stas-clip":
            let c = try STASCLIPConfig(json: config)
            (visionConfig, textConfig, projection) = (c.vision, c.text, c.projectionDim)
            frames = c.frames
            temporal = c.endTransformer ? Self.summary(c.mit) : nil
            modeling = c.temporalModeling.rawValue
            communication = c.communicationToken
            if c.auxHead != .none {
                aux = c.auxHead.rawValue
                auxLabels = c.auxLabels
            }
        default:
            throw ModelError.unsupportedModelType(family)
        }
        vision = VisionSummary(
            transformer: TransformerSummary(layers: visionConfig.layers, width: visionConfig.hiddenSize,
                                            heads: visionConfig.heads, intermediateSize: visionConfig.intermediateSize),
            patchSize: visionConfig.patchSize, imageSize: visionConfig.imageSize, patches: visionConfig.grid * visionConfig.grid)
        text = TextSummary(
            transformer: TransformerSummary(layers: textConfig.layers, width: textConfig.hiddenSize,
                                            heads: textConfig.heads, intermediateSize: textConfig.intermediateSize),
            vocabularySize: textConfig.vocabSize, context: textConfig.maxPositions)
        projectionDim = projection
        self.frames = frames
        temporalTransformer = temporal
        promptGeneratorLayers = promptLayers
        temporalModeling = modeling
        communicationToken = communication
        auxHead = aux
        self.auxLabels = auxLabels

        let integerTypes: Set<SafetensorsDType> = [.bool, .u8, .i8, .i16, .u16, .i32, .u32, .i64, .u64]
        let parameterTensors = checkpoint.files.flatMap(\.tensorInfos).filter { !integerTypes.contains($0.dtype) }
        parameters = parameterTensors.reduce(0) { $0 + $1.elementCount }
        dtypes = Set(parameterTensors.map(\.dtype.rawValue)).sorted()
        weightFiles = checkpoint.files.map { URL(fileURLWithPath: $0.path).lastPathComponent }
        weightBytes = checkpoint.files.reduce(0) { $0 + Self.size(of: $1.path) }

        let files = Self.regularFiles(under: directory)
        diskBytes = files.reduce(0) { $0 + Self.size(of: $1) }
        fileCount = files.count
        labelSets = try Self.labelSets(in: URL(fileURLWithPath: directory).appendingPathComponent("labelsets").path)
    }

    private static func summary(_ mit: MITConfig) -> TransformerSummary {
        TransformerSummary(layers: mit.layers, width: mit.hiddenSize, heads: mit.heads, intermediateSize: mit.intermediateSize)
    }

    private static func size(of path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
    }

    /// The regular files under `directory`, at any depth, as paths.
    private static func regularFiles(under directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return enumerator.compactMap { item in
            guard let url = item as? URL, (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { return nil }
            return url.path
        }
    }

    /// The label sets in `directory` (`NAME.json` each), sorted by name; none without the directory.
    private static func labelSets(in directory: String) throws -> [LabelSetSummary] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { file in
            let path = URL(fileURLWithPath: directory).appendingPathComponent(file).path
            guard let data = FileManager.default.contents(atPath: path),
                  let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw ModelSummaryError.badLabelSet(path: path, reason: "not a JSON object")
            }
            guard let entries = root["labels"] as? [Any] else {
                throw ModelSummaryError.badLabelSet(path: path, reason: "no \"labels\" array")
            }
            let labels = try entries.enumerated().map { index, entry -> String in
                guard let label = (entry as? [String: Any])?["label"] as? String else {
                    throw ModelSummaryError.badLabelSet(path: path, reason: "labels[\(index)] has no \"label\" string")
                }
                return label
            }
            return LabelSetSummary(name: String(file.dropLast(5)), labels: labels)
        }
    }
}
