import Dispatch
import Hummingbird
import Logging
import NIOCore

/// Per-request state shared by the middleware and the handlers: the request id, the client's
/// address (after trusted proxies), the key's scopes, and whether the client is still connected.
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the TCP connection (a proxy, when one is in front).
    public let remoteAddress: SocketAddress?
    /// `X-Request-ID` as sent by the client when well-formed, else one generated here.
    public var requestID: String = ""
    /// The client's address: the peer, or the first untrusted hop of `X-Forwarded-For` when the
    /// peer is a trusted proxy.
    public var clientAddress: String = ""
    /// `DispatchTime.now().uptimeNanoseconds` when the request reached the service.
    public var arrival: UInt64 = DispatchTime.now().uptimeNanoseconds
    /// The scopes the request's API key carries (all of them when authentication is off).
    public var scopes: Set<APIScope> = []
    private let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        remoteAddress = source.channel.remoteAddress
    }

    /// Request bodies are read explicitly by each handler with its own limit.
    public var maxUploadSize: Int { 8 << 20 }

    /// A check that tells, from any thread, whether the client has closed its connection, so
    /// that queued work for it can be dropped. Always false where the channel has no
    /// `ConnectionMonitor` (in-process tests).
    public func clientGone() async -> @Sendable () -> Bool {
        guard let monitor = try? await channel.pipeline.handler(type: ConnectionMonitor.self).get() else { return { false } }
        return { monitor.isClosed }
    }
}
