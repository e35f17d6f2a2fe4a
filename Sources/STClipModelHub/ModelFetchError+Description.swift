extension ModelFetchError: CustomStringConvertible {
    /// A one-line message for people, naming the URL, repository file or local path at fault.
    public var description: String {
        switch self {
        case let .invalidReference(reference, reason):
            return "'\(reference)' is not a model reference: \(reason) (give ORG/NAME, or a URL such as https://huggingface.co/ORG/NAME)"
        case let .invalidEndpoint(endpoint):
            return "the hub endpoint '\(endpoint)' is not an absolute http or https URL (HF_ENDPOINT)"
        case let .network(url, reason):
            return "\(url): \(reason)"
        case let .httpStatus(url, status, hint):
            return "\(url): HTTP \(status)" + (hint.map { " (\($0))" } ?? "")
        case let .badListing(url, reason):
            return "\(url): unexpected answer: \(reason)"
        case let .missingFile(repository, revision, file):
            return "\(repository) at \(revision) has no \(file), which a checkpoint needs"
        case let .noSafetensors(repository, revision, pickleFiles):
            if pickleFiles.isEmpty {
                return "\(repository) at \(revision) has no safetensors weights (model.safetensors or model.safetensors.index.json)"
            }
            return "\(repository) at \(revision) has only pickle weights (\(pickleFiles.joined(separator: ", "))); "
                + "stclip never unpickles: convert them to safetensors, or pick a revision that has model.safetensors"
        case let .unsupportedModelType(repository, modelType):
            return "\(repository): model_type \"\(modelType)\" is not one stclip runs (clip, xclip, stas-clip)"
        case let .checksumMismatch(file, algorithm, expected, actual):
            return "\(file): \(algorithm) checksum mismatch: expected \(expected), got \(actual); the download was removed"
        case let .sizeMismatch(file, expected, received):
            return "\(file): the server sent \(received) bytes, more than the listed \(expected); the download was removed"
        case let .disk(path, reason):
            return "\(path): \(reason)"
        case let .conflictingFile(path, reason):
            return "\(path): \(reason)"
        case let .unusableCheckpoint(directory, reason):
            return "\(directory): downloaded, but it does not load: \(reason)"
        }
    }
}
