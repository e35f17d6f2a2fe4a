/// `POST /v1/classify`.
struct ClassificationDocument: Encodable, Sendable {
    struct LabelSetReference: Encodable, Sendable {
        var name: String
        var version: Int
    }

    struct Timings: Encodable, Sendable {
        var queue: Double
        var decode: Double
        var inference: Double
        var total: Double
    }

    var requestID: String
    var model: ModelDocument
    var labelset: LabelSetReference
    var topK: [RankedLabel]
    var frames: Int
    var views: String
    /// Per view (temporal clip × spatial crop), the presentation times of the frames used.
    var sampled: [ViewTimestamps]
    var video: VideoSummary
    var timingsMS: Timings

    enum CodingKeys: String, CodingKey {
        case model, labelset, frames, views, sampled, video
        case requestID = "request_id"
        case topK = "top_k"
        case timingsMS = "timings_ms"
    }
}
