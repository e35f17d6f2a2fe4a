/// Why a class could not be expanded by the language model, so that its templates stood in.
public enum ExpansionFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// No endpoint is configured (`STCLIP_LLM_BASE_URL` is unset).
    case notConfigured
    /// The configuration in the environment is unusable; `detail` names the variable.
    case invalidConfiguration(detail: String)
    /// No complete answer arrived within the timeout.
    case timedOut(seconds: Double)
    /// The request could not be sent or its answer not received (connection refused, DNS, TLS).
    case transport(detail: String)
    /// The endpoint answered with a non-2xx status; `body` is the start of its answer.
    case httpStatus(code: Int, body: String)
    /// The answer is not a chat completion stclip can read.
    case malformedResponse(detail: String)
    /// The completion held no usable description.
    case noDescriptions(answer: String)

    public var description: String {
        switch self {
        case .notConfigured:
            return "no language model is configured (set STCLIP_LLM_BASE_URL and STCLIP_LLM_MODEL)"
        case let .invalidConfiguration(detail):
            return "language model configuration: \(detail)"
        case let .timedOut(seconds):
            return "the language model did not answer within \(seconds) s"
        case let .transport(detail):
            return "cannot reach the language model: \(detail)"
        case let .httpStatus(code, body):
            return "the language model endpoint answered HTTP \(code): \(body)"
        case let .malformedResponse(detail):
            return "unreadable chat completion: \(detail)"
        case let .noDescriptions(answer):
            return "the language model's answer held no description: \"\(answer)\""
        }
    }
}
