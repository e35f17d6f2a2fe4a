import Foundation
import Hummingbird

/// The label set endpoints under `/v1/labelsets`. Every response carrying a set has its
/// version as a strong ETag (`"3"`); changes honour `If-Match` (and `If-None-Match: *` on PUT).
struct LabelSetController {
    let core: ServiceCore

    func register(read: RouterGroup<ServiceRequestContext>, write: RouterGroup<ServiceRequestContext>) {
        read.get("/labelsets") { _, _ in try JSONResponse.make(LabelSetList(try await core.catalog.list())) }
        read.get("/labelsets/{name}") { _, context in
            let set = try await core.catalog.get(try Self.name(context))
            return try Self.response(set)
        }
        write.put("/labelsets/{name}") { request, context in
            let name = try Self.name(context)
            var request = request
            let body = try await RequestBodies.json(LabelSetBody.self, from: &request, limit: core.configuration.maxBodyBytes)
            let registered = try await core.putLabelSet(name, labels: body.labels, mode: body.embeddingMode ?? .name,
                                                        precondition: try Self.precondition(request),
                                                        ticket: core.ticket(start: context.arrival, clientGone: await context.clientGone()))
            return try Self.response(registered.set, sources: registered.sources, status: registered.created ? .created : .ok,
                                     location: registered.created)
        }
        write.delete("/labelsets/{name}") { request, context in
            try await core.deleteLabelSet(try Self.name(context), precondition: try Self.precondition(request, allowAbsent: false))
            return Response(status: .noContent)
        }
        write.post("/labelsets/{name}/labels") { request, context in
            let name = try Self.name(context)
            var request = request
            let entry = try await RequestBodies.json(LabelEntry.self, from: &request, limit: core.configuration.maxBodyBytes)
            let registered = try await core.putLabel(entry, inSet: name, precondition: try Self.precondition(request, allowAbsent: false),
                                                     ticket: core.ticket(start: context.arrival, clientGone: await context.clientGone()))
            return try Self.response(registered.set, sources: registered.sources, status: registered.created ? .created : .ok)
        }
        write.delete("/labelsets/{name}/labels/{label}") { request, context in
            let name = try Self.name(context)
            guard let label = context.parameters.get("label")?.removingPercentEncoding, !label.isEmpty else {
                throw ServiceError.invalidParameter("label", "not a percent-encoded label")
            }
            let set = try await core.deleteLabel(label, fromSet: name, precondition: try Self.precondition(request, allowAbsent: false))
            return try Self.response(set)
        }
    }

    private static func name(_ context: ServiceRequestContext) throws(ServiceError) -> String {
        guard let name = context.parameters.get("name")?.removingPercentEncoding else {
            throw ServiceError.invalidParameter("name", "not a percent-encoded label set name")
        }
        try LabelValidation.checkSetName(name)
        return name
    }

    /// The set as JSON with its ETag (and `Location` when just created); `sources` says where the
    /// descriptions of the labels just registered came from.
    private static func response(_ set: LabelSet, sources: [String: DescriptionSource] = [:], status: HTTPResponse.Status = .ok,
                                 location: Bool = false) throws -> Response {
        var headers: HTTPFields = [.eTag: "\"\(set.version)\""]
        if location { headers[.location] = "/v1/labelsets/" + (set.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? set.name) }
        return try JSONResponse.make(LabelSetDocument(set, sources: sources), status: status, headers: headers)
    }

    /// `If-Match: *` or a list of `"<version>"` tags, or `If-None-Match: *` where a set may be
    /// created. Weak tags never match (If-Match compares strongly), nor do tags that are not
    /// versions. With both headers nothing can match (the set would have to exist and not
    /// exist). `If-None-Match` other than `*` is a 400.
    static func precondition(_ request: Request, allowAbsent: Bool = true) throws(ServiceError) -> VersionPrecondition {
        let ifNoneMatch = request.headers[.ifNoneMatch].map { $0.trimmingWhitespace() }
        if let ifNoneMatch, !(allowAbsent && ifNoneMatch == "*") {
            throw ServiceError.invalidParameter("If-None-Match", allowAbsent ? "only '*' is supported" : "not supported here")
        }
        if let ifMatch = request.headers[.ifMatch] {
            let tags = ifMatch.split(separator: ",").map { $0.trimmingWhitespace() }
            if ifNoneMatch != nil { return .version([]) }
            if tags == ["*"] { return .exists }
            return .version(tags.compactMap { tag in
                guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { return nil }
                return Int(tag.dropFirst().dropLast())
            })
        }
        return ifNoneMatch == nil ? .none : .absent
    }
}
