import HTTPTypes

/// The kinds of failure the API reports, each with its RFC 9457 `type` URI, title and status.
///
/// The URIs are URNs: they name the problem and are not meant to be fetched. `openapi.yaml`
/// lists every one of them.
public enum ProblemType: String, Sendable, CaseIterable {
    case badRequest = "bad-request"
    case invalidParameter = "invalid-parameter"
    case invalidBody = "invalid-body"
    case unauthorized = "unauthorized"
    case forbidden = "forbidden"
    case notFound = "not-found"
    case methodNotAllowed = "method-not-allowed"
    case labelSetNotFound = "label-set-not-found"
    case labelNotFound = "label-not-found"
    case labelSetReadOnly = "label-set-read-only"
    case labelSetEmpty = "label-set-empty"
    case preconditionFailed = "precondition-failed"
    case payloadTooLarge = "payload-too-large"
    case unsupportedMediaType = "unsupported-media-type"
    case unprocessableVideo = "unprocessable-video"
    case videoTooLarge = "video-too-large"
    case unsupportedFrames = "unsupported-frames"
    case queueFull = "queue-full"
    case deadlineExceeded = "deadline-exceeded"
    case notReady = "not-ready"
    case draining = "draining"
    case storeUnavailable = "store-unavailable"
    case internalError = "internal-error"

    /// `urn:stclip:problem:<name>`.
    public var uri: String { "urn:stclip:problem:" + rawValue }

    /// The HTTP status this kind of problem is sent with.
    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest, .invalidParameter: return .badRequest
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound, .labelSetNotFound, .labelNotFound: return .notFound
        case .methodNotAllowed: return .methodNotAllowed
        case .labelSetReadOnly: return .conflict
        case .preconditionFailed: return .preconditionFailed
        case .payloadTooLarge, .videoTooLarge: return .contentTooLarge
        case .unsupportedMediaType: return .unsupportedMediaType
        case .invalidBody, .unprocessableVideo, .unsupportedFrames, .labelSetEmpty: return .unprocessableContent
        case .queueFull, .deadlineExceeded, .notReady, .draining, .storeUnavailable: return .serviceUnavailable
        case .internalError: return .internalServerError
        }
    }

    /// A short, fixed, human-readable summary (RFC 9457 `title`).
    public var title: String {
        switch self {
        case .badRequest: return "Bad request"
        case .invalidParameter: return "Invalid parameter"
        case .invalidBody: return "Invalid request body"
        case .unauthorized: return "Authentication required"
        case .forbidden: return "Key lacks the required scope"
        case .notFound: return "Not found"
        case .methodNotAllowed: return "Method not allowed"
        case .labelSetNotFound: return "Label set not found"
        case .labelNotFound: return "Label not found"
        case .labelSetReadOnly: return "Label set is read-only"
        case .labelSetEmpty: return "Label set has no labels"
        case .preconditionFailed: return "Label set version does not match"
        case .payloadTooLarge: return "Request body too large"
        case .unsupportedMediaType: return "Unsupported media type"
        case .unprocessableVideo: return "Video cannot be processed"
        case .videoTooLarge: return "Video exceeds a limit"
        case .unsupportedFrames: return "Frame count not supported by the model"
        case .queueFull: return "Inference queue is full"
        case .deadlineExceeded: return "Request deadline exceeded"
        case .notReady: return "Service not ready"
        case .draining: return "Service is shutting down"
        case .storeUnavailable: return "Label store unavailable"
        case .internalError: return "Internal error"
        }
    }
}
