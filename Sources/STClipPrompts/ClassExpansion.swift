/// The descriptions found for one class, and where they came from.
public struct ClassExpansion: Sendable, Equatable {
    /// Where a class's descriptions came from.
    public enum Source: Sendable, Equatable {
        /// Answers of the language model `model`.
        case languageModel(model: String)
        /// None could be had, for `reason`; the class is to be embedded from its prompt templates.
        case templates(reason: ExpansionFailure)
    }

    /// The class text the question was asked about.
    public let classText: String
    /// One to four descriptions; empty when `source` is `.templates`.
    public let descriptions: [String]
    public let source: Source

    public init(classText: String, descriptions: [String], source: Source) {
        self.classText = classText
        self.descriptions = descriptions
        self.source = source
    }

    /// True when the descriptions came from the language model.
    public var isExpanded: Bool {
        if case .languageModel = source { return true }
        return false
    }
}
