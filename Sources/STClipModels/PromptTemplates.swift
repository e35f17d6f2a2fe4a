import Foundation

/// Sentences with a `{}` where the class text goes, whose embeddings are averaged into a class
/// embedding in the `templates` and `all` modes.
public struct PromptTemplates: Sendable, Hashable {
    /// Each template holds `{}` exactly once.
    public let templates: [String]

    /// Checks that there is at least one template and that each holds `{}` exactly once.
    public init(_ templates: [String]) throws(ClassEmbeddingError) {
        guard !templates.isEmpty else { throw .invalidTemplate(template: "", detail: "no templates") }
        for t in templates where t.components(separatedBy: "{}").count != 2 {
            throw .invalidTemplate(template: t, detail: "a template holds \"{}\" exactly once")
        }
        self.templates = templates
    }

    /// `templates` with `text` in place of `{}`.
    public func filled(with text: String) -> [String] {
        templates.map { $0.replacingOccurrences(of: "{}", with: text) }
    }

    /// stclip's default ensemble, in the manner of ActionCLIP's sixteen Kinetics templates: the
    /// class text as a person's action, as a video, and as a label, in phrasings that read well
    /// for gerunds ("abseiling") and nouns ("tai chi") alike. The wording is ours.
    public static let standard = try! PromptTemplates([
        "a video of a person {}.",
        "a video of {}.",
        "a photo of a person {}.",
        "a clip of someone {}.",
        "human action of {}.",
        "{}, an action.",
        "look, the person is {}.",
        "video classification of {}.",
    ])
}
