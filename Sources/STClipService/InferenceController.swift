import Hummingbird
import STClipVideo

/// `POST /v1/classify` and `POST /v1/embeddings/text`.
struct InferenceController {
    let core: ServiceCore

    static let maxFrames = 64
    static let maxTexts = 256
    static let maxTextLength = 2000

    func register(on group: RouterGroup<ServiceRequestContext>) {
        group.post("/classify") { request, context in try await classify(request, context) }
        group.post("/embeddings/text") { request, context in try await embedText(request, context) }
    }

    private func classify(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let labelset = query["labelset"].map(String.init) ?? core.catalog.defaultName, !labelset.isEmpty else {
            throw ServiceError.invalidParameter("labelset", "required: the name of the label set to rank (this model has no label set of its own)")
        }
        try LabelValidation.checkSetName(labelset)
        let topK = try Self.integer(query["top_k"], name: "top_k", range: 1...100) ?? 5
        var layout = ViewLayout.oneByOne
        if let views = query["views"] {
            switch views {
            case "1x1": layout = .oneByOne
            case "4x3": layout = .fourByThree
            default: throw ServiceError.invalidParameter("views", "'\(views.prefix(20))'; one of 1x1, 4x3")
            }
        }
        let engine = try core.readyEngine()
        let frames = try Self.integer(query["frames"], name: "frames", range: 1...Self.maxFrames) ?? engine.info.defaultFrames
        // A full queue refuses at once, before a large upload is read.
        try core.pool.checkAdmission()
        var request = request
        let video = try await RequestBodies.video(from: &request, limit: core.configuration.maxBodyBytes)
        let ticket = core.ticket(start: context.arrival, clientGone: await context.clientGone())
        let document = try await core.classify(video: video, labelSet: labelset, options: SamplingOptions(frames: frames, views: layout),
                                               topK: topK, ticket: ticket, arrival: context.arrival,
                                               requestID: context.requestID, logger: context.logger)
        return try JSONResponse.make(document)
    }

    private func embedText(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        var request = request
        let body = try await RequestBodies.json(TextEmbeddingsBody.self, from: &request, limit: core.configuration.maxBodyBytes)
        guard (1...Self.maxTexts).contains(body.texts.count) else {
            throw ServiceError(.invalidBody, "texts: 1 to \(Self.maxTexts) texts, got \(body.texts.count)")
        }
        for (i, text) in body.texts.enumerated() where text.unicodeScalars.count > Self.maxTextLength {
            throw ServiceError(.invalidBody, "texts[\(i)]: at most \(Self.maxTextLength) characters")
        }
        let ticket = core.ticket(start: context.arrival, clientGone: await context.clientGone())
        return try JSONResponse.make(try await core.embedTexts(body.texts, ticket: ticket))
    }

    /// An optional integer query parameter within `range`.
    static func integer(_ text: Substring?, name: String, range: ClosedRange<Int>) throws(ServiceError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ServiceError.invalidParameter(name, "'\(text.prefix(20))'; an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
