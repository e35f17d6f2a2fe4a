/// Errors raised while building a model from a checkpoint or running it.
public enum ModelError: Error, Equatable, Sendable {
    /// `config.json` names a `model_type` this runtime does not implement.
    case unsupportedModelType(String)
    /// A config value is missing or outside what the model supports; `detail` names the key.
    case invalidConfig(path: String, detail: String)
    /// An input tensor has the wrong shape; `expected` describes what the model takes.
    case badInputShape(name: String, shape: [Int], expected: String)
}
