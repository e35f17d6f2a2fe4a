import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal client of an OpenAI-compatible `POST /chat/completions` endpoint: one system and one
/// user message in, the first choice's text out.
public struct ChatCompletionsClient: Sendable {
    public let configuration: LLMConfiguration

    public init(configuration: LLMConfiguration) {
        self.configuration = configuration
    }

    private struct Request: Encodable {
        struct Message: Encodable {
            let role: String
            let content: String
        }
        let model: String
        let messages: [Message]
        let temperature: Double
        let max_tokens: Int
    }

    private struct Response: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { let content: String? }
            let message: Message
        }
        let choices: [Choice]
    }

    /// The endpoint's answer to `user` after `system`. Low temperature: descriptions should be the
    /// model's most likely account of the action, not a creative one.
    public func complete(system: String, user: String) async throws(ExpansionFailure) -> String {
        let url = configuration.baseURL.appendingPathComponent("chat/completions")
        var request = URLRequest(url: url, timeoutInterval: configuration.timeout.rounded(.up) + 5)  // see send(_:)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key = configuration.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        do {
            request.httpBody = try JSONEncoder().encode(Request(
                model: configuration.model,
                messages: [.init(role: "system", content: system), .init(role: "user", content: user)],
                temperature: 0.2, max_tokens: 400))
        } catch {
            throw .malformedResponse(detail: "cannot encode the request: \(error)")
        }
        let (data, response) = try await send(request).get()
        guard let http = response as? HTTPURLResponse else { throw .malformedResponse(detail: "not an HTTP response") }
        guard (200..<300).contains(http.statusCode) else {
            throw .httpStatus(code: http.statusCode, body: String(decoding: data.prefix(300), as: UTF8.self))
        }
        let decoded: Response
        do { decoded = try JSONDecoder().decode(Response.self, from: data) } catch {
            throw .malformedResponse(detail: "\(error)")
        }
        guard let content = decoded.choices.first?.message.content else {
            throw .malformedResponse(detail: "no choices[0].message.content")
        }
        return content
    }

    /// Sends `request`, answering with `.timedOut` once `configuration.timeout` has passed. The deadline
    /// is kept here rather than by URLSession because swift-corelibs-foundation rounds its timeouts
    /// down to whole seconds (0.5 s would time out at once); URLSession's own timeouts are set past ours.
    private func send(_ request: URLRequest) async -> Result<(Data, URLResponse), ExpansionFailure> {
        let timeout = configuration.timeout
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = timeout.rounded(.up) + 5
        sessionConfiguration.timeoutIntervalForResource = timeout.rounded(.up) + 5
        let session = URLSession(configuration: sessionConfiguration)
        defer { session.finishTasksAndInvalidate() }
        return await withCheckedContinuation { continuation in
            let outcome = Outcome(continuation)
            let task = session.dataTask(with: request) { data, response, error in
                if let error {
                    outcome.finish(.failure((error as? URLError)?.code == .timedOut ? .timedOut(seconds: timeout)
                                                                                   : .transport(detail: error.localizedDescription)))
                } else if let data, let response {
                    outcome.finish(.success((data, response)))
                } else {
                    outcome.finish(.failure(.malformedResponse(detail: "no response")))
                }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [task] in
                outcome.finish(.failure(.timedOut(seconds: timeout)))
                task.cancel()
            }
            task.resume()
        }
    }

    /// Resumes a continuation with whichever of the answer and the deadline comes first.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Result<(Data, URLResponse), ExpansionFailure>, Never>?  // guarded by `lock`

        init(_ continuation: CheckedContinuation<Result<(Data, URLResponse), ExpansionFailure>, Never>) {
            self.continuation = continuation
        }

        func finish(_ result: Result<(Data, URLResponse), ExpansionFailure>) {
            let waiting: CheckedContinuation<Result<(Data, URLResponse), ExpansionFailure>, Never>? = lock.withLock {
                defer { continuation = nil }
                return continuation
            }
            waiting?.resume(returning: result)
        }
    }
}
