import NIOCore
import Synchronization

/// Notes when the client closes its side of the connection. Hummingbird allows half-closed
/// connections, so the channel stays active after the client hangs up; this handler sees the
/// end of input, and the worker pool asks it before starting a queued job.
final class ConnectionMonitor: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny
    private let closed = Atomic<Bool>(false)

    var isClosed: Bool { closed.load(ordering: .relaxed) }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { closed.store(true, ordering: .relaxed) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed.store(true, ordering: .relaxed)
        context.fireChannelInactive()
    }
}
