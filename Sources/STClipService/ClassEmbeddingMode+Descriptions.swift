import STClipModels

extension ClassEmbeddingMode {
    /// Whether a class embedding in this mode averages the class's descriptions (`descriptions`,
    /// `all`); only then are descriptions asked of a language model for a class that has none.
    var usesDescriptions: Bool { self == .descriptions || self == .all }

    /// The mode whose texts the embedding of `definition` actually averages: a class without
    /// descriptions in the `descriptions` or `all` mode is embedded from its templates alone, so
    /// its stored embedding is recorded (and shared) as a `templates` one.
    func effective(for definition: ClassDefinition) -> ClassEmbeddingMode {
        usesDescriptions && definition.descriptions.isEmpty ? .templates : self
    }
}
