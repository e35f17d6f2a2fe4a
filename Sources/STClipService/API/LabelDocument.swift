/// One label as the API returns it; in the answer to a registration, the labels it registered
/// also say where their descriptions came from, and why they fell back to templates if they did.
struct LabelDocument: Encodable, Sendable {
    /// `fallback_reason`: a short name and what the client is told.
    struct FallbackReason: Encodable, Sendable {
        var code: String
        var detail: String
    }

    var label: String
    var descriptions: [String]
    /// `client`, `llm`, `llm-cache`, `templates` or `none`; absent outside registrations.
    var descriptionSource: String?
    /// Present exactly when `descriptionSource` is `templates`.
    var fallbackReason: FallbackReason?

    enum CodingKeys: String, CodingKey {
        case label, descriptions
        case descriptionSource = "description_source"
        case fallbackReason = "fallback_reason"
    }

    init(_ entry: LabelEntry, source: DescriptionSource? = nil) {
        label = entry.label
        descriptions = entry.descriptions
        descriptionSource = source?.code
        fallbackReason = source?.fallback.map { FallbackReason(code: $0.code, detail: $0.detail) }
    }
}
