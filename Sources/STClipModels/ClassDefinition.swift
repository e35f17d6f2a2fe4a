/// One class as the text side sees it: the name it is reported under, the natural-language form
/// placed in prompt templates, and descriptions of what it looks like.
public struct ClassDefinition: Sendable, Hashable, Codable {
    /// The class's identifier, as a dataset spells it (`ApplyEyeMakeup`, `brush_hair`, `abseiling`).
    public let name: String
    /// The class as words, for prompts (`applying eye makeup`); the name itself where it already reads so.
    public let text: String
    /// Answers to "What are useful visual features for distinguishing {text} in a video?"; may be empty.
    public let descriptions: [String]

    public init(name: String, text: String? = nil, descriptions: [String] = []) {
        self.name = name
        self.text = text ?? name
        self.descriptions = descriptions
    }
}
