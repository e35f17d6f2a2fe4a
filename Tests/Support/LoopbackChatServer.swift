import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1 (an ephemeral port, loopback only) that answers every
/// request with `respond`, one thread per connection, so that a test can play a chat-completions
/// endpoint that answers, fails, stalls or talks nonsense. Shared by the prompt and service tests.
public final class LoopbackChatServer: @unchecked Sendable {
    public struct Request: Sendable {
        public let method: String
        public let path: String
        public let headers: [String: String]   // lower-cased names
        public let body: Data

        /// The `content` of the last message of a chat-completions request body: the question asked.
        public var question: String? {
            let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            return (object?["messages"] as? [[String: Any]])?.last?["content"] as? String
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        /// Seconds to wait before answering.
        public var delay: Double = 0

        public init(status: Int, body: Data, delay: Double = 0) {
            self.status = status
            self.body = body
            self.delay = delay
        }

        /// A chat completion whose first choice says `content`.
        public static func completion(_ content: String) -> Response {
            let json: [String: Any] = ["id": "chatcmpl-test", "object": "chat.completion",
                                       "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]]]
            return Response(status: 200, body: try! JSONSerialization.data(withJSONObject: json))
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let respond: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var received: [Request] = []   // guarded by `lock`
    private var answering = 0              // requests read and not yet answered; guarded by `lock`
    private var mostAnswering = 0          // the largest `answering` seen; guarded by `lock`

    public init(respond: @escaping @Sendable (Request) -> Response) throws {
        self.respond = respond
        #if canImport(Glibc)
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        listener = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard listener >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = listener
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The base URL a client should use: `http://127.0.0.1:<port>/v1`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    /// The requests received so far.
    public var requests: [Request] { lock.withLock { received } }

    /// The most requests that were being answered at once (a client's concurrency).
    public var mostConcurrentRequests: Int { lock.withLock { mostAnswering } }

    /// Stops accepting connections; `accept` returns once the socket is shut down.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        func readMore() -> Bool {
            let n = recv(connection, &chunk, chunk.count, 0)
            guard n > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil { guard readMore() else { return } }
        let headerEnd = buffer.range(of: separator)!
        let lines = String(decoding: buffer[..<headerEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ").map(String.init)
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count - headerEnd.upperBound < length { guard readMore() else { return } }
        let request = Request(method: requestLine[0], path: requestLine[1], headers: headers,
                              body: buffer[headerEnd.upperBound..<(headerEnd.upperBound + length)])
        lock.withLock {
            received.append(request)
            answering += 1
            mostAnswering = max(mostAnswering, answering)
        }
        defer { lock.withLock { answering -= 1 } }
        let response = respond(request)
        if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
        var out = Data("HTTP/1.1 \(response.status) Status\r\nContent-Type: application/json\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n\r\n".utf8)
        out.append(response.body)
        // MSG_NOSIGNAL: the client may have given up (the timeout test), and a SIGPIPE would end the test run.
        _ = out.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
