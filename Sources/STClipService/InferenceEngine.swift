import STClipModels
import STClipRuntime
import STClipVideo

/// The model behind the service: decoding a video, embedding class texts, scoring. Every
/// method blocks and runs on a `WorkerPool` worker, never on an event loop.
public protocol InferenceEngine: Sendable {
    var info: ModelInfo { get }
    /// Decodes `video` and preprocesses the sampled frames into the model's input. Decoding
    /// stops with `VideoError.timedOut` after `timeBudget` seconds.
    func sample(_ video: VideoSource, options: SamplingOptions, timeBudget: Double) throws -> VideoSample
    /// Each text's embedding, unnormalised (`get_text_features`), `info.embeddingDimension` wide.
    func textEmbeddings(_ texts: [String]) throws -> [[Float]]
    /// The key under which the class embedding of `definition` in `mode` is stored: it changes
    /// whenever the texts the embedding averages change, and records the mode those texts really
    /// are (a class without descriptions in the `descriptions` or `all` mode is a `templates` one).
    func embeddingKey(for definition: ClassDefinition, mode: ClassEmbeddingMode) -> String
    /// Each class's embedding in `mode`: the mean direction of its texts' embeddings at the scale
    /// of one text embedding (`ClassEmbeddings.scaledTensor`), one row per class.
    func classEmbeddings(_ classes: [ClassDefinition], mode: ClassEmbeddingMode) throws -> [[Float]]
    /// The `topK` best of `labels` for `video`, given each label's class embedding.
    func classify(_ video: VideoSample, labels: [String], embeddings: [[Float]], topK: Int) throws -> [RankedLabel]
}

/// What clients are told about the served model.
public struct ModelInfo: Sendable, Equatable {
    /// A digest of the checkpoint's files; stored embeddings are keyed by it.
    public var id: String
    /// `model_type` from `config.json`: `clip`, `xclip` or `stas-clip`.
    public var type: String
    /// Width of the joint embedding space.
    public var embeddingDimension: Int
    /// Frames per clip when the request does not say.
    public var defaultFrames: Int
    /// The only frame count the model takes, for models whose temporal layers are sized to it.
    public var fixedFrames: Int?

    public init(id: String, type: String, embeddingDimension: Int, defaultFrames: Int, fixedFrames: Int?) {
        self.id = id
        self.type = type
        self.embeddingDimension = embeddingDimension
        self.defaultFrames = defaultFrames
        self.fixedFrames = fixedFrames
    }
}

/// A video decoded and preprocessed for the model, with what the client is told about it.
public struct VideoSample: Sendable {
    /// `(V, T, 3, S, S)` model input.
    public var pixels: Tensor
    /// Per view, the sampled times in seconds.
    public var views: [ViewTimestamps]
    public var video: VideoSummary
    /// Seconds spent opening, demuxing, decoding and preprocessing.
    public var decodeSeconds: Double

    public init(pixels: Tensor, views: [ViewTimestamps], video: VideoSummary, decodeSeconds: Double) {
        self.pixels = pixels
        self.views = views
        self.video = video
        self.decodeSeconds = decodeSeconds
    }
}

/// One view (temporal clip × spatial crop) and the presentation times of its frames.
public struct ViewTimestamps: Sendable, Equatable, Codable {
    public var clip: Int
    public var crop: Int
    /// Seconds on the video's clock of the frames the model saw, in order.
    public var timestamps: [Double]

    public init(clip: Int, crop: Int, timestamps: [Double]) {
        self.clip = clip
        self.crop = crop
        self.timestamps = timestamps
    }
}

/// The decoded video's properties, as reported to the client.
public struct VideoSummary: Sendable, Equatable, Codable {
    public var codec: String
    public var width: Int
    public var height: Int
    public var duration: Double
    public var frameCount: Int

    enum CodingKeys: String, CodingKey {
        case codec, width, height
        case duration = "duration_seconds"
        case frameCount = "frame_count"
    }

    public init(codec: String, width: Int, height: Int, duration: Double, frameCount: Int) {
        self.codec = codec
        self.width = width
        self.height = height
        self.duration = duration
        self.frameCount = frameCount
    }
}

/// One label of a classification, best first.
public struct RankedLabel: Sendable, Equatable, Codable {
    public var label: String
    /// Softmax probability over the label set (averaged over views); sums to 1 over all labels.
    public var score: Float
    /// Cosine similarity between the video and the label's class embedding in the joint space
    /// (averaged over views), in [-1, 1]: the model's logit divided by its logit scale.
    public var similarity: Float

    public init(label: String, score: Float, similarity: Float) {
        self.label = label
        self.score = score
        self.similarity = similarity
    }
}
