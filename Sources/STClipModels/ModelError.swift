/// Errors raised while building a model from a checkpoint or running it.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `config.json` names a `model_type` this runtime does not implement.
    case unsupportedModelType(String)
    /// A config value is missing or outside what the model supports; `detail` names the key.
    case invalidConfig(path: String, detail: String)
    /// An input has the wrong shape or values; `expected` describes what the model takes.
    case badInputShape(name: String, shape: [Int], expected: String)

    public var description: String {
        switch self {
        case let .unsupportedModelType(type):
            return "unsupported model_type \"\(type)\" (supported: clip, xclip, stas-clip)"
        case let .invalidConfig(path, detail):
            return "\(path): \(detail)"
        case let .badInputShape(name, shape, expected):
            return "\(name) has shape \(shape); expected \(expected)"
        }
    }
}
