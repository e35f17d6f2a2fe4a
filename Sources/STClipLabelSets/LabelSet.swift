import STClipModels

/// A named list of classes with their descriptions, and a record of where both came from.
public struct LabelSet: Sendable, Equatable, Decodable {
    /// The identifier (`kinetics400`).
    public let name: String
    /// The dataset's usual name (`Kinetics-400`).
    public let title: String
    /// Where the official class names were taken from, and how they were checked.
    public let namesSource: String
    /// How the descriptions were produced and reviewed.
    public let descriptionsSource: String
    /// The question each description answers, with `{}` for the class.
    public let question: String
    /// The classes in the dataset's official order.
    public let classes: [ClassDefinition]

    /// The class names in order.
    public var classNames: [String] { classes.map(\.name) }

    /// The mode stclip embeds built-in label sets with unless told otherwise: the template ensemble
    /// and the descriptions together.
    public static let defaultMode = ClassEmbeddingMode.all

    private enum CodingKeys: String, CodingKey {
        case name, title, question, classes
        case namesSource = "names_source", descriptionsSource = "descriptions_source"
    }

    public init(name: String, title: String, namesSource: String, descriptionsSource: String, question: String,
                classes: [ClassDefinition]) {
        self.name = name
        self.title = title
        self.namesSource = namesSource
        self.descriptionsSource = descriptionsSource
        self.question = question
        self.classes = classes
    }

    /// The index of the class a dataset list calls `label`: its exact name, or else the one class whose
    /// name or text matches ignoring case and treating `_` as a space (so `brush_hair`, `Brush Hair`
    /// and `passing_American_football_(in_game)` are found). Nil when none or several match.
    public func index(of label: String) -> Int? {
        if let exact = classes.firstIndex(where: { $0.name == label }) { return exact }
        let key = Self.loose(label)
        let matches = classes.indices.filter { Self.loose(classes[$0].name) == key || Self.loose(classes[$0].text) == key }
        return matches.count == 1 ? matches[0] : nil
    }

    private static func loose(_ s: String) -> String {
        s.lowercased().replacing("_", with: " ").split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
