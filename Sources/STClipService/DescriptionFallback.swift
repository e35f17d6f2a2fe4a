import STClipPrompts

/// Why a class registered without descriptions got none from the language model, so that its
/// class embedding averages its prompt templates instead.
public enum DescriptionFallback: Sendable, Equatable, CustomStringConvertible {
    /// The language model was asked, or could not be (not configured), and failed thus.
    case failed(ExpansionFailure)
    /// Not asked: an earlier question of the same request failed thus at the endpoint (a
    /// timeout, an unreachable endpoint or an HTTP error), so the rest of the request's classes
    /// were not held up by it.
    case endpointFailing(ExpansionFailure)
    /// Not asked: the share of the request's time given to asking had run out.
    case outOfTime

    /// The API's short name for the reason (`fallback_reason.code`).
    public var code: String {
        switch self {
        case let .failed(failure): return Self.code(of: failure)
        case .endpointFailing: return "endpoint-failing"
        case .outOfTime: return "out-of-time"
        }
    }

    /// What the client is told. Endpoint answers and transport errors are left out (they may
    /// name internal hosts or echo credentials); the log has them.
    public var detail: String {
        switch self {
        case let .failed(failure): return Self.detail(of: failure)
        case let .endpointFailing(failure):
            return "not asked: an earlier question of this request failed (\(Self.detail(of: failure)))"
        case .outOfTime:
            return "not asked: the part of the request's time given to asking the language model ran out"
        }
    }

    public var description: String { "\(code): \(detail)" }

    /// What the log is told: the failure in full, with the endpoint's answer or the transport
    /// error that `detail` leaves out.
    public var diagnosis: String {
        switch self {
        case let .failed(failure): return "\(code): \(failure)"
        case let .endpointFailing(failure): return "\(code): not asked after \(failure)"
        case .outOfTime: return description
        }
    }

    /// Whether the failure says the endpoint itself is unwell (rather than this one answer being unusable).
    static func isEndpointFailure(_ failure: ExpansionFailure) -> Bool {
        switch failure {
        case .timedOut, .transport, .httpStatus: return true
        case .notConfigured, .invalidConfiguration, .malformedResponse, .noDescriptions: return false
        }
    }

    private static func code(of failure: ExpansionFailure) -> String {
        switch failure {
        case .notConfigured: return "not-configured"
        case .invalidConfiguration: return "invalid-configuration"
        case .timedOut: return "timed-out"
        case .transport: return "transport"
        case .httpStatus: return "http-status"
        case .malformedResponse: return "malformed-response"
        case .noDescriptions: return "no-descriptions"
        }
    }

    private static func detail(of failure: ExpansionFailure) -> String {
        switch failure {
        case .notConfigured: return "no language model is configured (STCLIP_LLM_BASE_URL, STCLIP_LLM_MODEL)"
        case .invalidConfiguration: return "the language model configuration is unusable"
        case let .timedOut(seconds): return "the language model did not answer within \((seconds * 10).rounded() / 10) s"
        case .transport: return "the language model endpoint could not be reached"
        case let .httpStatus(code, _): return "the language model endpoint answered HTTP \(code)"
        case .malformedResponse: return "the language model's answer is not a chat completion"
        case .noDescriptions: return "the language model's answer held no description"
        }
    }
}
