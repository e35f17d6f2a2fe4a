import STClipModels

/// Why a service configuration was refused, naming the setting at fault.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No model was given and the embedded default model was not found where `DefaultModel` looks.
    case noDefaultModel
    /// A setting is out of range or malformed; `key` is its config-file name.
    case invalid(key: String, detail: String)
    /// An environment variable does not parse.
    case invalidEnvironment(name: String, detail: String)
    /// The config file cannot be read or is not the expected JSON.
    case invalidFile(path: String, detail: String)
    /// The language model endpoint in `STCLIP_LLM_*` is unusable; `detail` names the variable.
    case invalidLanguageModel(detail: String)

    public var description: String {
        switch self {
        case .noDefaultModel:
            return "no model given and no embedded default model found (looked in "
                + DefaultModel.candidates().joined(separator: ", ") + "); "
                + "pass --model DIR or set STCLIP_MODEL to a Hugging Face style model directory"
        case let .invalid(key, detail): return "configuration '\(key)': \(detail)"
        case let .invalidEnvironment(name, detail): return "environment \(name): \(detail)"
        case let .invalidFile(path, detail): return "config file \(path): \(detail)"
        case let .invalidLanguageModel(detail): return "environment: \(detail)"
        }
    }
}
