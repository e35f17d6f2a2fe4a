import HTTPTypes

/// A failure the service reports to its client as an RFC 9457 problem: what kind, the detail for
/// this occurrence, and any headers the status calls for (`Retry-After`, `WWW-Authenticate`,
/// `Allow`). Details never carry server paths or stack traces.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var type: ProblemType
    public var detail: String
    public var headers: HTTPFields

    public init(_ type: ProblemType, _ detail: String, headers: HTTPFields = [:]) {
        self.type = type
        self.detail = detail
        self.headers = headers
    }

    public var description: String { "\(type.rawValue): \(detail)" }

    /// 400 for a query or path parameter that does not parse or is out of range.
    public static func invalidParameter(_ name: String, _ detail: String) -> ServiceError {
        ServiceError(.invalidParameter, "parameter '\(name)': \(detail)")
    }

    /// 503 with `Retry-After`, for work turned away because the service is saturated or stopping.
    public static func unavailable(_ type: ProblemType, _ detail: String, retryAfter seconds: Int) -> ServiceError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(max(1, seconds))
        return ServiceError(type, detail, headers: headers)
    }
}
