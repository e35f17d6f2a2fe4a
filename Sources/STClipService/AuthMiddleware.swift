import Crypto
import Foundation
import Hummingbird

/// API keys sent as `Authorization: Bearer <key>`. A route accepts some scopes; a scope with no
/// keys configured is open. No key or an unknown key → 401 with `WWW-Authenticate`; a known
/// key without an accepted scope → 403.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let keys: APIKeys
    let accepts: Set<APIScope>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if accepts.contains(where: keys.isOpen) { return try await next(request, context) }
        let wanted = accepts.map(\.rawValue).sorted().joined(separator: " ")
        guard let header = request.headers[.authorization] else {
            throw ServiceError(.unauthorized, "send an API key as Authorization: Bearer <key>",
                               headers: [.wwwAuthenticate: "Bearer realm=\"stclip\", scope=\"\(wanted)\""])
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ServiceError(.unauthorized, "the Authorization header must use the Bearer scheme",
                               headers: [.wwwAuthenticate: "Bearer realm=\"stclip\", error=\"invalid_request\""])
        }
        let scopes = keys.scopes(of: String(parts[1]).trimmingWhitespace())
        guard !scopes.isEmpty else {
            throw ServiceError(.unauthorized, "the API key is not valid",
                               headers: [.wwwAuthenticate: "Bearer realm=\"stclip\", error=\"invalid_token\""])
        }
        guard !scopes.isDisjoint(with: accepts) else {
            throw ServiceError(.forbidden, "the API key lacks the scope this endpoint needs (\(wanted))",
                               headers: [.wwwAuthenticate: "Bearer realm=\"stclip\", error=\"insufficient_scope\", scope=\"\(wanted)\""])
        }
        var context = context
        context.scopes = scopes
        return try await next(request, context)
    }
}

/// The configured keys per scope, held as SHA-256 digests and compared in constant time.
struct APIKeys: Sendable {
    private let digests: [APIScope: [Data]]

    init(_ keys: [APIScope: [String]]) {
        digests = keys.mapValues { $0.map { Data(SHA256.hash(data: Data($0.utf8))) } }
    }

    /// Whether `scope` has no keys, and so needs none.
    func isOpen(_ scope: APIScope) -> Bool { digests[scope]?.isEmpty ?? true }

    /// Every scope `key` belongs to.
    func scopes(of key: String) -> Set<APIScope> {
        let digest = Data(SHA256.hash(data: Data(key.utf8)))
        var out = Set<APIScope>()
        for (scope, list) in digests {
            // Check every key, so that timing does not tell which (or whether one) matched.
            var match = false
            for candidate in list { match = Self.equal(candidate, digest) || match }
            if match { out.insert(scope) }
        }
        return out
    }

    private static func equal(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
