import Foundation
import Hummingbird
import MultipartKit

/// Reading request bodies under a size limit, with the media type checked first: JSON documents
/// for the label and embedding endpoints, raw or multipart video for classification.
enum RequestBodies {
    /// Largest JSON body (a 1000-label set with descriptions fits).
    static let jsonLimit = 8 << 20

    /// Decodes a JSON body: 415 unless `application/json`, 413 past the limit, 400 when it is
    /// not JSON, 422 when it is JSON of the wrong shape.
    static func json<T: Decodable>(_ type: T.Type, from request: inout Request, limit: Int) async throws -> T {
        let mediaType = HeaderValue(request.headers[.contentType] ?? "").value
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw ServiceError(.unsupportedMediaType, "expected Content-Type application/json, got '\(mediaType.isEmpty ? "none" : mediaType)'")
        }
        let buffer = try await collect(&request, limit: min(limit, jsonLimit))
        let data = Data(buffer.readableBytesView)
        guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else {
            throw ServiceError(.badRequest, "the body is not valid JSON")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw ServiceError(.invalidBody, Self.explain(error))
        }
    }

    /// The uploaded video: the whole body for `video/*` and `application/octet-stream`, or the
    /// `file` part of `multipart/form-data`; 415 for any other media type, 413 past `limit`,
    /// 400 for an empty upload or a malformed multipart body.
    static func video(from request: inout Request, limit: Int) async throws -> Data {
        let contentType = HeaderValue(request.headers[.contentType] ?? "")
        let isRaw = contentType.value.hasPrefix("video/") && contentType.value.count > 6 || contentType.value == "application/octet-stream"
        guard isRaw || contentType.value == "multipart/form-data" else {
            throw ServiceError(.unsupportedMediaType, "send the video as video/*, application/octet-stream or multipart/form-data "
                               + "with a 'file' part; got '\(contentType.value.isEmpty ? "no Content-Type" : contentType.value)'")
        }
        let buffer = try await collect(&request, limit: limit)
        let video: Data
        if isRaw {
            video = Data(buffer.readableBytesView)
        } else {
            guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty, boundary.count <= 70 else {
                throw ServiceError(.badRequest, "multipart/form-data without a boundary parameter")
            }
            video = try filePart(of: buffer, boundary: boundary)
        }
        guard !video.isEmpty else { throw ServiceError(.badRequest, "the uploaded video is empty") }
        return video
    }

    /// Collects the body, refusing early on a `Content-Length` over the limit.
    private static func collect(_ request: inout Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ServiceError(.payloadTooLarge, "the body has \(length) bytes; the limit is \(limit)")
        }
        do { return try await request.collectBody(upTo: limit) } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ServiceError(.payloadTooLarge, "the body exceeds the limit of \(limit) bytes")
        }
    }

    /// The body of the part named `file`.
    private static func filePart(of buffer: ByteBuffer, boundary: String) throws(ServiceError) -> Data {
        let parser = MultipartParser(boundary: boundary)
        var name: String?, isFile = false, found = false
        var file = ByteBuffer()
        parser.onHeader = { field, value in
            if field.lowercased() == "content-disposition" { name = HeaderValue(value).parameters["name"] }
            isFile = name == "file" && !found
        }
        parser.onBody = { chunk in if isFile { file.writeBuffer(&chunk) } }
        parser.onPartComplete = {
            if isFile { found = true }
            isFile = false
            name = nil
        }
        do { try parser.execute(buffer) } catch {
            throw ServiceError(.badRequest, "malformed multipart/form-data body")
        }
        guard found else { throw ServiceError(.badRequest, "multipart/form-data body has no complete part named 'file'") }
        return Data(file.readableBytesView)
    }

    /// A client-facing account of a decoding failure: the JSON path and what was wrong.
    static func explain(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the document" : String(text.drop(while: { $0 == "." }))
        }
        switch error {
        case let .keyNotFound(key, context): return "\(path(context.codingPath + [key])): required"
        case let .typeMismatch(type, context): return "\(path(context.codingPath)): expected \(jsonName(type))"
        case let .valueNotFound(type, context): return "\(path(context.codingPath)): expected \(jsonName(type)), got null"
        case let .dataCorrupted(context): return "\(path(context.codingPath)): invalid value"
        @unknown default: return "the document does not have the expected shape"
        }
    }

    private static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is [Any].Type: return "an array"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
