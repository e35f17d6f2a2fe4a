/// Errors raised while turning class definitions into class embeddings or scoring against them.
public enum ClassEmbeddingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A prompt template is unusable; `detail` says why.
    case invalidTemplate(template: String, detail: String)
    /// No classes were given.
    case noClasses
    /// A class has an empty name or text.
    case emptyClassText(name: String)
    /// Two classes share a name, so their scores could not be told apart.
    case duplicateClassName(String)
    /// Class embeddings of one width were used with a model of another.
    case dimensionMismatch(expected: Int, got: Int)
    /// The number of label names differs from the number of class embeddings.
    case labelCountMismatch(labels: Int, embeddings: Int)
    /// Stored class embeddings whose parts do not fit together; `detail` says which.
    case malformedEmbeddings(detail: String)

    public var description: String {
        switch self {
        case let .invalidTemplate(template, detail):
            return "prompt template \"\(template)\": \(detail)"
        case .noClasses:
            return "no classes to embed"
        case let .emptyClassText(name):
            return "class \"\(name)\" has an empty name or text"
        case let .duplicateClassName(name):
            return "class \"\(name)\" appears more than once"
        case let .dimensionMismatch(expected, got):
            return "class embeddings have width \(got); the model's embedding width is \(expected)"
        case let .labelCountMismatch(labels, embeddings):
            return "\(labels) labels for \(embeddings) class embeddings"
        case let .malformedEmbeddings(detail):
            return "malformed class embeddings: \(detail)"
        }
    }
}
