/// How `ModelFetcher` talks to the hub: where, with which token, and how patiently.
public struct HubConfiguration: Sendable, Equatable {
    /// The endpoint for repository names (URLs carry their own): `HF_ENDPOINT`, else this.
    public static let defaultEndpoint = "https://huggingface.co"

    /// The hub's base URL.
    public var endpoint: String
    /// Sent as `Authorization: Bearer TOKEN` to the hub (never to another host it redirects to),
    /// for gated and private repositories.
    public var token: String?
    /// Tries per request, the first included: a dropped connection, a read timeout or a 5xx/429
    /// answer is retried, a download resuming from the bytes it already has.
    public var maxAttempts: Int
    /// Seconds before the second try, doubled before each later one.
    public var retryDelay: Double
    /// Seconds allowed to open a connection.
    public var connectTimeout: Double
    /// Seconds the server may stay silent while a response is expected or streaming.
    public var readTimeout: Double

    public init(endpoint: String = Self.defaultEndpoint, token: String? = nil, maxAttempts: Int = 5,
                retryDelay: Double = 1, connectTimeout: Double = 30, readTimeout: Double = 60) {
        self.endpoint = endpoint
        self.token = token
        self.maxAttempts = max(1, maxAttempts)
        self.retryDelay = retryDelay
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// The configuration `huggingface_hub` would use: `HF_ENDPOINT` and `HF_TOKEN` from
    /// `environment` (an empty value counts as unset).
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(endpoint: value("HF_ENDPOINT") ?? Self.defaultEndpoint, token: value("HF_TOKEN"))
    }
}
