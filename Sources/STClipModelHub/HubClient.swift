import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// GET requests to a hub over AsyncHTTPClient, with redirects followed by hand so that the token
/// goes only to the hub's own origin (the hub sends large files through a content server on
/// another host, which must not see it).
final class HubClient: Sendable {
    /// The hub's `scheme://host:port`, the only origin the token is sent to.
    private let tokenOrigin: String?
    private let token: String?
    private let client: HTTPClient

    /// Redirects followed per request before giving up.
    static let maxRedirects = 10

    /// A client for the hub at `endpoint`; `token` is sent only when `endpoint` is on the same
    /// origin as `tokenEndpoint` (`HF_ENDPOINT`), so a URL naming another host never receives it.
    init(endpoint: String, token: String?, tokenEndpoint: String, configuration: HubConfiguration) {
        let origin = Self.origin(of: endpoint)
        if let token, origin != nil, origin == Self.origin(of: tokenEndpoint) {
            self.token = token
            tokenOrigin = origin
        } else {
            self.token = nil
            tokenOrigin = nil
        }
        var http = HTTPClient.Configuration()
        http.redirectConfiguration = .disallow
        http.timeout = .init(connect: .milliseconds(Int64(configuration.connectTimeout * 1000)),
                             read: .milliseconds(Int64(configuration.readTimeout * 1000)))
        http.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Closes the connection pool; call once, after the last response body has been read.
    func shutdown() async {
        try? await client.shutdown()
    }

    /// The final response to `GET url` after redirects, asking for the bytes from `offset` on
    /// when it is positive, and the URL that gave it. The body is still to be read.
    ///
    /// - Throws: `.network` when a request cannot be sent or its head not received;
    ///   `.httpStatus` for a redirect without a usable `Location` or past `maxRedirects`.
    func get(_ url: String, from offset: Int = 0) async throws(ModelFetchError) -> (response: HTTPClientResponse, url: String) {
        var current = url
        var lastStatus = 0
        for _ in 0...Self.maxRedirects {
            var request = HTTPClientRequest(url: current)
            request.method = .GET
            request.headers.add(name: "User-Agent", value: "stclip")
            request.headers.add(name: "Accept-Encoding", value: "identity")
            if offset > 0 { request.headers.add(name: "Range", value: "bytes=\(offset)-") }
            if let token, let tokenOrigin, Self.origin(of: current) == tokenOrigin {
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
            }
            let response: HTTPClientResponse
            do {
                // No overall deadline: a model's weights may take long; the read timeout catches a stall.
                response = try await client.execute(request, deadline: .distantFuture)
            } catch {
                throw .network(url: current, reason: Self.describe(error))
            }
            guard [301, 302, 303, 307, 308].contains(response.status.code) else { return (response, current) }
            // A redirect's body is never used; reading it (and ignoring its failures) lets the connection be reused.
            _ = try? await response.body.collect(upTo: 1 << 16)
            guard let location = response.headers.first(name: "Location"),
                  let next = URL(string: location, relativeTo: URL(string: current))?.absoluteURL.absoluteString,
                  Self.origin(of: next) != nil else {
                throw .httpStatus(url: current, status: Int(response.status.code), hint: "a redirect without a usable Location")
            }
            current = next
            lastStatus = Int(response.status.code)
        }
        throw .httpStatus(url: current, status: lastStatus, hint: "more than \(Self.maxRedirects) redirects from \(url)")
    }

    /// The whole body of `GET url`, which must answer 200, up to `limit` bytes, with the
    /// response's headers and the URL that gave it.
    ///
    /// - Throws: `.httpStatus` for any other status; `.network` when the body breaks off;
    ///   `.badListing` when it is over `limit`.
    func getData(_ url: String, limit: Int = 64 << 20) async throws(ModelFetchError) -> (data: Data, headers: HTTPHeaders, url: String) {
        let (response, finalURL) = try await get(url)
        guard response.status.code == 200 else { throw statusError(response, url: finalURL) }
        do {
            let buffer = try await response.body.collect(upTo: limit)
            return (Data(buffer.readableBytesView), response.headers, finalURL)
        } catch let error as NIOTooManyBytesError {
            throw .badListing(url: finalURL, reason: "more than \(limit) bytes (\(error))")
        } catch {
            throw .network(url: finalURL, reason: Self.describe(error))
        }
    }

    /// `.httpStatus` for `response`, with the hub's own explanation (`X-Error-Message`, as
    /// `huggingface_hub` reports it) or else what the status usually means here.
    func statusError(_ response: HTTPClientResponse, url: String) -> ModelFetchError {
        let status = Int(response.status.code)
        var hint: String?
        if let message = response.headers.first(name: "X-Error-Message"), !message.isEmpty {
            hint = message
        } else {
            switch status {
            case 401: hint = token != nil ? "HF_TOKEN was not accepted" : "private or gated repository: set HF_TOKEN"
            case 403: hint = "access denied: a gated model needs its terms accepted on the hub, and HF_TOKEN set"
            case 404: hint = "no such repository, revision or file"
            case 429: hint = "rate limited: try again later"
            default: hint = nil
            }
        }
        return .httpStatus(url: url, status: status, hint: hint)
    }

    /// The `rel="next"` URL of a `Link` header (`<URL>; rel="next", …`), how the hub pages a
    /// long listing.
    static func nextLink(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = fields.first, target.hasPrefix("<"), target.hasSuffix(">"),
                  fields.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" || $0 == "rel=next" }) else { continue }
            return String(target.dropFirst().dropLast())
        }
        return nil
    }

    /// Whether a request that got `status` may succeed when tried again.
    static func isTransient(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// The transport's message for `error`: AsyncHTTPClient's short text, else the error itself.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return error.shortDescription.lowercased() }
        return String(describing: error)
    }

    /// `scheme://host:port` of `url` with the scheme's default port filled in, lower-cased; nil
    /// unless it is an absolute http or https URL.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host?.lowercased(), !host.isEmpty else { return nil }
        return "\(scheme)://\(host):\(components.port ?? (scheme == "https" ? 443 : 80))"
    }
}
