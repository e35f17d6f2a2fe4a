extension CheckpointError: CustomStringConvertible {
    /// A one-line message for people, naming the file and, where relevant, the tensor or key.
    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): no such file"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .unwritableFile(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .truncated(let path, let detail):
            return "\(path): truncated: \(detail)"
        case .badHeader(let path, let detail):
            return "\(path): invalid safetensors header: \(detail)"
        case .badTensorEntry(let path, let tensor, let detail):
            return "\(path): tensor '\(tensor)': invalid header entry: \(detail)"
        case .offsetsOutOfRange(let path, let tensor, let detail):
            return "\(path): tensor '\(tensor)': data out of range: \(detail)"
        case .badLayout(let path, let detail):
            return "\(path): invalid data layout: \(detail)"
        case .unsupportedDType(let path, let tensor, let dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype), which cannot be read as float32"
        case .dtypeMismatch(let path, let tensor, let expected, let actual):
            return "\(path): tensor '\(tensor)' has dtype \(actual), expected \(expected)"
        case .missingTensor(let path, let tensor):
            return "\(path): no tensor named '\(tensor)'"
        case .shapeMismatch(let path, let tensor, let expected, let actual):
            return "\(path): tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .badIndex(let path, let detail):
            return "\(path): invalid shard index: \(detail)"
        case .missingKey(let path, let key):
            return "\(path): \(key): missing"
        case .badConfig(let path, let key, let detail):
            return key.isEmpty ? "\(path): \(detail)" : "\(path): \(key): \(detail)"
        case .unusedTensors(let path, let tensors):
            let shown = tensors.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            let more = tensors.count > 5 ? " and \(tensors.count - 5) more" : ""
            return "\(path): \(tensors.count) tensor(s) not used by the model: \(shown)\(more)"
        case .badWriterInput(let tensor, let detail):
            return "cannot write tensor '\(tensor)': \(detail)"
        }
    }
}
