import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Outermost middleware: gives the request its id (the client's `X-Request-ID` when it is 1–128
/// characters of `A–Z a–z 0–9 - _ . :`, else a new UUID), works out the client's address, puts
/// both in the request's log metadata, and sends the id back in `X-Request-ID`.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let trustedProxies: [IPAddressRange]

    static let header = HTTPField.Name("X-Request-ID")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[Self.header].flatMap { Self.isAcceptable($0) ? $0 : nil } ?? UUID().uuidString.lowercased()
        context.requestID = id
        context.clientAddress = ClientAddress.resolve(peer: context.remoteAddress?.ipAddress,
                                                      forwardedFor: request.headers[values: Self.forwardedFor],
                                                      trusted: trustedProxies)
        context.logger[metadataKey: "request_id"] = .string(id)
        context.logger[metadataKey: "client"] = .string(context.clientAddress)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.:".unicodeScalars.contains($0))
        }
    }
}
