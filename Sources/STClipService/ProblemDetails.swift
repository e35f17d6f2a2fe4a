import Foundation
import Hummingbird

/// An RFC 9457 problem document, sent as `application/problem+json`.
public struct ProblemDetails: Codable, Sendable, Equatable {
    /// `urn:stclip:problem:<name>` (see `ProblemType`).
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// The request path the problem occurred on.
    public var instance: String
    /// The request's `X-Request-ID`, as sent back in that header and written to the log.
    public var requestID: String

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance
        case requestID = "request_id"
    }

    public init(_ error: ServiceError, instance: String, requestID: String) {
        type = error.type.uri
        title = error.type.title
        status = Int(error.type.status.code)
        detail = error.detail
        self.instance = instance
        self.requestID = requestID
    }

    static let mediaType = "application/problem+json"

    /// The response: status, the error's headers, and this document as the body.
    func response(headers extra: HTTPFields) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain string and integer fields cannot fail.
        let body = (try? encoder.encode(self)) ?? Data()
        var headers = extra
        headers[.contentType] = Self.mediaType
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
