/// Where the descriptions of a class registered through the API came from (`description_source`).
public enum DescriptionSource: Sendable, Equatable {
    /// The client sent them.
    case client
    /// The language model `model` was asked during this request.
    case languageModel(model: String)
    /// The label store held `model`'s answer from an earlier request (of any replica sharing the store).
    case languageModelCache(model: String)
    /// None could be had; the class is embedded from its prompt templates.
    case templates(DescriptionFallback)
    /// None were sent and none were asked for: the set's embedding mode (`name`, `templates`)
    /// does not use descriptions.
    case notUsed

    /// The API's name: `client`, `llm`, `llm-cache`, `templates` or `none`.
    public var code: String {
        switch self {
        case .client: return "client"
        case .languageModel: return "llm"
        case .languageModelCache: return "llm-cache"
        case .templates: return "templates"
        case .notUsed: return "none"
        }
    }

    /// The reason for falling back to the templates, when it did.
    public var fallback: DescriptionFallback? {
        if case let .templates(reason) = self { return reason }
        return nil
    }
}
