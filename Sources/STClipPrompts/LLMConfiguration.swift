import Foundation

/// Where the OpenAI-compatible chat-completions endpoint is and how to call it.
public struct LLMConfiguration: Sendable, Equatable {
    /// The API root, e.g. `https://api.openai.com/v1`; requests go to `<baseURL>/chat/completions`.
    public var baseURL: URL
    /// The `model` field of each request.
    public var model: String
    /// Sent as `Authorization: Bearer <apiKey>` when present.
    public var apiKey: String?
    /// Seconds for the whole request, connection to last byte.
    public var timeout: Double

    /// The timeout when `STCLIP_LLM_TIMEOUT` is unset: long enough for a few sentences from a hosted
    /// model, short enough that a request registering a class is not held up for long.
    public static let defaultTimeout = 20.0

    public init(baseURL: URL, model: String, apiKey: String? = nil, timeout: Double = LLMConfiguration.defaultTimeout) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
    }

    /// Reads `STCLIP_LLM_BASE_URL`, `STCLIP_LLM_MODEL`, `STCLIP_LLM_API_KEY` and `STCLIP_LLM_TIMEOUT`
    /// (seconds). Nil when no base URL is set; an error when what is set cannot be used.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ExpansionFailure) -> LLMConfiguration? {
        guard let base = environment["STCLIP_LLM_BASE_URL"], !base.isEmpty else { return nil }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw .invalidConfiguration(detail: "STCLIP_LLM_BASE_URL \"\(base)\" is not an http(s) URL")
        }
        guard let model = environment["STCLIP_LLM_MODEL"], !model.isEmpty else {
            throw .invalidConfiguration(detail: "STCLIP_LLM_MODEL is not set (the model name the endpoint expects)")
        }
        var timeout = defaultTimeout
        if let text = environment["STCLIP_LLM_TIMEOUT"] {
            guard let t = Double(text), t > 0, t.isFinite else {
                throw .invalidConfiguration(detail: "STCLIP_LLM_TIMEOUT \"\(text)\" is not a positive number of seconds")
            }
            timeout = t
        }
        let key = environment["STCLIP_LLM_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return LLMConfiguration(baseURL: url, model: model, apiKey: key, timeout: timeout)
    }
}
