import STClipModels

/// A named, versioned list of class texts that classification ranks a video against.
public struct LabelSet: Sendable, Equatable {
    public var name: String
    /// Starts at 1 and grows by one with every change; the ETag is `"<version>"`.
    public var version: Int
    /// Built-in sets come with the model and cannot be changed through the API.
    public var builtin: Bool
    /// Which texts a label's class embedding averages (issue 7's modes): `name`, the label text
    /// alone; `templates`, it in each prompt template; `descriptions`; or `all`.
    public var embeddingMode: ClassEmbeddingMode
    /// In the order they were given (a newly registered label goes last).
    public var labels: [LabelEntry]
    /// The classes as the text tower sees them, one per label: the label as name and text with
    /// its descriptions, or for a shipped set its own natural-language text.
    public var classes: [ClassDefinition]

    public init(name: String, version: Int, builtin: Bool, embeddingMode: ClassEmbeddingMode, labels: [LabelEntry]) {
        self.name = name
        self.version = version
        self.builtin = builtin
        self.embeddingMode = embeddingMode
        self.labels = labels
        classes = labels.map { ClassDefinition(name: $0.label, descriptions: $0.descriptions) }
    }

    /// A built-in set from class definitions (whose text may differ from their name).
    public init(builtin name: String, embeddingMode: ClassEmbeddingMode, classes: [ClassDefinition]) {
        self.name = name
        version = 1
        builtin = true
        self.embeddingMode = embeddingMode
        labels = classes.map { LabelEntry(label: $0.name, descriptions: $0.descriptions) }
        self.classes = classes
    }
}

/// One class of a label set: its text and optional longer descriptions.
public struct LabelEntry: Sendable, Equatable, Codable {
    public var label: String
    /// Descriptions of the class (for prompt learning, issue 7). Stored and returned; the
    /// `label` embedding mode does not use them.
    public var descriptions: [String]

    public init(label: String, descriptions: [String] = []) {
        self.label = label
        self.descriptions = descriptions
    }

    enum CodingKeys: String, CodingKey { case label, descriptions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        label = try c.decode(String.self, forKey: .label)
        // Absent means none; `null` is refused like any other value that is not a list.
        descriptions = c.contains(.descriptions) ? try c.decode([String].self, forKey: .descriptions) : []
    }
}

/// A label set as listed: without its labels.
public struct LabelSetSummary: Sendable, Equatable {
    public var name: String
    public var version: Int
    public var builtin: Bool
    public var labelCount: Int

    public init(name: String, version: Int, builtin: Bool, labelCount: Int) {
        self.name = name
        self.version = version
        self.builtin = builtin
        self.labelCount = labelCount
    }
}

/// The `If-Match` / `If-None-Match` condition a change must meet.
public enum VersionPrecondition: Sendable, Equatable {
    /// No condition.
    case none
    /// `If-Match: *`: the set must exist.
    case exists
    /// `If-None-Match: *`: the set must not exist.
    case absent
    /// `If-Match: "<v>", …`: the set must exist at one of these versions.
    case version([Int])

    /// Whether a set now at `current` (`nil`: absent) meets the condition.
    public func isMet(by current: Int?) -> Bool {
        switch self {
        case .none: return true
        case .exists: return current != nil
        case .absent: return current == nil
        case let .version(versions): return current.map(versions.contains) ?? false
        }
    }
}

/// Class embeddings made by one model, by their storage key.
public struct EmbeddingBatch: Sendable, Equatable {
    public var modelID: String
    public var vectors: [String: [Float]]

    public init(modelID: String, vectors: [String: [Float]]) {
        self.modelID = modelID
        self.vectors = vectors
    }
}
