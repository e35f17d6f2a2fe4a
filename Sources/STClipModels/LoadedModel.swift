import Foundation
import STClipCheckpoint
import STClipRuntime
import STClipTokenizer

/// A checkpoint directory loaded for inference: the network, its tokenizer, and where it came from.
///
/// The directory holds `config.json`, `model.safetensors` (or a sharded index), `vocab.json`,
/// `merges.txt` and `preprocessor_config.json`, as Hugging Face writes them.
public struct LoadedModel: Sendable {
    /// The networks stclip can run, by `model_type`.
    public enum Network: Sendable {
        /// `clip`: a video is the mean of its frames' image embeddings.
        case clip(CLIPModel)
        /// `xclip`: cross-frame messages, a temporal transformer and video-specific text prompts.
        case xclip(XCLIPModel)
        /// `stas-clip`: the seed paper's model (TWS communication tokens, end temporal transformer,
        /// optional closed-set auxiliary head).
        case stas(STASCLIPModel)
    }

    /// The directory the model was loaded from.
    public let directory: String
    /// `model_type` from `config.json`.
    public let modelType: String
    public let network: Network
    public let tokenizer: CLIPTokenizer

    /// Loads and checks the model in `directory`: every tensor the config implies must be present
    /// with its shape, and every tensor present must be used (bar recomputed buffers).
    public static func load(directory: String) throws -> LoadedModel {
        let checkpoint = try Checkpoint(directory: directory)
        let config = try checkpoint.config()
        let modelType = try config.string("model_type")
        let network: Network
        switch modelType {
        case "clip":
            network = .clip(try CLIPModel(config: try CLIPConfig(json: config), weights: checkpoint))
            for name in CLIPNames.ignorableBuffers where checkpoint.contains(name) { try checkpoint.markUsed(name) }
        case "xclip":
            network = .xclip(try XCLIPModel(config: try XCLIPConfig(json: config), weights: checkpoint))
            for name in CLIPNames.ignorableBuffers where checkpoint.contains(name) { try checkpoint.markUsed(name) }
        case "stas-clip":
            network = .stas(try STASCLIPModel(config: try STASCLIPConfig(json: config), weights: checkpoint))
            for name in CLIPNames.ignorableBuffers where checkpoint.contains(name) { try checkpoint.markUsed(name) }
        default:
            throw ModelError.unsupportedModelType(modelType)
        }
        try checkpoint.checkAllTensorsUsed()
        let tokenizer = try CLIPTokenizer(directory: URL(fileURLWithPath: directory))
        return LoadedModel(directory: directory, modelType: modelType, network: network, tokenizer: tokenizer)
    }

    /// The joint embedding width.
    public var embeddingDimension: Int {
        switch network {
        case .clip(let m): return m.config.projectionDim
        case .xclip(let m): return m.config.projectionDim
        case .stas(let m): return m.config.projectionDim
        }
    }

    /// The frame size and channel count the vision tower takes.
    public var imageSize: Int {
        switch network {
        case .clip(let m): return m.config.vision.imageSize
        case .xclip(let m): return m.config.vision.imageSize
        case .stas(let m): return m.config.vision.imageSize
        }
    }

    /// The clip length the model was built for (X-CLIP's and stas-clip's temporal position
    /// embeddings have one row per frame); nil for CLIP, whose frame average takes any length.
    public var requiredFrames: Int? {
        switch network {
        case .clip: return nil
        case .xclip(let m): return m.config.frames
        case .stas(let m): return m.config.frames
        }
    }

    /// Texts → ids and mask, padded to the longest, as transformers' `tokenizer(texts, padding=True)`.
    public func tokenize(_ texts: [String]) -> (inputIDs: [[Int]], attentionMask: [[Int]]) {
        tokenizer.encodeBatch(texts, padTo: .longest)
    }

    /// Texts → projected, unnormalised embeddings `(texts, P)` (transformers' `get_text_features`).
    public func textEmbeddings(_ texts: [String]) throws -> Tensor {
        let batch = tokenize(texts)
        switch network {
        case .clip(let m): return try m.textFeatures(inputIDs: batch.inputIDs, attentionMask: batch.attentionMask)
        case .xclip(let m): return try m.textFeatures(inputIDs: batch.inputIDs, attentionMask: batch.attentionMask)
        case .stas(let m): return try m.textFeatures(inputIDs: batch.inputIDs, attentionMask: batch.attentionMask)
        }
    }

    /// Preprocessed frames `(T, 3, S, S)` → the clip's embedding `(P)` and per-frame embeddings `(T, P)`.
    public func videoEmbeddings(pixels: Tensor) throws -> (video: Tensor, frames: Tensor) {
        switch network {
        case .clip(let m):
            let frames = try m.imageFeatures(pixels)                       // (T, P)
            let t = frames.shape[0], p = frames.shape[1]
            let video = Tensor(zeros: [p])                                 // (P): mean over frames
            for i in 0..<t { for j in 0..<p { video.data[j] += frames.data[i * p + j] } }
            for j in 0..<p { video.data[j] /= Float(max(t, 1)) }
            return (video, frames)
        case .xclip(let m):
            let out = try m.videoFeatures(pixels.reshaped([1] + pixels.shape))  // one clip of T frames
            return (out.videoEmbeds.reshaped([out.videoEmbeds.count]), out.frameEmbeds)
        case .stas(let m):
            let out = try m.videoFeatures(pixels.reshaped([1] + pixels.shape))
            return (out.videoEmbeds.reshaped([out.videoEmbeds.count]), out.frameEmbeds)
        }
    }
}
