import Foundation
import Hummingbird
import STClipVideo

/// Turns the errors of every layer into the problem the client is sent. Errors that are not the
/// client's doing become a generic 500 whose detail points at the log; the log has the error.
enum ErrorMapping {
    /// The problem to send, and whether the error is the server's fault (to be logged as such).
    static func problem(for error: any Error) -> (error: ServiceError, serverFault: Bool) {
        switch error {
        case let error as ServiceError:
            return (error, error.type.status.code >= 500 && error.type != .queueFull && error.type != .draining && error.type != .notReady)
        case let error as WorkerPoolError:
            switch error {
            case let .queueFull(retryAfter):
                return (.unavailable(.queueFull, "all workers are busy and the queue is full; retry later", retryAfter: retryAfter), false)
            case .deadlineExceeded:
                return (.unavailable(.deadlineExceeded, "the request did not finish within the service's deadline", retryAfter: 1), false)
            case .clientGone, .abandoned:
                return (ServiceError(.badRequest, "the client went away"), false)
            }
        case let error as VideoError:
            return video(error)
        case let error as LabelStoreError:
            switch error {
            case let .labelSetNotFound(name): return (ServiceError(.labelSetNotFound, "no label set named '\(name)'"), false)
            case let .labelNotFound(set, label): return (ServiceError(.labelNotFound, "label set '\(set)' has no label '\(label)'"), false)
            case let .preconditionFailed(current):
                let detail = current.map { "the label set is at version \($0) (ETag \"\($0)\")" } ?? "the label set does not exist"
                return (ServiceError(.preconditionFailed, detail), false)
            case .unavailable:
                return (.unavailable(.storeUnavailable, "the label store cannot be reached", retryAfter: 5), true)
            case .corrupt:
                return (ServiceError(.internalError, "the label store holds data it cannot read; the server log has details"), true)
            }
        case let error as HTTPError:
            return (http(error), error.status.code >= 500)
        case let error as DecodingError:
            return (ServiceError(.invalidBody, RequestBodies.explain(error)), false)
        default:
            return (ServiceError(.internalError, "the request failed inside the server; the server log has details under this request id"), true)
        }
    }

    private static func video(_ error: VideoError) -> (ServiceError, Bool) {
        switch error {
        case .notAVideo, .unsupportedContainer, .noVideoStream, .unsupportedCodec, .corrupt, .tooLong:
            return (ServiceError(.unprocessableVideo, error.description), false)
        case .tooLarge:
            return (ServiceError(.videoTooLarge, error.description), false)
        case .timedOut:
            return (.unavailable(.deadlineExceeded, "decoding the video did not finish within the request's time", retryAfter: 1), false)
        case let .invalidRequest(detail):
            return (ServiceError(.invalidParameter, detail), false)
        case .io, .ffmpeg:
            return (ServiceError(.internalError, "decoding failed inside the server; the server log has details under this request id"), true)
        }
    }

    private static func http(_ error: HTTPError) -> ServiceError {
        let detail = error.body ?? HTTPResponse.Status(code: error.status.code).reasonPhrase
        switch error.status {
        case .notFound: return ServiceError(.notFound, "no such resource")
        case .contentTooLarge: return ServiceError(.payloadTooLarge, "the request body is too large")
        case .unsupportedMediaType: return ServiceError(.unsupportedMediaType, detail)
        case .methodNotAllowed: return ServiceError(.methodNotAllowed, detail)
        case .unauthorized: return ServiceError(.unauthorized, detail)
        case .forbidden: return ServiceError(.forbidden, detail)
        default:
            return error.status.code < 500 ? ServiceError(.badRequest, detail) : ServiceError(.internalError, "the request failed inside the server")
        }
    }
}
