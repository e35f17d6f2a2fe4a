import Foundation
import NIOCore
import NIOHTTP1

/// One connection to `HubFixtureServer`: reads each request and writes the server's answer.
final class HubFixtureHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: HubFixtureServer?
    private var head: HTTPRequestHead?

    init(server: HubFixtureServer?) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head): self.head = head
        case .body: break
        case .end:
            guard let head, let server else { context.close(promise: nil); return }
            self.head = nil
            respond(server.answer(.init(method: head.method.rawValue, uri: head.uri, headers: head.headers)), context: context)
        }
    }

    private func respond(_ answer: HubFixtureServer.Answer, context: ChannelHandlerContext) {
        switch answer {
        case let .json(status, value, extra):
            let body = try! JSONSerialization.data(withJSONObject: value)
            var headers = extra
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: "\(body.count)")
            send(status, headers, body, context: context)
        case let .status(status, extra):
            var headers = extra
            headers.add(name: "Content-Length", value: "0")
            send(status, headers, Data(), context: context)
        case let .bytes(status, headers, body, cut, stall):
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            if stall {
                context.flush()
                return
            }
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            if cut {
                // The head promised more: closing now is a connection dropped mid-file.
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer())))).whenComplete { _ in bound.value.close(promise: nil) }
                return
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    private func send(_ status: HTTPResponseStatus, _ headers: HTTPHeaders, _ body: Data, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
